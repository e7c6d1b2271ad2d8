/* vtab: a hash table of translations keyed by their virtual tuple (family,
 * protocol, local and remote virtual address and port), so that finding the
 * translation of a connection costs the same for 10 or 10,000 of them.  It
 * grows as it fills; entries also sit on one list for walks. */
#ifndef VNET_VTAB_H
#define VNET_VTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "vnat/sockdiag.h"
#include "vnat/tuple.h"
#include "vnat/vkey.h"

struct helped;

/* An entry: the tuple, vnat/sweep's mark (in each table it sweeps), and a
 * payload of which a table's owner uses one member only, its own type. */
struct vtab_ent {
	struct vnat_tuple		 ve_tr;
	struct vtab_ent		*ve_next;	/* same bucket */
	bool			 ve_alive;	/* vnat/sweep: its connection is still there */
	union {
		struct vkey_state	 ve_key;	/* the keys' table (vnat/keys) */
		struct sd_sock		 ve_sock;	/* a socket index (conns_index,
							 * read by vnat/conflict) */
		struct helped		*ve_helped;	/* the helpers' table (vnat/helper) */
	};
	TAILQ_ENTRY(vtab_ent)	 ve_all;
};
TAILQ_HEAD(vtab_list, vtab_ent);

struct vtab {
	struct vtab_ent	**vt_b;
	size_t		  vt_nb;	/* a power of two, or 0 before the first put */
	size_t		  vt_n;
	struct vtab_list  vt_all;
};

/* An empty table (no allocation yet). */
void vtab_init(struct vtab *t);
/* Frees every entry and the buckets; t is empty and usable again. */
void vtab_clear(struct vtab *t);
/* The hash of a translation's virtual tuple (pure). */
uint32_t vtab_hash(const struct vnat_tuple *k);
/* True when a and b have the same virtual tuple (pure). */
bool vtab_same(const struct vnat_tuple *a, const struct vnat_tuple *b);
/* The entry whose virtual tuple is key's, or NULL. */
struct vtab_ent *vtab_find(const struct vtab *t, const struct vnat_tuple *key);
/* The entry of key's virtual tuple, a new one holding *key if there was
 * none (*created set); NULL when out of memory. */
struct vtab_ent *vtab_put(struct vtab *t, const struct vnat_tuple *key, bool *created);
/* Unlinks and frees e, an entry of t. */
void vtab_del(struct vtab *t, struct vtab_ent *e);

#endif
