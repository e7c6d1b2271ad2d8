/* devtab: a device's addresses, hashed, and the handlers that list them. */
#include "handler/devtab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "handler/handler.h"

static size_t
key_hash(const struct kfilt_ent *e)
{
	uint64_t v = e->ke_off;

	for (int i = 0; i < MAC_LEN; i++)
		v = (v << 8) | e->ke_mac.me_addr[i];
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ull;
	v ^= v >> 32;
	return (size_t)v;
}

static bool
key_is(const struct dev_key *k, const struct kfilt_ent *e)
{
	return k->k_ent.ke_off == e->ke_off && k->k_ent.ke_mac.me_plen == e->ke_mac.me_plen &&
	    memcmp(k->k_ent.ke_mac.me_addr, e->ke_mac.me_addr, MAC_LEN) == 0;
}

/* where the key for e is (or would be linked) */
static struct dev_key **
key_slot(struct dtab *t, const struct kfilt_ent *e)
{
	struct dev_key **p = e->ke_mac.me_plen == 48 ?
	    &t->t_buckets[key_hash(e) & (t->t_nbuckets - 1)] : &t->t_prefixes;

	while (*p && !key_is(*p, e))
		p = &(*p)->k_next;
	return p;
}

int
dtab_grow(struct dtab *t)
{
	size_t n = t->t_nbuckets ? t->t_nbuckets * 2 : 64, i;
	struct dev_key **b = calloc(n, sizeof(*b)), *k, *next;

	if (b == NULL)
		return -1;
	for (i = 0; i < t->t_nbuckets; i++)
		for (k = t->t_buckets[i]; k; k = next) {
			next = k->k_next;
			k->k_next = b[key_hash(&k->k_ent) & (n - 1)];
			b[key_hash(&k->k_ent) & (n - 1)] = k;
		}
	free(t->t_buckets);
	t->t_buckets = b;
	t->t_nbuckets = n;
	return 0;
}

static int
key_add(struct dtab *t, const struct kfilt_ent *e, struct dev_member *m)
{
	struct dev_key **p, *k;

	if (t->t_nkeys >= t->t_nbuckets && dtab_grow(t) != 0)
		return -1;
	p = key_slot(t, e);
	if ((k = *p) == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return -1;
		k->k_ent = *e;
		*p = k;
		if (e->ke_mac.me_plen == 48)
			t->t_nkeys++;
	}
	if (k->k_n == k->k_cap) {
		size_t cap = k->k_cap ? k->k_cap * 2 : 2;
		struct dev_member **hs = realloc(k->k_hs, cap * sizeof(*hs));
		if (hs == NULL)
			return -1;	/* an empty new key stays: harmless, freed with d */
		k->k_hs = hs;
		k->k_cap = cap;
	}
	k->k_hs[k->k_n++] = m;
	return 0;
}

static void
key_del(struct dtab *t, const struct kfilt_ent *e, struct dev_member *m)
{
	struct dev_key **p = key_slot(t, e), *k = *p;
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->k_n && k->k_hs[i] != m; i++)
		;
	if (i == k->k_n)
		return;
	k->k_hs[i] = k->k_hs[--k->k_n];
	if (k->k_n > 0)
		return;
	*p = k->k_next;
	if (e->ke_mac.me_plen == 48)
		t->t_nkeys--;
	free(k->k_hs);
	free(k);
}

/* the keys of h: every entry at the destination when it captures by
 * destination, the unicast ones at the source otherwise (filt_build) */
static size_t
keys_of(const struct handler *h, struct kfilt_ent *out)
{
	const struct handler_conf *hc = handler_conf_of(h);
	size_t i, n = 0;

	for (i = 0; i < hc->hc_addrs.ml_n; i++) {
		const struct mac_entry *e = &hc->hc_addrs.ml_e[i];
		if (hc->hc_role == PROTO_REMOTE && mac_is_group(e))
			continue;
		out[n].ke_mac = *e;
		out[n].ke_off = hc->hc_role == PROTO_REMOTE ? MAC_LEN : 0;
		n++;
	}
	return n;
}

void
dtab_del(struct dtab *t, struct dev_member *m)
{
	struct kfilt_ent e[MAC_LIST_MAX];
	size_t n = keys_of(m->dm_h, e);

	for (size_t i = 0; i < n; i++)
		key_del(t, &e[i], m);
}

int
dtab_add(struct dtab *t, struct dev_member *m)
{
	struct kfilt_ent e[MAC_LIST_MAX];
	size_t n = keys_of(m->dm_h, e);

	for (size_t i = 0; i < n; i++)
		if (key_add(t, &e[i], m) != 0) {
			dtab_del(t, m);
			return -1;
		}
	return 0;
}

const struct dev_key *
dtab_find(const struct dtab *t, const uint8_t *addr, unsigned off)
{
	struct kfilt_ent e;

	memset(&e, 0, sizeof(e));
	e.ke_mac.me_plen = 48;
	e.ke_off = (uint8_t)off;
	memcpy(e.ke_mac.me_addr, addr, MAC_LEN);
	return *key_slot((struct dtab *)t, &e);
}

const struct dev_key *
dtab_prefixes(const struct dtab *t)
{
	return t->t_prefixes;
}

struct kfilt_ent *
dtab_entries(const struct dtab *t, size_t *np)
{
	size_t n = 0, cap = t->t_nkeys + 1, i;
	struct kfilt_ent *e = calloc(cap, sizeof(*e)), *grown;
	struct dev_key *k;

	if (e == NULL)
		return NULL;
	for (i = 0; i < t->t_nbuckets; i++)
		for (k = t->t_buckets[i]; k; k = k->k_next)
			e[n++] = k->k_ent;
	for (k = t->t_prefixes; k; k = k->k_next) {
		if (n == cap) {
			if ((grown = realloc(e, (cap *= 2) * sizeof(*e))) == NULL) {
				free(e);
				return NULL;
			}
			e = grown;
		}
		e[n++] = k->k_ent;
	}
	*np = n;
	return e;
}

static void
keys_free(struct dev_key *k)
{
	struct dev_key *next;

	for (; k; k = next) {
		next = k->k_next;
		free(k->k_hs);
		free(k);
	}
}

void
dtab_free(struct dtab *t)
{
	for (size_t i = 0; i < t->t_nbuckets; i++)
		keys_free(t->t_buckets[i]);
	keys_free(t->t_prefixes);
	free(t->t_buckets);
	memset(t, 0, sizeof(*t));
}
