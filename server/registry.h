/* registry: what this server knows of its handlers as a whole: its own
 * instance (so that a handler to itself is recognised however the server
 * was reached), which handlers a new one would overlap, and where each
 * handler's frames come from and go to (the peer server and its device) as
 * a small number: the mark on what the handler injects and the key of the
 * loop guard (handler/capture.h). */
#ifndef VNET_REGISTRY_H
#define VNET_REGISTRY_H

#include <stddef.h>

#include "handler/handler.h"
#include "server/server.h"

#define REG_PEER_ID_MAX	64	/* "i:" + instance, or "a:" + address */

/* Writes PROTO_INSTANCE_LEN random hex digits (an instance, a handler's
 * token) and a NUL into out; -1 without randomness. */
int reg_random_id(char out[PROTO_INSTANCE_LEN + 1]);
/* Sets up the registry with a new random instance; 0, or -1 out of memory
 * or without randomness. */
int reg_init(struct server *s);
/* Frees what reg_init made (no handler may be left). */
void reg_free(struct server *s);
/* This server's instance: PROTO_INSTANCE_LEN hex digits, new at each start. */
const char *reg_instance(const struct server *s);
/* Writes the identity of a peer server into id (REG_PEER_ID_MAX + 1 bytes):
 * its instance when it told it (PEER), else its address ("a:ADDR"). */
void reg_peer_id(char *id, const char *instance, const char *addr);
/* 0 when a handler on dev with the peer id and these addresses may start;
 * -1 with the reason in err when the peer is this server itself or an
 * existing handler (other than self, which may be NULL) on dev with the
 * same peer already carries one of the unicast addresses. */
int reg_check(const struct server *s, const char *dev, const char *peer_id,
    const struct mac_list *addrs, const struct handler *self, char *err, size_t errlen);
/* reg_check, then fills hc's peer id, origin number and storm limit; -1
 * with the reason in err.  Each success is undone by one reg_release. */
int reg_acquire(struct server *s, struct handler_conf *hc, const char *peer_id,
    char *err, size_t errlen);
/* Gives back what reg_acquire took for hc. */
void reg_release(struct server *s, const struct handler_conf *hc);
/* h came back from peer_id (a peer that restarted has a new instance):
 * checked again for overlaps, and its origin follows the peer.  -1 with
 * the reason in err (h unchanged). */
int reg_rebind(struct server *s, struct handler *h, const char *peer_id, const char *peer,
    char *err, size_t errlen);

#endif
