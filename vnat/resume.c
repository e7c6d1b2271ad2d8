/* resume: re-home moved connections and tell their peers. */
#include "vnat/resume.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "common/err.h"
#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/conns.h"
#include "vnat/vcmp.h"

#define RESUME_TIMEOUT_S	5

struct rpeer {
	struct resume		*p_op;
	struct bufferevent	*p_bev;
	uint8_t			 p_family, p_addr[16];
	size_t			*p_idx;		/* entries of r_tr for this peer */
	size_t			 p_n, p_cap;
	size_t			 p_answered;	/* entries the answers covered so far */
	bool			 p_done;
};

struct resume {
	struct vnat		*r_v;
	resume_done_cb		 r_done;
	void			*r_arg;
	struct timespec		 r_start;
	struct nftx_tr		*r_tr;
	bool			*r_ok;		/* per translation: the peer agreed */
	size_t			 r_n;
	struct rpeer		*r_peers;
	size_t			 r_npeers, r_pending;
	struct event		*r_timer;
	unsigned		 r_unreachable;
};

static void
op_free(struct resume *r)
{
	for (size_t i = 0; i < r->r_npeers; i++) {
		if (r->r_peers[i].p_bev)
			bufferevent_free(r->r_peers[i].p_bev);
		free(r->r_peers[i].p_idx);
	}
	if (r->r_timer)
		event_free(r->r_timer);
	free(r->r_peers);
	free(r->r_tr);
	free(r->r_ok);
	r->r_v->v_resume = NULL;
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
finish(struct resume *r)
{
	struct nftx_tr *ok = calloc(r->r_n ? r->r_n : 1, sizeof(*ok));
	struct nftx_tr *no = calloc(r->r_n ? r->r_n : 1, sizeof(*no));
	char err[256], text[600];
	size_t n = 0, nno = 0;
	bool good;

	for (size_t i = 0; ok && no && i < r->r_n; i++) {
		if (r->r_ok[i]) {
			ok[n] = r->r_tr[i];
			ok[n++].t_dirs = 0;	/* now both ways */
		} else
			no[nno++] = r->r_tr[i];
	}
	/* connections no peer confirmed lose their early input translation */
	log_debug("vnat: RESUME: every peer answered at %.1f ms", ms_since(&r->r_start));
	if (no && nno && vnat_remove(r->r_v, no, nno, err, sizeof(err)) != 0)
		log_warnx("vnat: RESUME: %s", err);
	free(no);
	good = ok && n > 0 && vnat_apply(r->r_v, ok, n, err, sizeof(err)) == 0;
	double ms = ms_since(&r->r_start);
	if (good)
		snprintf(text, sizeof(text), "resumed %zu of %zu connection(s) in %.1f ms%s", n,
		    r->r_n, ms, r->r_unreachable ? " (some peers did not answer)" : "");
	else
		snprintf(text, sizeof(text), "no connection resumed (%zu tried in %.1f ms): %s",
		    r->r_n, ms, !ok ? "out of memory" : n == 0 ? "no peer confirmed" : err);
	log_info("vnat: RESUME: %s", text);
	free(ok);
	if (r->r_done)
		r->r_done(r->r_arg, good, text);
	op_free(r);
}

static void
peer_over(struct rpeer *p, const char *why)
{
	char a[INET6_ADDRSTRLEN];

	if (p->p_done)
		return;
	p->p_done = true;
	if (why) {
		inet_ntop(p->p_family == 6 ? AF_INET6 : AF_INET, p->p_addr, a, sizeof(a));
		log_warnx("vnat: RESUME: peer %s: %s", a, why);
		p->p_op->r_unreachable++;
	}
	if (p->p_bev) {
		bufferevent_free(p->p_bev);
		p->p_bev = NULL;
	}
	if (--p->p_op->r_pending == 0)
		finish(p->p_op);
}

static void
peer_read(struct bufferevent *bev, void *arg)
{
	static struct vcmp_entry e[VCMP_V2_MAX_ENTRIES];
	struct rpeer *p = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t al = p->p_family == 6 ? 16 : 4;
	static const uint8_t zero[16];

	/* one VNAT_UPD_R per VNAT_UPD sent, in order */
	while (!p->p_done) {
		size_t len = evbuffer_get_length(in), want = len < VCMP_V2_MAX_LEN ? len :
		    VCMP_V2_MAX_LEN, chunk = p->p_n - p->p_answered;
		struct vcmp_msg m = { .vm_e = e, .vm_cap = VCMP_V2_MAX_ENTRIES };
		uint8_t *b;
		int n;

		if (len == 0)
			return;
		b = evbuffer_pullup(in, (ssize_t)want);
		if ((n = vcmp_decode(b, want, &m)) == VNET_ERR_SHORT)
			return;
		if (chunk > VCMP_V2_MAX_ENTRIES)
			chunk = VCMP_V2_MAX_ENTRIES;
		if (n < 0 || m.vm_cmd != VCMP_UPD_R || m.vm_count != chunk) {
			peer_over(p, n < 0 ? vnet_strerror(n) : "answer does not match the request");
			return;
		}
		evbuffer_drain(in, (size_t)n);
		for (size_t i = 0; i < chunk; i++) {
			struct nftx_tr *t = &p->p_op->r_tr[p->p_idx[p->p_answered + i]];
			if (memcmp(e[i].ve_lphy, zero, al) == 0 && e[i].ve_lphy_port == 0)
				continue;	/* the peer does not have that connection */
			memcpy(t->t_rphy, e[i].ve_lphy, al);
			t->t_rphy_port = e[i].ve_lphy_port;
			p->p_op->r_ok[p->p_idx[p->p_answered + i]] = true;
		}
		p->p_answered += chunk;
		if (p->p_answered == p->p_n)
			peer_over(p, NULL);
	}
}

static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	static struct vcmp_entry e[VCMP_V2_MAX_ENTRIES];
	static uint8_t out[VCMP_V2_MAX_LEN];
	struct rpeer *p = arg;
	size_t al = p->p_family == 6 ? 16 : 4;

	if (!(what & BEV_EVENT_CONNECTED)) {
		peer_over(p, what & BEV_EVENT_EOF ? "closed without an answer" :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return;
	}
	/* VNAT_UPD: every connection with this peer in one exchange, 1024 per
	 * message, MORE on all but the last */
	for (size_t off = 0; off < p->p_n; off += VCMP_V2_MAX_ENTRIES) {
		size_t cnt = p->p_n - off < VCMP_V2_MAX_ENTRIES ? p->p_n - off : VCMP_V2_MAX_ENTRIES;
		struct vcmp_msg m = { VCMP_V2, VCMP_UPD, p->p_family, (uint16_t)cnt, e,
		    VCMP_V2_MAX_ENTRIES, off + cnt < p->p_n ? VCMP_F_MORE : 0 };
		for (size_t i = 0; i < cnt; i++) {
			const struct nftx_tr *t = &p->p_op->r_tr[p->p_idx[off + i]];
			memset(&e[i], 0, sizeof(e[i]));
			e[i].ve_proto = t->t_proto;
			memcpy(e[i].ve_rvir, t->t_rvir, al);
			e[i].ve_rvir_port = t->t_rvir_port;
			memcpy(e[i].ve_lvir, t->t_lvir, al);
			e[i].ve_lvir_port = t->t_lvir_port;
			memcpy(e[i].ve_lphy, t->t_lphy, al);
			e[i].ve_lphy_port = t->t_lphy_port;
		}
		int n = vcmp_encode(&m, out, sizeof(out));
		if (n < 0 || bufferevent_write(bev, out, (size_t)n) != 0) {
			peer_over(p, "cannot encode VNAT_UPD");
			return;
		}
	}
}

static void
op_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct resume *r = arg;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < r->r_npeers && r->r_v->v_resume == r; i++)
		peer_over(&r->r_peers[i], "no answer in time");
}

/* the source address towards each peer, asked of the kernel once per peer */
struct srccache {
	size_t	sc_n;
	struct { uint8_t f, dst[16], src[16]; int rc; } sc_e[64];
};

static int
source_for(struct srccache *c, uint8_t fam, const uint8_t *dst, uint8_t *src)
{
	size_t al = fam == 6 ? 16 : 4, i;

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

/* the connections to re-home, as translations with their new local end */
static int
plan(struct vnat *v, const char *addr, struct resume *r, char *err, size_t errlen)
{
	struct vconn *vc = NULL;
	struct addr_set as;
	struct srccache *sc = NULL;
	uint8_t given[16];
	int given_af = 0, n;

	if (addr_set_load(&as) != 0) {
		snprintf(err, errlen, "cannot list this host's addresses: %s", strerror(errno));
		return -1;
	}
	n = conns_collect(v->v_procs, v->v_nprocs, &vc);
	log_debug("vnat: RESUME: %d virtual connection(s) listed at %.1f ms", n, ms_since(&r->r_start));
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
	r->r_ok = calloc((size_t)n + 1, sizeof(*r->r_ok));
	sc = calloc(1, sizeof(*sc));
	if (r->r_tr == NULL || r->r_ok == NULL || sc == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		const struct sd_conn *c = &vc[i].vc_c;
		uint8_t fam = c->sc_family == AF_INET6 ? 6 : 4;
		size_t al = fam == 6 ? 16 : 4;
		struct nftx_tr t, *cur;
		memset(&t, 0, sizeof(t));
		t.t_family = fam;
		t.t_proto = c->sc_proto;
		memcpy(t.t_lvir, c->sc_laddr, al);
		memcpy(t.t_rvir, c->sc_raddr, al);
		t.t_lvir_port = t.t_lphy_port = c->sc_lport;
		t.t_rvir_port = t.t_rphy_port = c->sc_rport;
		memcpy(t.t_lphy, t.t_lvir, al);
		memcpy(t.t_rphy, t.t_rvir, al);
		if ((cur = (struct nftx_tr *)vnat_find(v, &t)) != NULL)
			t = *cur;
		/* moved: its physical address is gone, or another one was asked for */
		if (given_af ? (given_af != fam || memcmp(t.t_lphy, given, al) == 0) :
		    addr_set_has(&as, fam, t.t_lphy, false))
			continue;
		if (given_af)
			memcpy(t.t_lphy, given, al);
		else if (source_for(sc, fam, t.t_rphy, t.t_lphy) != 0)
			continue;	/* no route to the peer from here */
		r->r_tr[r->r_n++] = t;
	}
	if (r->r_n == 0) {
		snprintf(err, errlen, "nothing to resume: %d virtual connection(s), none moved", n);
		goto fail;
	}
	free(sc);
	free(vc);
	addr_set_free(&as);
	return 0;
fail:
	free(sc);
	free(vc);
	addr_set_free(&as);
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
		const struct nftx_tr *t = &r->r_tr[i];
		if (addr_set_has(&as, t->t_family, t->t_lvir, true))
			continue;
		/* one kernel call per address, not per connection */
		bool seen = false;
		for (size_t k = 0; k < r->r_v->v_nkept && !seen; k++)
			seen = r->r_v->v_kept[k].k_family == t->t_family &&
			    memcmp(r->r_v->v_kept[k].k_addr, t->t_lvir, 16) == 0;
		if (seen)
			continue;
		if (addr_lo(t->t_family, t->t_lvir, true) != 0) {
			if (errno != EEXIST)
				log_warn("vnat: keeping the virtual address on lo");
			continue;
		}
		struct vnat *v = r->r_v;
		if (v->v_nkept < sizeof(v->v_kept) / sizeof(v->v_kept[0])) {
			v->v_kept[v->v_nkept].k_family = t->t_family;
			memcpy(v->v_kept[v->v_nkept].k_addr, t->t_lvir, 16);
			v->v_nkept++;
		}
	}
	addr_set_free(&as);
}

/* one exchange per peer, however many connections it shares with us */
static int
group_peers(struct resume *r)
{
	r->r_peers = calloc(r->r_n, sizeof(*r->r_peers));
	if (r->r_peers == NULL)
		return -1;
	for (size_t i = 0; i < r->r_n; i++) {
		const struct nftx_tr *t = &r->r_tr[i];
		size_t al = t->t_family == 6 ? 16 : 4, k;
		struct rpeer *p;
		for (k = 0; k < r->r_npeers; k++)
			if (r->r_peers[k].p_family == t->t_family &&
			    memcmp(r->r_peers[k].p_addr, t->t_rphy, al) == 0 &&
			    r->r_peers[k].p_n < VCMP_EXCHANGE_MAX_MSGS * VCMP_V2_MAX_ENTRIES)
				break;
		p = &r->r_peers[k];
		if (k == r->r_npeers) {
			p->p_op = r;
			p->p_family = t->t_family;
			memcpy(p->p_addr, t->t_rphy, al);
			r->r_npeers++;
		}
		if (p->p_n == p->p_cap) {
			size_t cap = p->p_cap ? p->p_cap * 2 : 64;
			size_t *idx = realloc(p->p_idx, cap * sizeof(*idx));
			if (idx == NULL)
				return -1;
			p->p_idx = idx;
			p->p_cap = cap;
		}
		p->p_idx[p->p_n++] = i;
	}
	return 0;
}

int
resume_start(struct vnat *v, const char *addr, resume_done_cb done, void *arg,
    char *err, size_t errlen)
{
	struct timeval tv = { RESUME_TIMEOUT_S, 0 };
	struct resume *r;

	if (v->v_resume) {
		snprintf(err, errlen, "a RESUME is running already");
		return -1;
	}
	if (v->v_nprocs == 0) {
		snprintf(err, errlen, "nothing to resume: no process is on the VNAT list (VNAT ADD)");
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->r_v = v;
	v->v_resume = r;
	clock_gettime(CLOCK_MONOTONIC, &r->r_start);
	if (plan(v, addr, r, err, errlen) != 0)
		goto fail;
	if (group_peers(r) != 0 || (r->r_timer = evtimer_new(v->v_base, op_timeout, r)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	double t_plan = ms_since(&r->r_start);
	keep_addresses(r);
	/* the input side first: the peer sends to our new address as soon as it
	 * has its own translation, and without ours our kernel would answer with
	 * a reset; the output side follows its answer */
	for (size_t i = 0; i < r->r_n; i++)
		r->r_tr[i].t_dirs = NFTX_IN;
	if (vnat_apply(v, r->r_tr, r->r_n, err, errlen) != 0)
		goto fail;
	r->r_done = done;
	r->r_arg = arg;
	r->r_pending = r->r_npeers;
	evtimer_add(r->r_timer, &tv);
	log_info("vnat: RESUME: %zu connection(s) with %zu peer(s); listed in %.1f ms, input side "
	    "translated at %.1f ms", r->r_n, r->r_npeers, t_plan, ms_since(&r->r_start));
	for (size_t k = 0; k < r->r_npeers; k++) {
		struct rpeer *p = &r->r_peers[k];
		struct sockaddr_storage ss;
		int sl;
		memset(&ss, 0, sizeof(ss));
		if (p->p_family == 6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(v->v_vcmp_port);
			memcpy(&s6->sin6_addr, p->p_addr, 16);
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_port = htons(v->v_vcmp_port);
			memcpy(&s4->sin_addr, p->p_addr, 4);
			sl = sizeof(*s4);
		}
		p->p_bev = bufferevent_socket_new(v->v_base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (p->p_bev == NULL) {
			peer_over(p, "out of memory");
			continue;
		}
		bufferevent_setcb(p->p_bev, peer_read, NULL, peer_event, p);
		bufferevent_enable(p->p_bev, EV_READ | EV_WRITE);
		/* errors come back through peer_event, from the loop */
		bufferevent_socket_connect(p->p_bev, (struct sockaddr *)&ss, sl);
	}
	return 0;
fail:
	op_free(r);
	return -1;
}

void
resume_detach(struct vnat *v)
{
	if (v->v_resume)
		v->v_resume->r_done = NULL;
}

void
resume_abort(struct vnat *v)
{
	if (v->v_resume)
		op_free(v->v_resume);
}
