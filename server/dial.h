/* dial: connect to a second server for a handler: HELLO, PEER, BEGIN (with
 * the handler's token), then hand the connection to the owner (standing.c)
 * through a callback.  A dial never answers a control session itself. */
#ifndef VNET_DIAL_H
#define VNET_DIAL_H

#include <stdbool.h>

#include <event2/bufferevent.h>

#include "common/proto.h"
#include "handler/handler.h"
#include "server/server.h"

enum dial_result {
	DIAL_OK,		/* bev is the handler's connection now */
	DIAL_UNREACHABLE,	/* no connection, or it broke: try again soon */
	DIAL_REFUSED,		/* the second server said NOK: try again much later */
	DIAL_HERE,		/* refused here: the handler would loop or overlap */
	DIAL_GONE,		/* the second server closed that handler (CLOSE) */
};

struct dial_outcome {
	enum dial_result	 do_result;
	struct bufferevent	*do_bev;	/* DIAL_OK: now the owner's */
	bool			 do_records;	/* the peer takes keepalive records */
	const char		*do_peer_id;	/* registry.h */
	const char		*do_peer;	/* for logs */
	const char		*do_text;	/* what happened, for the log or NOK */
};

typedef void (*dial_cb)(void *arg, const struct dial_outcome *o);

/* Starts dialling for m (a parsed HANDLE) with the handler token (PEER and
 * BEGIN's extensions go only to a server that answered PEER); over TLS,
 * peer_fp ("SHA256:<hex>", a key fingerprint) when not NULL or "" is the
 * one key the second server may show (known_servers is then left alone),
 * otherwise it is checked against the CA or pinned; h, when not
 * NULL, is the handler this dial is for (not an overlap of itself).
 * timeout_ms: to connect (over TLS, with the handshake); once connected,
 * --dial-timeout.  cb is called once, from the loop, unless the dial is
 * cancelled first.  NULL out of memory. */
struct dial *dial_start(struct server *s, const struct proto_msg *m, const char *token,
    const char *peer_fp, const struct handler *h, unsigned timeout_ms, dial_cb cb, void *arg);
/* Ends a dial without its callback and closes its connection (the one
 * teardown). */
void dial_close(struct dial *d);

#endif
