/* resume: re-home moved connections and tell their peers. */
#include "vnat/resume.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/defer.h"
#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/conns.h"
#include "vnat/core.h"
#include "vnat/kick.h"
#include "vnat/vcmp.h"
#include "vnat/xchg.h"

struct resume {
	struct vnat_op		 r_op;		/* first: the lifecycle (vnat/op) */
	struct vnat		*r_v;
	struct timespec		 r_start;
	struct vnat_tuple	*r_tr;		/* until the exchange takes it over */
	uint32_t		*r_inode;	/* r_tr[i]'s socket, if worth a kick; 0 */
	size_t			 r_n;
	struct kick_set		 r_kick;	/* the backed-off ones, kicked at the end */
	struct xchg		*r_x;
	unsigned		 r_aborted, r_preempted;	/* address conflicts */
	struct defer		*r_empty;	/* reports an empty RESUME from the loop */
};

static void
resume_close(struct vnat_op *op)
{
	struct resume *r = (struct resume *)op;

	xchg_close(r->r_x);
	defer_free(r->r_empty);
	kick_clear(&r->r_kick);
	free(r->r_inode);
	free(r->r_tr);
	free(r);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* every peer answered or failed: apply what they agreed to, report */
static void
finish(void *arg, struct vnat_tuple *t, const bool *okf, size_t cnt, unsigned npeers,
    unsigned unreachable)
{
	struct resume *r = arg;
	struct vnat *v = r->r_v;
	struct vnat_tuple *ok = calloc(cnt ? cnt : 1, sizeof(*ok));
	struct vnat_tuple *no = calloc(cnt ? cnt : 1, sizeof(*no));
	char err[256] = "", text[600], susp[64] = "";
	size_t n = 0, nno = 0;
	bool good;

	(void)npeers;
	log_debug("vnat: RESUME: every peer answered at %.1f ms", ms_since(&r->r_start));
	for (size_t i = 0; ok && no && i < cnt; i++) {
		if (okf[i]) {
			ok[n] = t[i];
			ok[n++].t_dirs = 0;	/* now both ways */
		} else
			no[nno++] = t[i];
	}
	/* connections no peer confirmed lose their early input translation */
	if (no && nno && vnat_remove(v, no, nno, err, sizeof(err)) != 0)
		log_warnx("vnat: RESUME: %s", err);
	free(no);
	good = ok && (n > 0 || cnt == 0) && vnat_apply(v, ok, n, err, sizeof(err)) == 0;
	/* both ways translated: what waits for a backed-off timer goes now */
	if (good && n)
		v->v_st.vs_kicked += kick_fire(&r->r_kick, ok, n, "vnat: RESUME");
	kept_release_unused(v);
	double secs;
	if (suspend_over(v, &secs))
		snprintf(susp, sizeof(susp), " after %.0f s suspended", secs);
	double ms = ms_since(&r->r_start);
	char conf[96] = "";
	if (r->r_aborted || r->r_preempted)
		snprintf(conf, sizeof(conf), " (conflicts: %u left in place, %u existing "
		    "connection(s) preempted)", r->r_aborted, r->r_preempted);
	if (good)
		snprintf(text, sizeof(text), "resumed %zu of %zu connection(s) in %.1f ms%s%s%s", n,
		    cnt, ms, susp, unreachable ? " (some peers did not answer)" : "", conf);
	else
		snprintf(text, sizeof(text), "no connection resumed (%zu tried in %.1f ms%s): %s",
		    cnt, ms, susp, !ok ? "out of memory" : n == 0 ? "no peer confirmed" : err);
	log_info("vnat: RESUME: %s", text);
	free(ok);
	op_end(&r->r_op, good, text);
}

/* no connection to tell anyone about (SUSPEND, then nothing open): report
 * from the loop, as for any other RESUME */
static void
finish_empty(void *arg)
{
	finish(arg, NULL, NULL, 0, 0, 0);
}

/* the source address towards each peer, asked of the kernel once per peer */
struct srccache {
	size_t	sc_n;
	struct { uint8_t f, dst[16], src[16]; int rc; } sc_e[64];
};

static int
source_for(struct srccache *c, uint8_t fam, const uint8_t *dst, uint8_t *src)
{
	size_t al = tuple_alen(fam), i;

	for (i = 0; i < c->sc_n; i++)
		if (c->sc_e[i].f == fam && memcmp(c->sc_e[i].dst, dst, al) == 0) {
			memcpy(src, c->sc_e[i].src, al);
			return c->sc_e[i].rc;
		}
	int rc = addr_source_for(fam, dst, src);
	if (c->sc_n < sizeof(c->sc_e) / sizeof(c->sc_e[0])) {
		c->sc_e[c->sc_n].f = fam;
		c->sc_e[c->sc_n].rc = rc;
		memcpy(c->sc_e[c->sc_n].dst, dst, al);
		memcpy(c->sc_e[c->sc_n].src, src, al);
		c->sc_n++;
	}
	return rc;
}

/* whether moved connection t (of process comm) must stay where it is: its
 * new tuple is another connection's, and the policy says abort */
static bool
conflicting(struct vnat *v, struct resume *r, const struct vtab *socks, const struct vnat_tuple *t,
    const char *comm)
{
	uint32_t inode = conflict_hit(socks, t);

	if (inode == 0)
		return false;
	v->v_st.vs_conflicts++;
	if (conflict_policy_for(v, comm) == CP_PREEMPT && conflict_preempt(inode) == 0) {
		r->r_preempted++;
		return false;
	}
	log_warnx("vnat: RESUME: a connection of %s keeps its old address: its new tuple is "
	    "another connection's (conflict, abort)", comm);
	conflict_mark(v, t);
	r->r_aborted++;
	return true;
}

/* the connections to re-home, as translations with their new local end */
static int
plan(struct vnat *v, const char *addr, struct resume *r, char *err, size_t errlen)
{
	struct vconn *vc = NULL;
	struct addr_set as;
	struct srccache *sc = NULL;
	struct vtab socks;
	uint8_t given[16];
	int given_af = 0, n, nlocal = 0;

	vtab_init(&socks);
	if (addr_set_load(&as) != 0) {
		snprintf(err, errlen, "cannot list this host's addresses: %s", strerror(errno));
		return -1;
	}
	/* the same dump tells which tuples are taken (address conflicts) */
	n = vnat_collect(v, &vc, &socks);
	if (n < 0) {
		snprintf(err, errlen, "cannot list connections: %s", strerror(errno));
		addr_set_free(&as);
		return -1;
	}
	if (addr) {
		given_af = inet_pton(AF_INET, addr, given) == 1 ? 4 :
		    inet_pton(AF_INET6, addr, given) == 1 ? 6 : 0;
		if (!given_af || !addr_set_has(&as, (uint8_t)given_af, given, false)) {
			snprintf(err, errlen, "%s is not an address of this host", addr);
			goto fail;
		}
	}
	r->r_tr = calloc((size_t)n + 1, sizeof(*r->r_tr));
	r->r_inode = calloc((size_t)n + 1, sizeof(*r->r_inode));
	sc = calloc(1, sizeof(*sc));
	conflict_unmark_all(v);
	if (r->r_tr == NULL || r->r_inode == NULL || sc == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		const struct sd_conn *c = &vc[i].vc_c;
		uint8_t fam = tuple_family(c->sc_family);
		size_t al = tuple_alen(fam);
		struct vnat_tuple t, *cur;
		conns_identity(c, &t);
		if ((cur = (struct vnat_tuple *)vnat_find(v, &t)) != NULL)
			t = *cur;
		/* nothing local moves: loopback, this host to itself, vnet's own
		 * sockets (the control connection carrying this request) */
		if (conns_local(&vc[i], &t, &as, &socks)) {
			nlocal++;
			continue;
		}
		/* after SUSPEND every suspended connection is told, moved or not */
		bool susp = suspend_has(v, &t);
		/* moved: its physical address is gone, or another one was asked for */
		bool stays = given_af ? (given_af != fam || memcmp(t.t_lphy, given, al) == 0) :
		    addr_set_has(&as, fam, t.t_lphy, false);
		if (stays && !susp)
			continue;
		if (!stays && given_af)
			memcpy(t.t_lphy, given, al);
		else if (!stays && source_for(sc, fam, t.t_rphy, t.t_lphy) != 0)
			continue;	/* no route to the peer from here */
		if (!conflicting(v, r, &socks, &t, vc[i].vc_comm)) {
			r->r_inode[r->r_n] = kick_worth(c) ? c->sc_inode : 0;
			r->r_tr[r->r_n++] = t;
		}
	}
	if (r->r_n == 0 && r->r_aborted) {
		snprintf(err, errlen, "nothing resumed: %u connection(s) in conflict (another "
		    "connection has the tuple; VNAT CONFLICT name preempt takes it over)", r->r_aborted);
		goto fail;
	}
	if (r->r_n == 0 && !suspend_is_on(v)) {
		snprintf(err, errlen, "nothing to resume: %d virtual connection(s), none moved",
		    n - nlocal);
		goto fail;
	}
	free(sc);
	free(vc);
	addr_set_free(&as);
	vtab_clear(&socks);
	return 0;
fail:
	free(sc);
	free(vc);
	addr_set_free(&as);
	vtab_clear(&socks);
	return -1;
}

/* sockets bound to a virtual address must keep it: on lo */
static void
keep_addresses(struct resume *r)
{
	struct addr_set as;

	if (addr_set_load(&as) != 0) {
		log_warn("vnat: listing addresses");
		return;
	}
	for (size_t i = 0; i < r->r_n; i++) {
		const struct vnat_tuple *t = &r->r_tr[i];
		size_t al = tuple_alen(t->t_family);
		if (memcmp(t->t_lvir, t->t_lphy, al) != 0 &&
		    !addr_set_has(&as, t->t_family, t->t_lvir, true))
			kept_add(r->r_v, t->t_family, t->t_lvir);
	}
	addr_set_free(&as);
}

int
resume_start(struct vnat *v, const char *addr, vnat_op_done_cb *done, void *arg,
    char *err, size_t errlen)
{
	struct resume *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->r_op.op_kind = OP_RESUME;
	r->r_op.op_close = resume_close;
	r->r_v = v;
	if (op_begin(v, &r->r_op, err, errlen) != 0) {
		op_drop(&r->r_op);
		return -1;
	}
	if (vnat_nprocs(v) == 0 && !suspend_is_on(v)) {
		snprintf(err, errlen, "nothing to resume: no process is on the VNAT list (VNAT ADD)");
		op_drop(&r->r_op);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->r_start);
	kept_release_unused(v);		/* home again: its address is no longer hidden */
	if (plan(v, addr, r, err, errlen) != 0)
		goto fail;
	double t_plan = ms_since(&r->r_start);
	keep_addresses(r);
	/* the input side first: the peer sends to our new address as soon as it
	 * has its own translation, and without ours our kernel would answer with
	 * a reset; the output side follows its answer */
	for (size_t i = 0; i < r->r_n; i++)
		r->r_tr[i].t_dirs = TUPLE_IN;
	if (vnat_apply(v, r->r_tr, r->r_n, err, errlen) != 0)
		goto fail;
	r->r_op.op_done = done;
	r->r_op.op_arg = arg;
	if (r->r_n == 0) {
		if ((r->r_empty = defer_new(v->v_base, finish_empty, r)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		defer_run(r->r_empty);
		return 0;
	}
	/* snd_una while nothing can reach the sockets yet: the peers are not told */
	size_t nkick = kick_prepare(&r->r_kick, r->r_tr, r->r_inode, r->r_n);
	r->r_x = xchg_start(v, VCMP_UPD, r->r_tr, r->r_n, finish, r);
	r->r_tr = NULL;		/* the exchange has it (or freed it) */
	if (r->r_x == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	log_info("vnat: RESUME: %zu connection(s) with %zu peer(s), %zu backed off; listed in %.1f "
	    "ms, input side translated at %.1f ms", r->r_n, xchg_npeers(r->r_x), nkick, t_plan,
	    ms_since(&r->r_start));
	return 0;
fail:
	op_drop(&r->r_op);
	kept_release_unused(v);
	return -1;
}
