/* keys: the key of each connection, agreed at SUSPEND (doc/PROTOCOL.md,
 * "Keys against hijacking"; vnat/vkey derives them): kept by vnat/xchg on
 * the moving side and by vnat/endpoint on the peer's, by this host's
 * virtual tuple, with the last counter sent or accepted; a connection
 * keeps its first key for its whole life (vnat/sweep forgets it when the
 * connection closes). */
#ifndef VNET_KEYS_H
#define VNET_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnat/vnat.h"
#include "vnat/vtab.h"

/* v's part */
struct keys_part {
	struct vtab	 ks_tab;	/* entries: ve_key (key and counter) */
};

void keys_init(struct vnat *v);
void keys_free(struct vnat *v);
/* Gives connection key (our virtual tuple) the key derived from secret
 * for the connection lvir:lport <-> rvir:rport as the mover sees it, unless
 * it has one; true when it got one now. */
bool keys_keep(struct vnat *v, const struct vnat_tuple *key, const uint8_t *secret,
    uint8_t family, uint8_t proto, const uint8_t *lvir, uint16_t lport, const uint8_t *rvir,
    uint16_t rport);
/* The key entry of a connection (its ve_key: the key and the last counter), or
 * NULL; the caller may advance the counter (the state file is written
 * again on the next loop turn). */
struct vtab_ent *keys_find(struct vnat *v, const struct vnat_tuple *key);
struct vstate_key;
/* Takes over n keys recorded by an earlier vnet (vnat/state). */
void keys_adopt(struct vnat *v, const struct vstate_key *k, size_t n);
/* The number of connections with a key. */
size_t keys_count(const struct vnat *v);
/* The keys, for the sweep's marks (vnat/sweep) only. */
struct vtab *keys_table(struct vnat *v);

#endif
