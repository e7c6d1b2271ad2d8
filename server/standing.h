/* standing: handlers that outlive their connections (doc/PROTOCOL.md,
 * "BEGIN's extensions: handlers that come back").  Every handler this
 * server dials has a token (random, PROTO_INSTANCE_LEN hex digits) that it
 * sends in BEGIN; the server that accepts it knows it again by that token.
 *
 * Dialling side (HANDLE, or the state file after a restart): when the link
 * is lost, redial with back-off and jitter until CLOSE (a connection
 * attempt every second or so while the path is down; a refused HELLO or
 * BEGIN backs off to a minute); when it stalls (frames out, nothing heard
 * for 2 s), dial alongside and move to the first connection that
 * completes.  The handlers are remembered in STATE_DIR/handlers (mode
 * 0600) so that they come back after a restart.
 *
 * Accepting side: a handler whose dialler announced a token waits
 * --linger seconds for it to come back, then is forgotten; a token closed
 * here with CLOSE is refused (PROTO_GONE_PREFIX) so that its dialler stops. */
#ifndef VNET_STANDING_H
#define VNET_STANDING_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/bufferevent.h>

#include "common/proto.h"
#include "handler/handler.h"
#include "server/server.h"

#define STAND_LINGER_DEFAULT	120	/* seconds an accepted handler waits */

struct stand;

/* Sets up the module (state file path from the options); -1 out of memory. */
int stand_init(struct server *s);
/* Brings back the handlers of the state file: each is dialled now and
 * kept trying.  Returns how many; a bad file is logged and left alone. */
int stand_load(struct server *s);
/* At shutdown: stops every dial and timer; handlers are the caller's to
 * close, and the state file keeps them for the next start.  Whoever waits
 * for a HANDLE is not called: it detached first (its session closed). */
void stand_shutdown(struct server *s);

/* How the first dial of a HANDLE ended, for whoever asked: ok, and the
 * answer's text ("handler 3 established", or why not). */
typedef void (*stand_done_cb)(void *arg, bool ok, const char *text);

/* HANDLE m: a new dialled handler.  cb(arg) is called once, from the loop,
 * when the first dial ends (unless stand_detach came first); if that
 * failed, the handler is forgotten.  NULL when it cannot start. */
struct stand *stand_handle(struct server *s, const struct proto_msg *m, stand_done_cb cb,
    void *arg);
/* Whoever asked for st is gone: its callback is not called. */
void stand_detach(struct stand *st);

#define STAND_NAME_MAX	63

/* A standing handler of the configuration file, known by name (at most
 * STAND_NAME_MAX characters): dialled now and kept trying, also before its
 * first success; not written to the state file (the configuration holds
 * it); peer_fp, unless NULL or "", the key its peer must show (dial_start).  -1 when the name is taken or out of memory. */
int stand_config_add(struct server *s, const char *name, const struct proto_msg *m,
    const char *peer_fp);
/* The configuration's handler name ends for good (its peer is told).
 * 0, or -1 if there is no such name. */
int stand_config_remove(struct server *s, const char *name);
/* The HANDLE of the configuration's handler name, or NULL. */
const struct proto_msg *stand_config_get(struct server *s, const char *name);
/* The peer key fingerprint of the configuration's handler name ("" none),
 * or NULL if there is no such name. */
const char *stand_config_fp(struct server *s, const char *name);
/* Calls fn for each configuration handler's name (the caller may remove
 * the one it is given, no other). */
void stand_config_each(struct server *s, void (*fn)(struct server *, const char *, void *),
    void *arg);

/* BEGIN m with a token, on connection bev from a peer (registry id and
 * label): the returning handler gets bev, or a new handler is started.
 * Returns the handler's identifier, or 0 with the reason in err (bev not
 * taken). */
uint32_t stand_begin(struct server *s, const struct proto_msg *m, const char *peer_id,
    const char *peer, struct bufferevent *bev, char *err, size_t errlen);

/* CLOSE: h is closed for good (its peer is told, a dialled handler is
 * forgotten, an accepted one's token refused if its dialler comes back). */
void stand_close(struct server *s, struct handler *h, const char *why);
/* h is gone (from the server's handler list callback). */
void stand_handler_gone(struct server *s, struct handler *h);

#endif
