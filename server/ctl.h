/* ctl: a control session on an accepted connection: HELLO, then requests,
 * until DONE, a close, or a BEGIN that turns it into a handler. */
#ifndef VNET_CTL_H
#define VNET_CTL_H

#include <stdbool.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>

#include "server/server.h"

/* Starts a session on an accepted connection from sa (peer: its text),
 * first dropping the unauthenticated connections that a new one would
 * push over the caps. */
void ctl_accept(struct server *s, evutil_socket_t fd, const struct sockaddr *sa,
    const char *peer);
/* Starts an authenticated session on a connection accepted on the local
 * control socket (who: the peer's credentials, for the logs); the same
 * requests, HELLO answered without a look at its password, no BEGIN. */
void ctl_accept_local(struct server *s, evutil_socket_t fd, const char *who);
/* Closes the oldest unauthenticated session, for room; false if none. */
bool ctl_drop_oldest_unauth(struct server *s, const char *why);
/* Control sessions open, authenticated or not. */
unsigned ctl_sessions(const struct server *s);
/* The one teardown of a session. */
void ctl_close(struct ctl *c, const char *reason);

#endif
