/* kept: the old (virtual) addresses a moved host keeps on lo for as long as
 * a translated connection still uses them; hidden from ARP on the new
 * network (vnat/nftx), removed when the last such connection is gone. */
#ifndef VNET_KEPT_H
#define VNET_KEPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnat/vnat.h"

/* v's part: the addresses added on lo by us */
struct kept_part {
	struct { uint8_t k_family, k_addr[16]; } kp_addr[256];
	size_t		 kp_n;
	int		 kp_arp_announce;	/* all/arp_announce before we raised it;
						 * -1: untouched */
};

void kept_init(struct vnat *v);
/* The number of addresses kept. */
size_t kept_count(const struct vnat *v);
/* Keeps addr (family 4 or 6) on lo unless the host has it already; 0, or
 * -1 with the reason logged. */
int kept_add(struct vnat *v, uint8_t family, const uint8_t *addr);
/* Removes the kept addresses that no translation uses any more, or that
 * are on an interface again (the host came back); returns how many went. */
unsigned kept_release_unused(struct vnat *v);
/* Removes every kept address from lo and puts arp_announce back (exit
 * without a state file, --vnat-flush; the arp table goes with the nftables
 * tables). */
void kept_drop_all(struct vnat *v);
struct vstate_kept;
/* Takes over n addresses kept by an earlier vnet (vnat/state) and the
 * arp_announce it found (-1: untouched); with on_lo, puts back on lo any
 * the kernel lost and raises arp_announce again if it was lowered.  Writes
 * the batch that hides the IPv4 ones from ARP into buf (NULL: none); its
 * length, or -1 when buf is too small. */
int kept_adopt(struct vnat *v, const struct vstate_kept *k, size_t n, int announce, bool on_lo,
    char *buf, size_t len);
/* Address i (< kept_count) and its family, for the state file. */
void kept_get(const struct vnat *v, size_t i, uint8_t *family, uint8_t addr[16]);
/* arp_announce as it was before vnet raised it; -1: untouched. */
int kept_announce_saved(const struct vnat *v);

#endif
