/* sweep: translations live as long as their connections.  While any
 * translation or kept address exists, every VNAT_SWEEP_MS the kernel's
 * sockets are listed once (sock_diag) and the translations whose
 * connection is gone (closed, or only TIME_WAIT left) are removed in one
 * nftables batch, then the kept addresses nothing uses any more. */
#ifndef VNET_SWEEP_H
#define VNET_SWEEP_H

#include "vnat/vnat.h"

#define VNAT_SWEEP_MS	1000

/* Arms the periodic sweep on v's event loop; 0 or -1. */
int sweep_start(struct vnat *v);
/* Runs one sweep now; returns the number of translations removed, or -1. */
int sweep_now(struct vnat *v);
void sweep_stop(struct vnat *v);

#endif
