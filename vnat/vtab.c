/* vtab: translations by virtual tuple. */
#include "vnat/vtab.h"

#include <stdlib.h>
#include <string.h>

void
vtab_init(struct vtab *t)
{
	memset(t, 0, sizeof(*t));
	TAILQ_INIT(&t->vt_all);
}

void
vtab_clear(struct vtab *t)
{
	struct vtab_ent *e;

	while ((e = TAILQ_FIRST(&t->vt_all)) != NULL) {
		TAILQ_REMOVE(&t->vt_all, e, ve_all);
		explicit_bzero(e, sizeof(*e));	/* keys */
		free(e);
	}
	free(t->vt_b);
	vtab_init(t);
}

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

uint32_t
vtab_hash(const struct vnat_tuple *k)
{
	size_t al = tuple_alen(k->t_family);
	uint32_t h = 2166136261u;

	h = fnv(h, &k->t_family, 1);
	h = fnv(h, &k->t_proto, 1);
	h = fnv(h, k->t_lvir, al);
	h = fnv(h, &k->t_lvir_port, 2);
	h = fnv(h, k->t_rvir, al);
	return fnv(h, &k->t_rvir_port, 2);
}

bool
vtab_same(const struct vnat_tuple *a, const struct vnat_tuple *b)
{
	size_t al = tuple_alen(a->t_family);

	return a->t_family == b->t_family && a->t_proto == b->t_proto &&
	    a->t_lvir_port == b->t_lvir_port && a->t_rvir_port == b->t_rvir_port &&
	    memcmp(a->t_lvir, b->t_lvir, al) == 0 && memcmp(a->t_rvir, b->t_rvir, al) == 0;
}

struct vtab_ent *
vtab_find(const struct vtab *t, const struct vnat_tuple *key)
{
	struct vtab_ent *e;

	if (t->vt_nb == 0)
		return NULL;
	for (e = t->vt_b[vtab_hash(key) & (t->vt_nb - 1)]; e; e = e->ve_next)
		if (vtab_same(&e->ve_tr, key))
			return e;
	return NULL;
}

static int
grow(struct vtab *t)
{
	size_t nb = t->vt_nb ? t->vt_nb * 2 : 64;
	struct vtab_ent **b = calloc(nb, sizeof(*b)), *e;

	if (b == NULL)
		return -1;
	TAILQ_FOREACH(e, &t->vt_all, ve_all) {
		size_t i = vtab_hash(&e->ve_tr) & (nb - 1);
		e->ve_next = b[i];
		b[i] = e;
	}
	free(t->vt_b);
	t->vt_b = b;
	t->vt_nb = nb;
	return 0;
}

struct vtab_ent *
vtab_put(struct vtab *t, const struct vnat_tuple *key, bool *created)
{
	struct vtab_ent *e = vtab_find(t, key);
	size_t i;

	*created = false;
	if (e)
		return e;
	/* at most one entry per bucket on average */
	if (t->vt_n >= t->vt_nb && grow(t) != 0)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->ve_tr = *key;
	i = vtab_hash(key) & (t->vt_nb - 1);
	e->ve_next = t->vt_b[i];
	t->vt_b[i] = e;
	TAILQ_INSERT_TAIL(&t->vt_all, e, ve_all);
	t->vt_n++;
	*created = true;
	return e;
}

void
vtab_del(struct vtab *t, struct vtab_ent *e)
{
	struct vtab_ent **pp = &t->vt_b[vtab_hash(&e->ve_tr) & (t->vt_nb - 1)];

	while (*pp != e)
		pp = &(*pp)->ve_next;
	*pp = e->ve_next;
	TAILQ_REMOVE(&t->vt_all, e, ve_all);
	t->vt_n--;
	explicit_bzero(e, sizeof(*e));
	free(e);
}
