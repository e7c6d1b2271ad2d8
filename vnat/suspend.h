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

#include <stddef.h>

#include "vnat/resume.h"

/* Starts a SUSPEND; 0 and later done (once, from the loop), or -1 with the
 * reason in err (suspended already, an operation running, empty list). */
int suspend_start(struct vnat *v, resume_done_cb done, void *arg, char *err, size_t errlen);
/* The caller went away: no callback then. */
void suspend_detach(struct vnat *v);
/* Ends a running SUSPEND without a callback (shutdown). */
void suspend_abort(struct vnat *v);

#endif
