/* devtab (private to handler/): the table of a device's addresses.  Each
 * key is an address or prefix at the destination (offset 0) or the source
 * (6) and names the handlers whose lists hold it, as dev.c looks them up
 * for every frame: 48-bit keys by hash (O(1)), prefixes in a list that is
 * scanned (they are few).  A handler capturing by destination is keyed by
 * every entry of its list at the destination; one capturing by source by
 * its unicast entries at the source (filt_build). */
#ifndef VNET_DEVTAB_H
#define VNET_DEVTAB_H

#include <stddef.h>
#include <stdint.h>

#include "handler/dev.h"
#include "handler/kfilt.h"

/* one address (or prefix) and the handlers that list it (a handler once
 * per entry of its list) */
struct dev_key {
	struct kfilt_ent	 k_ent;
	struct dev_key		*k_next;	/* in its bucket, or in t_prefixes */
	struct dev_member	**k_hs;
	size_t			 k_n, k_cap;
};

struct dtab {
	struct dev_key		**t_buckets;	/* 48-bit keys */
	size_t			 t_nbuckets, t_nkeys;
	struct dev_key		*t_prefixes;	/* shorter ones */
};

/* Makes (or doubles) t's buckets; -1 out of memory (t unchanged).  A table
 * has buckets before its first look-up. */
int dtab_grow(struct dtab *t);
/* Adds the keys of m's handler; -1 out of memory (none added). */
int dtab_add(struct dtab *t, struct dev_member *m);
/* Removes the keys of m's handler. */
void dtab_del(struct dtab *t, struct dev_member *m);
/* The key of the 48-bit address addr at offset off (0 or 6), or NULL. */
const struct dev_key *dtab_find(const struct dtab *t, const uint8_t *addr, unsigned off);
/* The prefix keys, linked by k_next. */
const struct dev_key *dtab_prefixes(const struct dtab *t);
/* Every key's entry, in a new array (free it); its length in *n.  NULL out
 * of memory. */
struct kfilt_ent *dtab_entries(const struct dtab *t, size_t *n);
/* Frees every key. */
void dtab_free(struct dtab *t);

#endif
