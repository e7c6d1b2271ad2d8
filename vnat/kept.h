/* kept: the old (virtual) addresses a moved host keeps on lo for as long as
 * a translated connection still uses them; hidden from ARP on the new
 * network (vnat/nftx), removed when the last such connection is gone. */
#ifndef VNET_KEPT_H
#define VNET_KEPT_H

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
/* Removes every kept address from lo (exit; the arp table goes with the
 * nftables tables). */
void kept_drop_all(struct vnat *v);

#endif
