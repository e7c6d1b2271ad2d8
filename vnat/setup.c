/* setup: start and stop of every part of struct vnat, and the settings
 * server/ hands over (vnat/vnat.h); the top of vnat/, which nothing in
 * vnat/ calls back. */
#include "vnat/vnat.h"

#include <stdio.h>
#include <stdlib.h>

#include <nftables/libnftables.h>

#include "common/log.h"
#include "vnat/core.h"

int
vnat_helper_set(struct vnat *v, const char *name, const char *mode, char *err, size_t errlen)
{
	return helper_set(v, name, mode, err, errlen);
}

int
vnat_conflict_set(struct vnat *v, const char *name, const char *policy, char *err,
    size_t errlen)
{
	return conflict_set(v, name, policy, err, errlen);
}

int
vnat_helper_check(const char *mode, char *err, size_t errlen)
{
	enum helper_kind kind;
	char path[sizeof(((struct helper_conf *)0)->hc_path)];

	return helper_parse(mode, &kind, path, sizeof(path), err, errlen);
}

int
vnat_conflict_check(const char *policy, char *err, size_t errlen)
{
	enum conflict_policy p;

	return conflict_parse(policy, &p, err, errlen);
}

struct vnat *
vnat_start(struct event_base *base, const struct vnat_opts *o, char *err, size_t errlen)
{
	struct vnat *v = calloc(1, sizeof(*v));
	struct vnat_opts dflt = { 0 };
	char batch[4096];

	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o == NULL) {
		vlimit_defaults(&dflt.vo_lim);
		o = &dflt;
	}
	v->v_base = base;
	/* every part empty first: vnat_stop may run from here on */
	vtab_init(&v->v_trs.tr_tab);
	suspend_init(v);
	keys_init(v);
	conflict_init(v);
	kept_init(v);
	helper_start(v);
	if ((v->v_nft = nftx_open()) == NULL) {
		snprintf(err, errlen, "cannot open libnftables");
		goto fail;
	}
	/* a table left by a crash is replaced by an empty one */
	if (nftx_text_reset(batch, sizeof(batch)) < 0 || vnat_nft_run(v, batch, err, errlen) != 0)
		goto fail;
	if (endpoint_start(v, o, err, errlen) != 0)
		goto fail;
	if (sweep_start(v) != 0) {
		snprintf(err, errlen, "cannot arm the sweep timer");
		goto fail;
	}
	log_info("vnat: listening for VCMP on port %u; nftables table inet %s made when a "
	    "connection moves", o->vo_port, NFTX_TABLE);
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
	op_abort(v);
	endpoint_close(v);
	sweep_stop(v);
	helper_stop(v);
	kept_drop_all(v);
	vtab_clear(&v->v_trs.tr_tab);
	suspend_free(v);
	keys_free(v);
	conflict_free(v);
	if (v->v_nft) {
		if (nftx_text_destroy(batch, sizeof(batch)) > 0 &&
		    nftx_apply(v->v_nft, batch, err, sizeof(err)) != 0)
			log_warnx("vnat: removing the nftables table: %s", err);
		nft_ctx_free(v->v_nft);
	}
	free(v);
}
