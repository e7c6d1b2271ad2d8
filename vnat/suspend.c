/* suspend: record the state, tell the peers. */
#include "vnat/suspend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/defer.h"
#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/conns.h"
#include "vnat/core.h"
#include "vnat/flows.h"
#include "vnat/state.h"
#include "vnat/vcmp.h"
#include "vnat/xchg.h"

struct suspend {
	struct vnat_op	 s_op;		/* first: the lifecycle (vnat/op) */
	struct xchg	*s_x;
	struct defer	*s_empty;	/* reports an empty SUSPEND from the loop */
	size_t		 s_n;
};

static void
suspend_close(struct vnat_op *op)
{
	struct suspend *s = (struct suspend *)op;

	xchg_close(s->s_x);
	defer_free(s->s_empty);
	free(s);
}

static void
told(void *arg, struct vnat_tuple *t, const bool *ok, size_t n, unsigned npeers,
    unsigned unreachable)
{
	struct suspend *s = arg;
	char text[256];
	size_t k = 0;

	(void)t;
	for (size_t i = 0; i < n; i++)
		k += ok[i];
	snprintf(text, sizeof(text), "suspended %zu connection(s); %u of %u peer(s) told, %zu "
	    "connection(s) confirmed", s->s_n, npeers - unreachable, npeers, k);
	log_info("vnat: SUSPEND: %s", text);
	op_end(&s->s_op, true, text);
}

static void
told_nobody(void *arg)
{
	told(arg, NULL, NULL, 0, 0, 0);
}

/* this host's virtual connections as translations (identity when never
 * moved), each with its socket's inode in *inode */
static int
record(struct vnat *v, struct vnat_tuple **out, uint32_t **inode, char *err, size_t errlen)
{
	struct vconn *vc = NULL;
	struct addr_set as;
	struct vnat_tuple *t = NULL;
	struct vtab socks;
	int n, k = 0;

	*inode = NULL;
	vtab_init(&socks);
	if (addr_set_load(&as) != 0) {
		snprintf(err, errlen, "cannot list this host's addresses: %s", strerror(errno));
		return -1;
	}
	if ((n = vnat_collect(v, &vc, &socks)) < 0) {
		snprintf(err, errlen, "cannot list connections: %s", strerror(errno));
		goto fail;
	}
	t = calloc((size_t)n + 1, sizeof(*t));
	*inode = calloc((size_t)n + 1, sizeof(**inode));
	if (t == NULL || *inode == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		const struct vnat_tuple *cur;
		bool created;
		conns_identity(&vc[i].vc_c, &t[k]);
		if ((cur = vnat_find(v, &t[k])) != NULL)
			t[k] = *cur;
		/* nothing local is suspended (as in RESUME: vnat/resume.c) */
		if (conns_local(&vc[i], &t[k], &as, &socks))
			continue;
		(*inode)[k] = vc[i].vc_c.sc_inode;
		if (vtab_put(&v->v_susp.sp_conns, &t[k++], &created) == NULL) {
			vtab_clear(&v->v_susp.sp_conns);
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	flows_pin_suspended(t, (size_t)k);	/* UDP flows outlive a long suspension */
	free(vc);
	addr_set_free(&as);
	vtab_clear(&socks);
	*out = t;
	return k;
fail:
	free(t);
	free(*inode);
	*inode = NULL;
	free(vc);
	addr_set_free(&as);
	vtab_clear(&socks);
	return -1;
}

int
suspend_start(struct vnat *v, vnat_op_done_cb *done, void *arg, char *err, size_t errlen)
{
	struct suspend *s;
	struct vnat_tuple *t;
	uint32_t *inode;
	int n;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->s_op.op_kind = OP_SUSPEND;
	s->s_op.op_close = suspend_close;
	if (op_begin(v, &s->s_op, err, errlen) != 0)
		goto fail;
	if (v->v_susp.sp_on) {
		snprintf(err, errlen, "suspended already, %.0f s ago (RESUME first)",
		    difftime(time(NULL), v->v_susp.sp_at));
		goto fail;
	}
	if (vnat_nprocs(v) == 0) {
		snprintf(err, errlen, "nothing to suspend: no process is on the VNAT list (VNAT ADD)");
		goto fail;
	}
	if ((n = record(v, &t, &inode, err, errlen)) < 0)
		goto fail;
	/* what this host sent meanwhile is retransmitted into the void: its
	 * TCP must not give up before the RESUME either */
	helper_hold(v, t, inode, (size_t)n);
	free(inode);
	v->v_susp.sp_on = true;
	v->v_susp.sp_at = time(NULL);
	state_changed(v);	/* a restart keeps it (vnat/state) */
	s->s_op.op_done = done;
	s->s_op.op_arg = arg;
	s->s_n = (size_t)n;
	if (n == 0) {
		free(t);
		if ((s->s_empty = defer_new(v->v_base, told_nobody, s)) == NULL)
			goto oom;
		defer_run(s->s_empty);
		return 0;
	}
	if ((s->s_x = xchg_start(v, VCMP_SUS, t, (size_t)n, told, s)) == NULL)
		goto oom;
	log_info("vnat: SUSPEND: %d connection(s) with %zu peer(s)", n, xchg_npeers(s->s_x));
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	vtab_clear(&v->v_susp.sp_conns);
	v->v_susp.sp_on = false;
fail:
	op_drop(&s->s_op);
	return -1;
}

void
suspend_init(struct vnat *v)
{
	vtab_init(&v->v_susp.sp_conns);
}

void
suspend_free(struct vnat *v)
{
	vtab_clear(&v->v_susp.sp_conns);
	v->v_susp.sp_on = false;
}

bool
suspend_is_on(const struct vnat *v)
{
	return v->v_susp.sp_on;
}

bool
suspend_has(const struct vnat *v, const struct vnat_tuple *key)
{
	return v->v_susp.sp_on && vtab_find(&v->v_susp.sp_conns, key) != NULL;
}

bool
suspend_over(struct vnat *v, double *secs)
{
	struct vtab_ent *e;

	if (!v->v_susp.sp_on)
		return false;
	*secs = difftime(time(NULL), v->v_susp.sp_at);
	TAILQ_FOREACH(e, &v->v_susp.sp_conns.vt_all, ve_all)
		helper_resume(v, &e->ve_tr, "resumed");
	suspend_free(v);
	state_changed(v);
	return true;
}

time_t
suspend_since(const struct vnat *v)
{
	return v->v_susp.sp_on ? v->v_susp.sp_at : 0;
}

void
suspend_adopt(struct vnat *v, time_t at, const struct vnat_tuple *t, size_t n)
{
	bool created;

	vtab_clear(&v->v_susp.sp_conns);
	for (size_t i = 0; i < n; i++)
		if (vtab_put(&v->v_susp.sp_conns, &t[i], &created) == NULL)
			log_warnx("vnat: adopting the SUSPEND: out of memory (%zu of %zu "
			    "connection(s) kept)", i, n);
	v->v_susp.sp_on = true;
	v->v_susp.sp_at = at;
}

struct vtab *
suspend_table(struct vnat *v)
{
	return &v->v_susp.sp_conns;
}
