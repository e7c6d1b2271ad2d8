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
	size_t			 p_n;
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

/* every peer answered or failed: apply what they agreed to, report */
static void
finish(struct resume *r)
{
	struct nftx_tr *ok = calloc(r->r_n ? r->r_n : 1, sizeof(*ok));
	struct nftx_tr *no = calloc(r->r_n ? r->r_n : 1, sizeof(*no));
	struct timespec now;
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
	if (no && nno && vnat_remove(r->r_v, no, nno, err, sizeof(err)) != 0)
		log_warnx("vnat: RESUME: %s", err);
	free(no);
	good = ok && n > 0 && vnat_apply(r->r_v, ok, n, err, sizeof(err)) == 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms = (double)(now.tv_sec - r->r_start.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->r_start.tv_nsec) / 1e6;
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
	size_t len = evbuffer_get_length(in);
	struct vcmp_msg m = { .vm_e = e, .vm_cap = VCMP_V2_MAX_ENTRIES };
	uint8_t *b = evbuffer_pullup(in, (ssize_t)(len < VCMP_V2_MAX_LEN ? len : VCMP_V2_MAX_LEN));
	int n = vcmp_decode(b, len, &m);
	size_t al = p->p_family == 6 ? 16 : 4;
	static const uint8_t zero[16];

	if (n == VNET_ERR_SHORT)
		return;
	if (n < 0 || m.vm_cmd != VCMP_UPD_R || m.vm_count != p->p_n) {
		peer_over(p, n < 0 ? vnet_strerror(n) : "answer does not match the request");
		return;
	}
	for (size_t i = 0; i < p->p_n; i++) {
		struct nftx_tr *t = &p->p_op->r_tr[p->p_idx[i]];
		if (memcmp(e[i].ve_lphy, zero, al) == 0 && e[i].ve_lphy_port == 0)
			continue;	/* the peer does not have that connection */
		memcpy(t->t_rphy, e[i].ve_lphy, al);
		t->t_rphy_port = e[i].ve_lphy_port;
		p->p_op->r_ok[p->p_idx[i]] = true;
	}
	peer_over(p, NULL);
}

static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	static struct vcmp_entry e[VCMP_V2_MAX_ENTRIES];
	static uint8_t out[VCMP_V2_MAX_LEN];
	struct rpeer *p = arg;

	if (!(what & BEV_EVENT_CONNECTED)) {
		peer_over(p, what & BEV_EVENT_EOF ? "closed without an answer" :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return;
	}
	/* VNAT_UPD: every connection with this peer in one message */
	struct vcmp_msg m = { VCMP_V2, VCMP_UPD, p->p_family, (uint16_t)p->p_n, e,
	    VCMP_V2_MAX_ENTRIES };
	size_t al = p->p_family == 6 ? 16 : 4;
	for (size_t i = 0; i < p->p_n; i++) {
		const struct nftx_tr *t = &p->p_op->r_tr[p->p_idx[i]];
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
	if (n < 0 || bufferevent_write(bev, out, (size_t)n) != 0)
		peer_over(p, "cannot encode VNAT_UPD");
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

/* the connections to re-home, as translations with their new local end */
static int
plan(struct vnat *v, const char *addr, struct resume *r, char *err, size_t errlen)
{
	struct vconn *vc = NULL;
	uint8_t given[16];
	int given_af = 0, n = conns_collect(v->v_procs, v->v_nprocs, &vc);

	if (n < 0) {
		snprintf(err, errlen, "cannot list connections: %s", strerror(errno));
		return -1;
	}
	if (addr) {
		given_af = inet_pton(AF_INET, addr, given) == 1 ? 4 :
		    inet_pton(AF_INET6, addr, given) == 1 ? 6 : 0;
		if (!given_af || !addr_assigned((uint8_t)given_af, given, false)) {
			snprintf(err, errlen, "%s is not an address of this host", addr);
			free(vc);
			return -1;
		}
	}
	r->r_tr = calloc((size_t)n + 1, sizeof(*r->r_tr));
	r->r_ok = calloc((size_t)n + 1, sizeof(*r->r_ok));
	if (r->r_tr == NULL || r->r_ok == NULL) {
		snprintf(err, errlen, "out of memory");
		free(vc);
		return -1;
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
		    addr_assigned(fam, t.t_lphy, false))
			continue;
		if (given_af)
			memcpy(t.t_lphy, given, al);
		else if (addr_source_for(fam, t.t_rphy, t.t_lphy) != 0)
			continue;	/* no route to the peer from here */
		r->r_tr[r->r_n++] = t;
	}
	free(vc);
	if (r->r_n == 0) {
		snprintf(err, errlen, "nothing to resume: %d virtual connection(s), none moved", n);
		return -1;
	}
	return 0;
}

/* sockets bound to a virtual address must keep it: on lo */
static void
keep_addresses(struct resume *r)
{
	for (size_t i = 0; i < r->r_n; i++) {
		const struct nftx_tr *t = &r->r_tr[i];
		if (addr_assigned(t->t_family, t->t_lvir, true))
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
}

static int
group_peers(struct resume *r)
{
	r->r_peers = calloc(r->r_n, sizeof(*r->r_peers));
	if (r->r_peers == NULL)
		return -1;
	for (size_t i = 0; i < r->r_n; i++) {
		const struct nftx_tr *t = &r->r_tr[i];
		size_t al = t->t_family == 6 ? 16 : 4, k;
		for (k = 0; k < r->r_npeers; k++)
			if (r->r_peers[k].p_family == t->t_family &&
			    memcmp(r->r_peers[k].p_addr, t->t_rphy, al) == 0 &&
			    r->r_peers[k].p_n < VCMP_V2_MAX_ENTRIES)
				break;
		if (k == r->r_npeers) {
			r->r_peers[k].p_op = r;
			r->r_peers[k].p_family = t->t_family;
			memcpy(r->r_peers[k].p_addr, t->t_rphy, al);
			if ((r->r_peers[k].p_idx = calloc(VCMP_V2_MAX_ENTRIES, sizeof(size_t))) == NULL)
				return -1;
			r->r_npeers++;
		}
		r->r_peers[k].p_idx[r->r_peers[k].p_n++] = i;
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
	log_info("vnat: RESUME: %zu connection(s) with %zu peer(s)", r->r_n, r->r_npeers);
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
