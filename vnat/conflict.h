/* conflict: virtual address conflicts (doc/PROTOCOL.md, VNAT CONFLICT in
 * "VNAT requests"; the problem is seed 001's, 3.4.3).  A moved
 * connection's new physical tuple may already be the tuple of another
 * connection of this host (one opened from the new address, with the same
 * port, to the same peer port): translating would take that connection's
 * packets.  Per process name, the policy decides: abort the migration of the
 * moved connection (the default; CONNS? shows it CONFLICT) or preempt the
 * existing connection (it is shut down, the moved one takes the tuple).  The
 * peer of a moving host always refuses an update that would take one of its
 * own existing connections. */
#ifndef VNET_CONFLICT_H
#define VNET_CONFLICT_H

#include <stdbool.h>
#include <stdint.h>

#include "vnat/vnat.h"
#include "vnat/vtab.h"

enum conflict_policy { CP_ABORT, CP_PREEMPT };

/* v's part: the policies by process name, and what the last RESUME left */
struct conflict_part {
	struct conflict_pol {
		char	cp_name[16];
		uint8_t	cp_policy;		/* enum conflict_policy */
	}			 cf_pol[VNAT_PROCS_MAX];
	size_t			 cf_npol;
	struct vtab		 cf_left;	/* connections the last RESUME left (conflict) */
};

void conflict_init(struct vnat *v);
void conflict_free(struct vnat *v);
/* Parses a policy's word (abort, preempt); 0, or -1 with the reason in
 * err.  Pure. */
int conflict_parse(const char *word, enum conflict_policy *p, char *err, size_t errlen);
/* The word of a policy.  Pure. */
const char *conflict_policy_name(enum conflict_policy p);
/* Sets the policy (abort or preempt) of a process name ("*": every one);
 * 0, or -1 with the reason in err. */
int conflict_set(struct vnat *v, const char *name, const char *policy, char *err, size_t errlen);
/* The number of process names with a policy (VNAT CONFLICTS?).  Pure. */
size_t conflict_count(const struct vnat *v);
/* Writes entry i (< conflict_count) as "name policy".  Pure. */
void conflict_format(const struct vnat *v, size_t i, char *out, size_t len);
/* The policy for a process name: its own, else "*", else abort.  Pure. */
enum conflict_policy conflict_policy_for(const struct vnat *v, const char *comm);
/* The inode of the live socket (TCP: established or opening; UDP:
 * connected) whose tuple is t's physical one, or 0.  socks: every socket of
 * this host, indexed by conns_index. */
uint32_t conflict_hit(const struct vtab *socks, const struct vnat_tuple *t);
/* Records that connection t (its virtual tuple) stays where it is: its new
 * tuple is another's (VNAT CONNS? shows it CONFLICT). */
void conflict_mark(struct vnat *v, const struct vnat_tuple *t);
/* Forgets the conflicts of the last RESUME (a new one starts). */
void conflict_unmark_all(struct vnat *v);
/* True when the last RESUME left connection key in conflict. */
bool conflict_marked(const struct vnat *v, const struct vnat_tuple *key);
/* Shuts the connection of that socket down (its owner sees it end); 0/-1. */
int conflict_preempt(uint32_t inode);

#endif
