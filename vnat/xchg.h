/* xchg: the moving side of a VCMP exchange.  Given connections (as
 * translations: virtual tuple, this host's physical end, the peer's
 * physical end) it opens one TCP connection to port 2031 of each peer,
 * sends every connection with that peer as one exchange of version-2
 * messages (VNAT_UPD, or VNAT_SUS at SUSPEND), reads the answers, and calls
 * back once every peer has answered, failed, or the time ran out. */
#ifndef VNET_XCHG_H
#define VNET_XCHG_H

#include <stdbool.h>
#include <stddef.h>

#include "vnat/tuple.h"
#include "vnat/vnat.h"

#define XCHG_TIMEOUT_S	5

struct xchg;

/* ok[i]: the peer has connection i (then t[i].t_rphy/_port hold the
 * physical end it answered); unreachable: peers that did not answer. */
typedef void (*xchg_done_cb)(void *arg, struct vnat_tuple *t, const bool *ok, size_t n,
    unsigned npeers, unsigned unreachable);

/* Starts an exchange of command cmd (VCMP_UPD or VCMP_SUS) for t[0..n),
 * which it takes over (malloc'ed); NULL when out of memory (t freed).  done
 * is called once, from the event loop, never from inside xchg_start. */
struct xchg *xchg_start(struct vnat *v, uint8_t cmd, struct vnat_tuple *t, size_t n,
    xchg_done_cb done, void *arg);
/* The number of peers the exchange talks to. */
size_t xchg_npeers(const struct xchg *x);
/* Ends it without a callback, closing its connections (NULL is fine). */
void xchg_close(struct xchg *x);

#endif
