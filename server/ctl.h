/* ctl: a control session on an accepted connection: HELLO, then requests,
 * until DONE, a close, or a BEGIN that turns it into a handler. */
#ifndef VNET_CTL_H
#define VNET_CTL_H

#include <stdbool.h>

#include <event2/bufferevent.h>

#include "server/server.h"

/* Starts a session on an accepted connection. */
void ctl_accept(struct server *s, evutil_socket_t fd, const char *peer);
/* Answers a pending HANDLE (called by dial when it ends). */
void ctl_handle_done(struct ctl *c, bool ok, const char *text);
/* Links a started dial to its session (so a close can detach it). */
void ctl_set_dial(struct ctl *c, struct dial *d);
/* The one teardown of a session. */
void ctl_close(struct ctl *c, const char *reason);

#endif
