/* bev: writing a bufferevent's socket at once instead of on the next loop
 * turn.  Over TLS (an OpenSSL bufferevent) OpenSSL owns the socket and
 * libevent's write event hands it what is queued: these leave it alone. */
#ifndef VNET_BEV_H
#define VNET_BEV_H

#include <stddef.h>

#include <event2/bufferevent.h>

/* Bytes queued but not yet handed to the kernel (or, over TLS, to OpenSSL). */
size_t bev_pending(struct bufferevent *bev);
/* From now on the caller writes the socket itself with bev_flush_now after
 * queueing: libevent's write event is off while nothing waits.  Nothing
 * over TLS. */
void bev_write_direct(struct bufferevent *bev);
/* Writes what is queued on the socket now, instead of on the next loop
 * turn.  What the socket does not take (or an error) is left to libevent's
 * write event, which is on exactly while bytes wait.  Nothing over TLS. */
void bev_flush_now(struct bufferevent *bev);
/* Leaves what waits in bev's output to libevent's write event (at the
 * event's priority), for bev_write_direct bufferevents too. */
void bev_flush_later(struct bufferevent *bev);
/* Puts bev's read and write events at priority prio of its base (plain and
 * OpenSSL socket bufferevents alike), both or neither; -1 when the base has
 * no such priority or an event is active just now (try again later). */
int bev_priority_set(struct bufferevent *bev, int prio);

#endif
