/* suspend: SUSPEND (doc/PROTOCOL.md, "VNAT requests" and "Keys against
 * hijacking"; the design is seed 001, 3.3.1): record this host's virtual
 * connections as they are (the state RESUME starts from) and tell every
 * peer, one VNAT_SUS exchange each.  Until RESUME, VNAT CONNS? shows them
 * SUSPENDED here and on the peers; RESUME then tells every suspended
 * connection's peer, moved or not.  The same exchange agrees each
 * connection's key (flag KEY: vnat/xchg keeps this side's, vnat/endpoint
 * the peer's), and the peer starts its helpers for them (vnat/helper). */
#ifndef VNET_SUSPEND_H
#define VNET_SUSPEND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vnat/vnat.h"
#include "vnat/vtab.h"

/* v's part: the state a SUSPEND leaves until the next RESUME */
struct suspend_part {
	bool		 sp_on;		/* SUSPEND done, no RESUME yet */
	time_t		 sp_at;
	struct vtab	 sp_conns;	/* our connections as SUSPEND found them */
};

void suspend_init(struct vnat *v);
void suspend_free(struct vnat *v);
/* Starts a SUSPEND (vnat/op's lifecycle); 0 and later done (once, from the
 * loop), or -1 with the reason in err (suspended already, an operation
 * running, empty list). */
int suspend_start(struct vnat *v, vnat_op_done_cb *done, void *arg, char *err, size_t errlen);
/* True from a SUSPEND until the next RESUME ends. */
bool suspend_is_on(const struct vnat *v);
/* True when connection key (its virtual tuple) was suspended and not
 * resumed yet. */
bool suspend_has(const struct vnat *v, const struct vnat_tuple *key);
/* A RESUME ended: the suspended state is forgotten; true (with the
 * seconds it lasted in *secs) when there was one. */
bool suspend_over(struct vnat *v, double *secs);
/* When the SUSPEND in force began (0 when none). */
time_t suspend_since(const struct vnat *v);
/* At start: the SUSPEND the state file records (vnat/setup), in force
 * again since at with connections t[n] (as SUSPEND found them); the peers
 * keep theirs, so a RESUME tells them as if vnet had not stopped. */
void suspend_adopt(struct vnat *v, time_t at, const struct vnat_tuple *t, size_t n);
/* The connections this host suspended, for vnat/flows (flows_repin) and
 * vnat/state. */
struct vtab *suspend_table(struct vnat *v);

#endif
