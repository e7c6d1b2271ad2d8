/* vstate: the text of VNAT's state file (vnat/state writes and reads it):
 * what vnet leaves in the kernel at exit for the next start to adopt, or
 * for `vnet --vnat-flush` to remove: the translations (whole tuples), the
 * addresses kept on lo, net.ipv4.conf.all.arp_announce as it was before
 * vnet raised it, the connections' keys with their counters, and a
 * SUSPEND in force (when, and the connections it suspended).
 *
 *   vnet-vnat-state 1
 *   announce -1|0|1|2                  (-1: untouched)
 *   nextid N                           (the last translation id given)
 *   tr ID FAM PROTO DIRS LVIR LVPORT LPHY LPPORT RVIR RVPORT RPHY RPPORT
 *   kept FAM ADDR
 *   key FAM PROTO LVIR LPORT RVIR RPORT KEY(64 hex) COUNTER
 *   susp AT                            (a SUSPEND in force since AT, s
 *                                       since the epoch; at most once)
 *   sconn ID FAM PROTO DIRS LVIR ... RPPORT  (a suspended connection as
 *                                       SUSPEND found it, as a tr line;
 *                                       ID 0: never moved; after susp)
 *   end
 *
 * The file may be damaged or written by someone else: vstate_check is a
 * pure validator that refuses anything not exactly of this form (at most
 * VSTATE_MAX bytes, lines of at most VSTATE_LINE_MAX, the header first,
 * the announce and nextid lines once, "end" last); vstate_parse runs it
 * first.  Pure functions; no I/O. */
#ifndef VNET_VSTATE_H
#define VNET_VSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnat/tuple.h"
#include "vnat/vkey.h"

#define VSTATE_MAX	(16u * 1024 * 1024)
#define VSTATE_LINE_MAX	256
#define VSTATE_KEPT_MAX	256
#define VSTATE_ENTS_MAX	65536u
#define VSTATE_AT_MAX	(1ull << 40)	/* a susp time: far beyond any real one */

struct vstate_kept {
	uint8_t		sk_family, sk_addr[16];
};

struct vstate_key {
	struct vnat_tuple	sy_conn;	/* the virtual tuple (physical = virtual) */
	struct vkey_state	sy_key;
};

struct vstate {
	int			 vs_announce;	/* -1..2 */
	uint32_t		 vs_next_id;
	struct vnat_tuple	*vs_trs;
	size_t			 vs_ntrs;
	struct vstate_kept	*vs_kept;
	size_t			 vs_nkept;
	struct vstate_key	*vs_keys;
	size_t			 vs_nkeys;
	bool			 vs_susp;	/* a SUSPEND in force */
	uint64_t		 vs_susp_at;	/* since (s since the epoch) */
	struct vnat_tuple	*vs_sconns;	/* the connections it suspended */
	size_t			 vs_nsconns;
};

/* 0 when buf (len bytes) is a whole state file as above; -1 with the first
 * fault (its line number) in err.  Pure. */
int vstate_check(const char *buf, size_t len, char *err, size_t errlen);
/* Fills out (its arrays allocated; vstate_free frees them) from buf after
 * vstate_check; 0, or -1 with err set. */
int vstate_parse(const char *buf, size_t len, struct vstate *out, char *err, size_t errlen);
void vstate_free(struct vstate *s);
/* The text of s, allocated (*len its length); NULL when out of memory. */
char *vstate_format(const struct vstate *s, size_t *len);

#endif
