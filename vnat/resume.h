/* resume: the moving side of a migration (seed 001, 3.3.2): re-home the
 * virtual connections whose physical address is gone, tell every affected
 * peer with one VCMP exchange each (VNAT_UPD / VNAT_UPD_R, version 2), then
 * apply this host's translations in one nftables batch. */
#ifndef VNET_RESUME_H
#define VNET_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "vnat/vnat.h"

typedef void (*resume_done_cb)(void *arg, bool ok, const char *text);

/* Starts a RESUME; addr (may be NULL) is the new address to use.  Returns 0
 * and later calls done once, or -1 with the reason in err (nothing to do,
 * one already running, ...). */
int resume_start(struct vnat *v, const char *addr, resume_done_cb done, void *arg,
    char *err, size_t errlen);
/* The caller of a running RESUME went away: no callback then. */
void resume_detach(struct vnat *v);
/* Ends a running RESUME without a callback (shutdown). */
void resume_abort(struct vnat *v);

#endif
