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
#include "vnat/resume.h"

static int
same_virtual(const struct nftx_tr *a, const struct nftx_tr *b)
{
	size_t al = a->t_family == 6 ? 16 : 4;

	return a->t_family == b->t_family && a->t_proto == b->t_proto &&
	    a->t_lvir_port == b->t_lvir_port && a->t_rvir_port == b->t_rvir_port &&
	    memcmp(a->t_lvir, b->t_lvir, al) == 0 && memcmp(a->t_rvir, b->t_rvir, al) == 0;
}

static struct vnat_tr *
find(const struct vnat *v, const struct nftx_tr *key)
{
	struct vnat_tr *t;

	TAILQ_FOREACH(t, &v->v_trs, vt_entry)
		if (same_virtual(&t->vt_tr, key))
			return t;
	return NULL;
}

const struct nftx_tr *
vnat_find(const struct vnat *v, const struct nftx_tr *key)
{
	struct vnat_tr *t = find(v, key);

	return t ? &t->vt_tr : NULL;
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

/* the current translations of those of t[0..n) that have one; returns
 * their count (*nnew gets the count of the others) */
static size_t
collect_old(const struct vnat *v, const struct nftx_tr *t, size_t n, struct nftx_tr *old,
    size_t *nnew)
{
	size_t i, nold = 0;

	*nnew = 0;
	for (i = 0; i < n; i++) {
		struct vnat_tr *e = find(v, &t[i]);
		if (e)
			old[nold++] = e->vt_tr;
		else
			(*nnew)++;
	}
	return nold;
}

int
vnat_apply(struct vnat *v, const struct nftx_tr *t, size_t n, char *err, size_t errlen)
{
	struct nftx_tr *old = calloc(n ? n : 1, sizeof(*old));
	size_t cap = 4096 + n * 2400, i, nold = 0, nnew = 0;
	char *batch = malloc(cap);
	int len, rc = -1;

	if (old == NULL || batch == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* one batch: the old elements of these connections out, the new in */
	nold = collect_old(v, t, n, old, &nnew);
	len = nftx_text_del(old, nold, 0, batch, cap);
	if (len < 0 || nftx_text_add(t, n, v->v_ntr == 0 && nnew > 0, batch + len,
	    cap - (size_t)len) < 0) {
		snprintf(err, errlen, "nftables batch too long");
		goto out;
	}
	if (run(v, batch, err, errlen) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct vnat_tr *e = find(v, &t[i]);
		if (e == NULL) {
			if ((e = calloc(1, sizeof(*e))) == NULL)
				continue;	/* the rule is in; we only lose track of it */
			TAILQ_INSERT_TAIL(&v->v_trs, e, vt_entry);
			v->v_ntr++;
		}
		e->vt_tr = t[i];
		if (e->vt_tr.t_id == 0)
			e->vt_tr.t_id = ++v->v_next_id;
	}
	rc = 0;
out:
	free(old);
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
vnat_remove(struct vnat *v, const struct nftx_tr *t, size_t n, char *err, size_t errlen)
{
	struct nftx_tr *old = calloc(n ? n : 1, sizeof(*old));
	size_t cap = 4096 + n * 2400, i, nold = 0, nnew;
	char *batch = malloc(cap);
	int rc = -1;

	if (old == NULL || batch == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	nold = collect_old(v, t, n, old, &nnew);
	rc = 0;
	if (nold == 0)
		goto out;
	if (nftx_text_del(old, nold, v->v_ntr == nold, batch, cap) < 0) {
		snprintf(err, errlen, "nftables batch too long");
		rc = -1;
		goto out;
	}
	if ((rc = run(v, batch, err, errlen)) != 0)
		goto out;
	for (i = 0; i < nold; i++) {
		struct vnat_tr *e = find(v, &old[i]);
		TAILQ_REMOVE(&v->v_trs, e, vt_entry);
		free(e);
		v->v_ntr--;
	}
out:
	free(old);
	free(batch);
	return rc;
}

struct vnat *
vnat_start(struct event_base *base, uint16_t port, char *err, size_t errlen)
{
	struct vnat *v = calloc(1, sizeof(*v));
	char batch[4096];

	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	v->v_base = base;
	v->v_vcmp_port = port;
	TAILQ_INIT(&v->v_trs);
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
	log_info("vnat: listening for VCMP on port %u; nftables table inet %s ready", port,
	    NFTX_TABLE);
	return v;
fail:
	vnat_stop(v);
	return NULL;
}

void
vnat_stop(struct vnat *v)
{
	struct vnat_tr *t;
	char batch[256], err[256];

	if (v == NULL)
		return;
	resume_abort(v);
	if (v->v_lst)
		evconnlistener_free(v->v_lst);
	vcmp_close_all(v);
	for (size_t i = 0; i < v->v_nkept; i++)
		if (addr_lo(v->v_kept[i].k_family, v->v_kept[i].k_addr, false) != 0)
			log_warn("vnat: removing a kept address from lo");
	while ((t = TAILQ_FIRST(&v->v_trs)) != NULL) {
		TAILQ_REMOVE(&v->v_trs, t, vt_entry);
		free(t);
	}
	if (v->v_nft) {
		if (nftx_text_destroy(batch, sizeof(batch)) > 0 &&
		    nftx_apply(v->v_nft, batch, err, sizeof(err)) != 0)
			log_warnx("vnat: removing the nftables table: %s", err);
		nft_ctx_free(v->v_nft);
	}
	free(v);
}
