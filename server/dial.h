/* dial: the server side of HANDLE: connect to the second server, HELLO,
 * BEGIN, then hand the connection to a new handler. */
#ifndef VNET_DIAL_H
#define VNET_DIAL_H

#include "common/proto.h"
#include "server/server.h"

/* Starts connecting for m (a parsed HANDLE) on behalf of session c. */
int dial_start(struct server *s, struct ctl *c, const struct proto_msg *m);
/* Forgets the session (it closed); the dial goes on and is logged. */
void dial_detach(struct dial *d);
/* The one teardown of a dial. */
void dial_free(struct dial *d);

#endif
