/* vnat: translations kept by the server, applied in atomic batches. */
#include "vnat/vnat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/listener.h>
#include <nftables/libnftables.h>

#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/endpoint.h"
#include "vnat/helper.h"
#include "vnat/kept.h"
#include "vnat/resume.h"
#include "vnat/suspend.h"
#include "vnat/sweep.h"

void
vnat_stats_snapshot(const struct vnat *v, struct vnat_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	out->vn_translations = v->v_trs.vt_n;
	out->vn_kept = v->v_nkept;
	out->vn_suspended = v->v_suspended;
	out->vn_peer_suspended = v->v_peer_susp.vt_n;
	out->vn_keys = v->v_keys.vt_n;
	out->vn_peer_suspensions = v->v_st.vs_suspended;
	out->vn_msgs = v->v_st.vs_msgs;
	out->vn_updated = v->v_st.vs_updated;
	out->vn_unknown = v->v_st.vs_unknown;
	out->vn_bad = v->v_st.vs_bad;
	out->vn_auth_refused = v->v_st.vs_auth_refused;
	out->vn_keyless = v->v_st.vs_keyless;
	out->vn_conflicts = v->v_st.vs_conflicts;
	out->vn_nft_errors = v->v_st.vs_nft_errors;
}

const struct vnat_tuple *
vnat_find(const struct vnat *v, const struct vnat_tuple *key)
{
	struct vtab_ent *e = vtab_find(&v->v_trs, key);

	return e ? &e->ve_tr : NULL;
}

static int
run(struct vnat *v, const char *batch, char *err, size_t errlen)
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
		struct vtab_ent *e = vtab_find(&v->v_trs, &t[i]);
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
	memcpy(cnt, v->v_mapn, sizeof(v->v_mapn));
	count(cnt, d->d_old, d->d_nold, -1);
	count(cnt, d->d_add, d->d_nadd, 1);
	return in_use(cnt);
}

/* the text of one batch for d; -1 if it does not fit */
static int
batch_text(const struct vnat *v, const struct delta *d, unsigned mask, char *batch, size_t cap)
{
	int len, k;

	if (v->v_trs.vt_n > 0 && v->v_trs.vt_n == d->d_ngone && d->d_nnew == 0)
		return nftx_text_del(d->d_old, d->d_nold, 1, batch, cap);	/* the last: the table */
	/* one batch: the old elements of these connections out, the new in */
	if ((len = nftx_text_del(d->d_old, d->d_nold, 0, batch, cap)) < 0)
		return -1;
	if (v->v_trs.vt_n == 0 && d->d_nnew > 0)
		return (k = nftx_text_add(d->d_add, d->d_nadd, 1, batch + len, cap - (size_t)len)) < 0 ?
		    -1 : len + k;
	if ((k = nftx_text_add(d->d_add, d->d_nadd, 0, batch + len, cap - (size_t)len)) < 0)
		return -1;
	len += k;
	/* a map gained its first element or lost its last: rules for those in use */
	if (mask == in_use(v->v_mapn))
		return len;
	k = nftx_text_rules(in_use(v->v_mapn), mask, batch + len, cap - (size_t)len);
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
	if (batch[0] && run(v, batch, err, errlen) != 0)
		goto out;
	memcpy(v->v_mapn, cnt, sizeof(cnt));
	for (i = 0; i < n; i++) {
		bool created;
		struct vtab_ent *e;
		if (identity(&t[i])) {
			if ((e = vtab_find(&v->v_trs, &t[i])) != NULL)
				vtab_del(&v->v_trs, e);
			continue;
		}
		if ((e = vtab_put(&v->v_trs, &t[i], &created)) == NULL)
			continue;	/* out of memory: the rule is in, we lose track of it */
		uint32_t id = e->ve_tr.t_id;
		e->ve_tr = t[i];
		if (e->ve_tr.t_id == 0)
			e->ve_tr.t_id = id ? id : ++v->v_next_id;
	}
	rc = 0;
out:
	free(d.d_old);
	free(d.d_add);
	free(batch);
	return rc;
}

int
vnat_proc_add(struct vnat *v, const char *name, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < v->v_nprocs; i++)
		if (strcmp(v->v_procs[i], name) == 0) {
			snprintf(err, errlen, "'%s' is on the list already", name);
			return -1;
		}
	if (v->v_nprocs == VNAT_PROCS_MAX || strlen(name) >= sizeof(v->v_procs[0])) {
		snprintf(err, errlen, "the list holds at most %d names of at most 15 characters",
		    VNAT_PROCS_MAX);
		return -1;
	}
	memcpy(v->v_procs[v->v_nprocs++], name, strlen(name) + 1);
	log_info("vnat: virtualizing the connections of %s", strcmp(name, "*") ? name :
	    "every process");
	return 0;
}

int
vnat_proc_del(struct vnat *v, const char *name, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < v->v_nprocs; i++)
		if (strcmp(v->v_procs[i], name) == 0) {
			memmove(v->v_procs[i], v->v_procs[i + 1], (v->v_nprocs - i - 1) *
			    sizeof(v->v_procs[0]));
			v->v_nprocs--;
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

struct vnat *
vnat_start(struct event_base *base, uint16_t port, const struct vcmp_limits *lim, char *err,
    size_t errlen)
{
	struct vnat *v = calloc(1, sizeof(*v));
	char batch[4096];

	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	v->v_base = base;
	v->v_vcmp_port = port;
	if (lim)
		v->v_lim = *lim;
	else
		vlimit_defaults(&v->v_lim);
	v->v_arp_announce = -1;
	vtab_init(&v->v_trs);
	vtab_init(&v->v_susp);
	vtab_init(&v->v_peer_susp);
	vtab_init(&v->v_keys);
	vtab_init(&v->v_helped);
	vtab_init(&v->v_conflicted);
	TAILQ_INIT(&v->v_sess);
	if ((v->v_nft = nftx_open()) == NULL) {
		snprintf(err, errlen, "cannot open libnftables");
		goto fail;
	}
	/* a table left by a crash is replaced by an empty one */
	if (nftx_text_reset(batch, sizeof(batch)) < 0 || run(v, batch, err, errlen) != 0)
		goto fail;
	if ((v->v_lst = vcmp_listen(v, port, err, errlen)) == NULL)
		goto fail;
	if (sweep_start(v) != 0 || helper_start(v) != 0) {
		snprintf(err, errlen, "cannot arm the sweep timer");
		goto fail;
	}
	log_info("vnat: listening for VCMP on port %u; nftables table inet %s made when a "
	    "connection moves", port, NFTX_TABLE);
	return v;
fail:
	vnat_stop(v);
	return NULL;
}

void
vnat_stop(struct vnat *v)
{
	char batch[256], err[256];

	if (v == NULL)
		return;
	resume_abort(v);
	suspend_abort(v);
	if (v->v_lst)
		evconnlistener_free(v->v_lst);
	vcmp_close_all(v);
	sweep_stop(v);
	helper_stop(v);
	kept_drop_all(v);
	vtab_clear(&v->v_trs);
	vtab_clear(&v->v_susp);
	vtab_clear(&v->v_peer_susp);
	vtab_clear(&v->v_keys);
	vtab_clear(&v->v_conflicted);
	if (v->v_nft) {
		if (nftx_text_destroy(batch, sizeof(batch)) > 0 &&
		    nftx_apply(v->v_nft, batch, err, sizeof(err)) != 0)
			log_warnx("vnat: removing the nftables table: %s", err);
		nft_ctx_free(v->v_nft);
	}
	free(v);
}
