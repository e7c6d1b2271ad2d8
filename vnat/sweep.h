/* sweep: translations live as long as their connections, and so do a
 * connection's key, its helper and a peer's word that it is suspended.
 * While any of these or a kept address exists (and no RESUME runs), every
 * VNAT_SWEEP_MS the kernel's sockets are listed once (sock_diag); for the
 * connections that are gone (closed, or only TIME_WAIT left) keys and
 * suspensions are forgotten, helpers undone, and translations removed in
 * one nftables batch; then the kept addresses nothing uses any more go. */
#ifndef VNET_SWEEP_H
#define VNET_SWEEP_H

#include <event2/event.h>

#include "vnat/vnat.h"

#define VNAT_SWEEP_MS	1000

/* v's part */
struct sweep_part {
	struct event	*sw_timer;
};

/* Arms the periodic sweep on v's event loop; 0 or -1. */
int sweep_start(struct vnat *v);
/* Runs one sweep now; returns the number of translations removed, or -1. */
int sweep_now(struct vnat *v);
void sweep_stop(struct vnat *v);

#endif
