/* vnat: translations kept by the server, applied in atomic batches, and
 * the process list: the bottom of vnat/, calling no other part (start and
 * stop are vnat/setup's). */
#include "vnat/vnat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/core.h"

const struct vnat_tuple *
vnat_find(const struct vnat *v, const struct vnat_tuple *key)
{
	struct vtab_ent *e = vtab_find(&v->v_trs.tr_tab, key);

	return e ? &e->ve_tr : NULL;
}

size_t
vnat_count(const struct vnat *v)
{
	return v->v_trs.tr_tab.vt_n;
}

struct vtab *
vnat_table(struct vnat *v)
{
	return &v->v_trs.tr_tab;
}

uint32_t
vnat_next_id(const struct vnat *v)
{
	return v->v_trs.tr_next_id;
}

bool
vnat_uses_addr(const struct vnat *v, uint8_t family, const uint8_t *addr)
{
	struct vtab_ent *e;
	size_t al = tuple_alen(family);

	TAILQ_FOREACH(e, &v->v_trs.tr_tab.vt_all, ve_all)
		if (e->ve_tr.t_family == family && memcmp(e->ve_tr.t_lvir, addr, al) == 0 &&
		    memcmp(e->ve_tr.t_lvir, e->ve_tr.t_lphy, al) != 0)
			return true;
	return false;
}

int
vnat_nft_run(struct vnat *v, const char *batch, char *err, size_t errlen)
{
	if (nftx_apply(v->v_nft, batch, err, errlen) != 0) {
		v->v_st.vs_nft_errors++;
		return -1;
	}
	return 0;
}

static uint8_t
dirs_of(const struct vnat_tuple *t)
{
	return t->t_dirs ? t->t_dirs : TUPLE_OUT | TUPLE_IN;
}

static bool
same_physical(const struct vnat_tuple *a, const struct vnat_tuple *b)
{
	size_t al = tuple_alen(a->t_family);

	return a->t_lphy_port == b->t_lphy_port && a->t_rphy_port == b->t_rphy_port &&
	    memcmp(a->t_lphy, b->t_lphy, al) == 0 && memcmp(a->t_rphy, b->t_rphy, al) == 0;
}

static bool
identity(const struct vnat_tuple *t)
{
	size_t al = tuple_alen(t->t_family);

	return t->t_lvir_port == t->t_lphy_port && t->t_rvir_port == t->t_rphy_port &&
	    memcmp(t->t_lvir, t->t_lphy, al) == 0 && memcmp(t->t_rvir, t->t_rphy, al) == 0;
}

struct delta {
	struct vnat_tuple	*d_old, *d_add;
	size_t		 d_nold, d_nadd, d_nnew, d_ngone;
};

/* what one batch must change: the old elements to delete and the new ones
 * to add.  A translation that only gains a direction (RESUME's input side
 * first, then its output side) keeps its elements and adds the others; one
 * that became the identity (a host back on its first network) goes. */
static void
diff(const struct vnat *v, const struct vnat_tuple *t, size_t n, struct delta *d)
{
	d->d_nold = d->d_nadd = d->d_nnew = d->d_ngone = 0;
	for (size_t i = 0; i < n; i++) {
		struct vtab_ent *e = vtab_find(&v->v_trs.tr_tab, &t[i]);
		if (identity(&t[i])) {
			if (e) {
				d->d_old[d->d_nold++] = e->ve_tr;
				d->d_ngone++;
			}
			continue;
		}
		if (e == NULL)
			d->d_nnew++;
		else if (same_physical(&e->ve_tr, &t[i]) &&
		    (dirs_of(&e->ve_tr) & ~dirs_of(&t[i])) == 0) {
			uint8_t miss = dirs_of(&t[i]) & ~dirs_of(&e->ve_tr);
			if (miss == 0)
				continue;
			d->d_add[d->d_nadd] = t[i];
			d->d_add[d->d_nadd++].t_dirs = miss;
			continue;
		} else
			d->d_old[d->d_nold++] = e->ve_tr;
		d->d_add[d->d_nadd++] = t[i];
	}
}

/* the maps in use: those with an element */
static unsigned
in_use(const unsigned cnt[NFTX_NMAPS])
{
	unsigned mask = 0;

	for (int k = 0; k < NFTX_NMAPS; k++)
		if (cnt[k])
			mask |= 1u << k;
	return mask;
}

static void
count(unsigned cnt[NFTX_NMAPS], const struct vnat_tuple *t, size_t n, int sign)
{
	for (size_t i = 0; i < n; i++) {
		unsigned m = nftx_maps_of(&t[i]);
		for (int k = 0; k < NFTX_NMAPS; k++)
			if (m & (1u << k))
				cnt[k] += (unsigned)sign;
	}
}

/* the per-map counts after the change, and the maps in use then */
static unsigned
count_maps(const struct vnat *v, const struct delta *d, unsigned cnt[NFTX_NMAPS])
{
	memcpy(cnt, v->v_trs.tr_mapn, sizeof(v->v_trs.tr_mapn));
	count(cnt, d->d_old, d->d_nold, -1);
	count(cnt, d->d_add, d->d_nadd, 1);
	return in_use(cnt);
}

int
vnat_adopt(struct vnat *v, const struct vnat_tuple *t, size_t n, uint32_t next_id,
    const char *pre, char *err, size_t errlen)
{
	size_t plen = strlen(pre), cap = plen + 8192 + n * 2400;
	char *batch = malloc(cap);
	int rc = -1, k = 0;
	bool created;

	if (batch == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(batch, pre, plen + 1);
	if (n && (k = nftx_text_add(t, n, 1, batch + plen, cap - plen)) < 0) {
		snprintf(err, errlen, "nftables batch too long");
		goto out;
	}
	if (batch[0] && vnat_nft_run(v, batch, err, errlen) != 0)
		goto out;
	memset(v->v_trs.tr_mapn, 0, sizeof(v->v_trs.tr_mapn));
	count(v->v_trs.tr_mapn, t, n, 1);
	v->v_trs.tr_next_id = next_id;
	for (size_t i = 0; i < n; i++) {
		struct vtab_ent *e = vtab_put(&v->v_trs.tr_tab, &t[i], &created);
		if (e)
			e->ve_tr = t[i];
	}
	rc = 0;
out:
	free(batch);
	return rc;
}

/* the text of one batch for d; -1 if it does not fit */
static int
batch_text(const struct vnat *v, const struct delta *d, unsigned mask, char *batch, size_t cap)
{
	const struct vnat_trs *tr = &v->v_trs;
	int len, k;

	if (tr->tr_tab.vt_n > 0 && tr->tr_tab.vt_n == d->d_ngone && d->d_nnew == 0)
		return nftx_text_del(d->d_old, d->d_nold, 1, batch, cap);	/* the last: the table */
	/* one batch: the old elements of these connections out, the new in */
	if ((len = nftx_text_del(d->d_old, d->d_nold, 0, batch, cap)) < 0)
		return -1;
	if (tr->tr_tab.vt_n == 0 && d->d_nnew > 0)
		return (k = nftx_text_add(d->d_add, d->d_nadd, 1, batch + len, cap - (size_t)len)) < 0 ?
		    -1 : len + k;
	if ((k = nftx_text_add(d->d_add, d->d_nadd, 0, batch + len, cap - (size_t)len)) < 0)
		return -1;
	len += k;
	/* a map gained its first element or lost its last: rules for those in use */
	if (mask == in_use(tr->tr_mapn))
		return len;
	k = nftx_text_rules(in_use(tr->tr_mapn), mask, batch + len, cap - (size_t)len);
	return k < 0 ? -1 : len + k;
}

int
vnat_apply(struct vnat *v, const struct vnat_tuple *t, size_t n, char *err, size_t errlen)
{
	struct delta d = { calloc(n ? n : 1, sizeof(*d.d_old)), calloc(n ? n : 1,
	    sizeof(*d.d_add)), 0, 0, 0, 0 };
	size_t cap = 8192 + n * 2400, i;
	char *batch = malloc(cap);
	unsigned cnt[NFTX_NMAPS], mask;
	int rc = -1;

	if (d.d_old == NULL || d.d_add == NULL || batch == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	diff(v, t, n, &d);
	mask = count_maps(v, &d, cnt);
	if (batch_text(v, &d, mask, batch, cap) < 0) {
		snprintf(err, errlen, "nftables batch too long");
		goto out;
	}
	if (batch[0] && vnat_nft_run(v, batch, err, errlen) != 0)
		goto out;
	memcpy(v->v_trs.tr_mapn, cnt, sizeof(cnt));
	state_changed(v);
	for (i = 0; i < n; i++) {
		bool created;
		struct vtab_ent *e;
		if (identity(&t[i])) {
			if ((e = vtab_find(&v->v_trs.tr_tab, &t[i])) != NULL)
				vtab_del(&v->v_trs.tr_tab, e);
			continue;
		}
		if ((e = vtab_put(&v->v_trs.tr_tab, &t[i], &created)) == NULL)
			continue;	/* out of memory: the rule is in, we lose track of it */
		uint32_t id = e->ve_tr.t_id;
		e->ve_tr = t[i];
		if (e->ve_tr.t_id == 0)
			e->ve_tr.t_id = id ? id : ++v->v_trs.tr_next_id;
	}
	rc = 0;
out:
	free(d.d_old);
	free(d.d_add);
	free(batch);
	return rc;
}

size_t
vnat_nprocs(const struct vnat *v)
{
	return v->v_procs.pr_n;
}

const char *
vnat_proc_name(const struct vnat *v, size_t i)
{
	return v->v_procs.pr_names[i];
}

int
vnat_collect(struct vnat *v, struct vconn **out, struct vtab *all)
{
	return conns_collect(v->v_procs.pr_names, v->v_procs.pr_n, out, all);
}

int
vnat_proc_add(struct vnat *v, const char *name, char *err, size_t errlen)
{
	struct vnat_procs *pr = &v->v_procs;
	size_t i;

	for (i = 0; i < pr->pr_n; i++)
		if (strcmp(pr->pr_names[i], name) == 0) {
			snprintf(err, errlen, "'%s' is on the list already", name);
			return -1;
		}
	if (pr->pr_n == VNAT_PROCS_MAX || strlen(name) >= sizeof(pr->pr_names[0])) {
		snprintf(err, errlen, "the list holds at most %d names of at most 15 characters",
		    VNAT_PROCS_MAX);
		return -1;
	}
	memcpy(pr->pr_names[pr->pr_n++], name, strlen(name) + 1);
	log_info("vnat: virtualizing the connections of %s", strcmp(name, "*") ? name :
	    "every process");
	return 0;
}

int
vnat_proc_del(struct vnat *v, const char *name, char *err, size_t errlen)
{
	struct vnat_procs *pr = &v->v_procs;
	size_t i;

	for (i = 0; i < pr->pr_n; i++)
		if (strcmp(pr->pr_names[i], name) == 0) {
			memmove(pr->pr_names[i], pr->pr_names[i + 1], (pr->pr_n - i - 1) *
			    sizeof(pr->pr_names[0]));
			pr->pr_n--;
			log_info("vnat: no longer virtualizing %s", name);
			return 0;
		}
	snprintf(err, errlen, "'%s' is not on the list", name);
	return -1;
}

int
vnat_remove(struct vnat *v, const struct vnat_tuple *t, size_t n, char *err, size_t errlen)
{
	struct vnat_tuple *id = calloc(n ? n : 1, sizeof(*id));
	int rc;

	if (id == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* its physical ends back to its virtual ones: vnat_apply removes it */
	for (size_t i = 0; i < n; i++) {
		size_t al = tuple_alen(t[i].t_family);
		id[i] = t[i];
		memcpy(id[i].t_lphy, t[i].t_lvir, al);
		memcpy(id[i].t_rphy, t[i].t_rvir, al);
		id[i].t_lphy_port = t[i].t_lvir_port;
		id[i].t_rphy_port = t[i].t_rvir_port;
	}
	rc = vnat_apply(v, id, n, err, errlen);
	free(id);
	return rc;
}
