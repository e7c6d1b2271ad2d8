/* setup: start and stop of every part of struct vnat, and the settings
 * server/ hands over (vnat/vnat.h); the top of vnat/, which nothing in
 * vnat/ calls back. */
#include "vnat/vnat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/core.h"
#include "vnat/flowset.h"

static int adopt(struct vnat *v, const char *path);

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
	char batch[4096], path[PATH_MAX];
	int adopted = 0;

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
	/* the lock before anything of the kernel's is touched: another vnet's
	 * tables are not ours to replace, nor to remove in vnat_stop */
	if (o->vo_state_dir && o->vo_state_dir[0]) {
		if (state_path(o->vo_state_dir, path, sizeof(path)) != 0) {
			snprintf(err, errlen, "--state-dir path too long");
			goto fail;
		}
		if (state_init(v, path) != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if ((v->v_state.st_lock = state_lock(path, true)) < 0 && errno == EWOULDBLOCK) {
			snprintf(err, errlen, "another vnet --vnat uses the state folder %s (it holds "
			    "%s.lock): give each its own --state-dir", o->vo_state_dir, path);
			state_free(v);	/* its file is not ours to write or remove */
			goto fail;
		}
		if (v->v_state.st_lock < 0)
			log_warn("vnat: cannot lock %s.lock (a second vnet on this --state-dir would "
			    "go unnoticed)", path);
	}
	if ((v->v_nft = nftx_open()) == NULL) {
		snprintf(err, errlen, "cannot open libnftables");
		goto fail;
	}
	if (state_on(v))
		adopted = adopt(v, path);
	/* a table left by a crash with no state file is replaced by none */
	if (adopted <= 0 && (nftx_text_reset(batch, sizeof(batch)) < 0 ||
	    vnat_nft_run(v, batch, err, errlen) != 0))
		goto fail;
	if (endpoint_start(v, o, err, errlen) != 0)
		goto fail;
	if (sweep_start(v) != 0 || flowset_start(v) != 0) {
		snprintf(err, errlen, "cannot arm the sweep timer");
		goto fail;
	}
	/* what closed while no vnet ran goes now, not in a second */
	if (adopted > 0)
		sweep_now(v);
	log_info("vnat: listening for VCMP on port %u; nftables table inet %s made when a "
	    "connection moves", o->vo_port, NFTX_TABLE);
	return v;
fail:
	vnat_stop(v);
	return NULL;
}

/* With a state file and something a moved connection needs, it stays in
 * the kernel (and the keys in the file) for the next start: true when that
 * was recorded. */
static bool
leave(struct vnat *v)
{
	if (!state_on(v) || v->v_nft == NULL ||
	    (vnat_count(v) + kept_count(v) + keys_count(v) == 0 && !suspend_is_on(v)))
		return false;
	if (state_save(v) != 0) {
		log_warnx("vnat: %s could not be written: removing the %zu translation(s) and %zu "
		    "kept address(es) at exit, as without a state folder (their connections break)",
		    v->v_state.st_path, vnat_count(v), kept_count(v));
		return false;
	}
	log_info("vnat: left for the next start: %zu translation(s), %zu kept address(es), "
	    "%zu key(s)%s, recorded in %s (vnet --vnat-flush removes them)", vnat_count(v),
	    kept_count(v), keys_count(v), suspend_is_on(v) ? ", the SUSPEND in force" : "",
	    v->v_state.st_path);
	return true;
}

void
vnat_stop(struct vnat *v)
{
	char batch[256], err[256];

	if (v == NULL)
		return;
	if (suspend_is_on(v) && !state_on(v))
		log_warnx("vnat: exiting while a SUSPEND is in force, with no state folder: it is "
		    "not recorded; after the next start, SUSPEND again, then RESUME (a RESUME "
		    "alone re-homes only connections whose address is gone; the peers keep the "
		    "others suspended)");
	op_abort(v);
	endpoint_close(v);
	sweep_stop(v);
	flowset_stop(v);
	helper_stop(v);
	if (!leave(v)) {
		kept_drop_all(v);
		if (v->v_nft && nftx_text_destroy(batch, sizeof(batch)) > 0 &&
		    nftx_apply(v->v_nft, batch, err, sizeof(err)) != 0)
			log_warnx("vnat: removing the nftables table: %s", err);
		/* the file goes with the tables (kept when they could not be seen) */
		if (state_on(v) && v->v_nft && unlink(v->v_state.st_path) != 0 && errno != ENOENT &&
		    errno != ENOTDIR)
			log_warn("vnat: removing %s", v->v_state.st_path);
	}
	state_free(v);
	vtab_clear(&v->v_trs.tr_tab);
	suspend_free(v);
	keys_free(v);
	conflict_free(v);
	if (v->v_nft)
		nft_ctx_free(v->v_nft);
	free(v);
}

/* Takes over what the state file at path records: 1 when something was,
 * 0 when there was no file or nothing in it, -1 when it was refused or
 * could not be adopted (then removed: vnet starts clean). */
static int
adopt(struct vnat *v, const char *path)
{
	struct vstate s;
	size_t cap;
	char *pre = NULL, err[256] = "out of memory";
	int r, len, k;

	if ((r = state_read(path, &s)) != 0)
		return r > 0 ? 0 : -1;
	if (s.vs_ntrs + s.vs_nkept + s.vs_nkeys == 0 && !s.vs_susp) {
		vstate_free(&s);
		return 0;
	}
	cap = 1024 + s.vs_nkept * 256;
	if ((pre = malloc(cap)) == NULL || (len = nftx_text_reset(pre, cap)) < 0)
		goto fail;
	/* the kept addresses' ARP table and the translations, in one batch */
	if ((k = kept_adopt(v, s.vs_kept, s.vs_nkept, s.vs_announce, true, pre + len,
	    cap - (size_t)len)) < 0 ||
	    vnat_adopt(v, s.vs_trs, s.vs_ntrs, s.vs_next_id, pre, err, sizeof(err)) != 0)
		goto fail;
	keys_adopt(v, s.vs_keys, s.vs_nkeys);
	if (s.vs_susp)
		suspend_adopt(v, (time_t)s.vs_susp_at, s.vs_sconns, s.vs_nsconns);
	log_info("vnat: adopted what the last vnet left (%s): %zu translation(s), %zu kept "
	    "address(es), %zu key(s)%s", path, s.vs_ntrs, s.vs_nkept, s.vs_nkeys,
	    s.vs_susp ? ", a SUSPEND in force" : "");
	if (s.vs_susp)
		log_info("vnat: the SUSPEND of %zu connection(s) %.0f s ago is in force again: "
		    "RESUME ends it", s.vs_nsconns, difftime(time(NULL), (time_t)s.vs_susp_at));
	free(pre);
	vstate_free(&s);
	return 1;
fail:
	log_warnx("vnat: cannot adopt what %s records (%s): removing it, its connections "
	    "will not survive", path, err);
	kept_drop_all(v);
	unlink(path);
	free(pre);
	vstate_free(&s);
	return -1;
}

bool
vnat_state_left(const char *state_dir)
{
	char path[PATH_MAX];
	struct stat st;

	return state_path(state_dir, path, sizeof(path)) == 0 && stat(path, &st) == 0;
}

/* whether our table of family fam ("inet", "arp") is there */
static bool
has_table(struct nft_ctx *nft, const char *fam)
{
	char cmd[64], err[256];

	snprintf(cmd, sizeof(cmd), "list table %s " NFTX_TABLE "\n", fam);
	return nftx_apply(nft, cmd, err, sizeof(err)) == 0;
}

int
vnat_flush(const char *state_dir, FILE *out)
{
	struct vnat *v = calloc(1, sizeof(*v));
	char path[PATH_MAX], batch[256], err[256], a[ADDRFMT_ADDRLEN], gone[PATH_MAX + 2048] = "";
	struct vstate s = { 0 };
	int rc = 1, r = 1, lock = -1;
	size_t n = 0;

	if (v == NULL || state_path(state_dir, path, sizeof(path)) != 0) {
		fprintf(out, "vnet: --vnat-flush: out of memory or --state-dir path too long\n");
		goto out;
	}
	kept_init(v);
	if ((v->v_nft = nftx_open()) == NULL) {
		fprintf(out, "vnet: --vnat-flush: cannot open libnftables\n");
		goto out;
	}
	/* held to the end: no vnet --vnat starts meanwhile */
	if ((lock = state_lock(path, false)) < 0 && errno == EWOULDBLOCK) {
		fprintf(out, "vnet: --vnat-flush: a vnet --vnat is running on %s (it holds %s.lock): "
		    "stop it first; nothing removed\n", state_dir, path);
		goto out;
	}
	if ((r = state_read(path, &s)) == 0) {
		/* those still there: the others are not ours to remove any more */
		size_t k = 0;
		for (size_t i = 0; i < s.vs_nkept; i++)
			if (addr_assigned(s.vs_kept[i].sk_family, s.vs_kept[i].sk_addr, true))
				s.vs_kept[k++] = s.vs_kept[i];
		kept_adopt(v, s.vs_kept, k, s.vs_announce, false, NULL, 0);
	}
	for (size_t i = 0; i < kept_count(v); i++) {
		uint8_t fam, addr[16];
		kept_get(v, i, &fam, addr);
		n += (size_t)snprintf(gone + n, sizeof(gone) - n, "%s%s on lo", n ? ", " : "",
		    tuple_addr_text(fam, addr, a, sizeof(a)));
		n = n < sizeof(gone) ? n : sizeof(gone) - 1;
	}
	if (kept_announce_saved(v) >= 0)
		n += (size_t)snprintf(gone + n, sizeof(gone) - n, "%sarp_announce back to %d",
		    n ? ", " : "", kept_announce_saved(v));
	n = n < sizeof(gone) ? n : sizeof(gone) - 1;
	/* the addresses first: only then may ARP see them again */
	kept_drop_all(v);
	for (int f = 0; f < 2; f++)
		if (has_table(v->v_nft, f ? "arp" : "inet")) {
			n += (size_t)snprintf(gone + n, sizeof(gone) - n, "%stable %s " NFTX_TABLE,
			    n ? ", " : "", f ? "arp" : "inet");
			n = n < sizeof(gone) ? n : sizeof(gone) - 1;
		}
	if (nftx_text_destroy(batch, sizeof(batch)) < 0 ||
	    nftx_apply(v->v_nft, batch, err, sizeof(err)) != 0) {
		fprintf(out, "vnet: --vnat-flush: removing vnet's tables: %s\n", err);
		goto out;
	}
	if (r == 0) {
		if (unlink(path) != 0) {
			fprintf(out, "vnet: --vnat-flush: removing %s: %s\n", path, strerror(errno));
			goto out;
		}
		snprintf(gone + n, sizeof(gone) - n, "%sthe state file %s", n ? ", " : "", path);
	}
	if (r < 0) {
		/* refused (set aside) or unreadable: its addresses are unknown */
		fprintf(out, "vnet: --vnat-flush: %s could not be used (see above): the addresses it "
		    "recorded on lo and arp_announce are left as they are%s%s\n", path,
		    gone[0] ? "; removed " : "", gone);
		goto out;
	}
	if (gone[0])
		fprintf(out, "vnet: removed %s\n", gone);
	else
		fprintf(out, "vnet: nothing of vnat's to remove (no table, no state file %s)\n", path);
	rc = 0;
out:
	if (lock >= 0)
		close(lock);
	vstate_free(&s);
	if (v && v->v_nft)
		nft_ctx_free(v->v_nft);
	free(v);
	return rc;
}
