/* xchg: one VCMP exchange per peer. */
#include "vnat/xchg.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "common/defer.h"
#include "common/err.h"
#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/core.h"
#include "vnat/vcmp.h"
#include "vnat/vkey.h"

struct xpeer {
	struct xchg		*p_x;
	struct bufferevent	*p_bev;
	uint8_t			 p_family, p_addr[16];
	size_t			*p_idx;		/* entries of x_tr for this peer */
	size_t			 p_n, p_cap;
	size_t			 p_answered;	/* entries the answers covered so far */
	const char		*p_err;		/* failed before the loop ran */
	bool			 p_done;
	struct vkey_pair	 p_kp;		/* VNAT_SUS: our half of the exchange's key */
};

struct xchg {
	struct vnat		*x_v;
	uint8_t			 x_cmd;
	xchg_done_cb		 x_done;
	void			*x_arg;
	struct vnat_tuple		*x_tr;
	bool			*x_ok;
	size_t			 x_n;
	struct xpeer		*x_peers;
	size_t			 x_npeers, x_pending;
	struct event		*x_timer;
	struct defer		*x_early;	/* a peer failed before the loop ran */
	unsigned		 x_unreachable;
};

/* connections per message: fewer when each carries a counter and a tag */
static size_t
per_msg(const struct xchg *x)
{
	return x->x_cmd == VCMP_UPD ? VCMP_AUTH_MAX_ENTRIES : VCMP_V2_MAX_ENTRIES;
}

/* VNAT_SUS_R with the peer's key: the key of every connection it has,
 * kept (a connection keeps its first key for its whole life) */
static void
keep_keys(struct xpeer *p, const struct vcmp_msg *m, size_t first, size_t chunk)
{
	struct vnat *v = p->p_x->x_v;
	uint8_t secret[VKEY_LEN];

	if (!(m->vm_flags & VCMP_F_KEY) || vkey_shared(&p->p_kp, m->vm_key, secret) != 0)
		return;
	for (size_t i = 0; i < chunk; i++) {
		size_t k = p->p_idx[first + i];
		const struct vnat_tuple *t = &p->p_x->x_tr[k];
		if (p->p_x->x_ok[k])
			keys_keep(v, t, secret, t->t_family, t->t_proto, t->t_lvir, t->t_lvir_port,
			    t->t_rvir, t->t_rvir_port);
	}
	explicit_bzero(secret, sizeof(secret));
}

void
xchg_close(struct xchg *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->x_npeers; i++) {
		if (x->x_peers[i].p_bev)
			bufferevent_free(x->x_peers[i].p_bev);
		free(x->x_peers[i].p_idx);
		vkey_pair_free(&x->x_peers[i].p_kp);
	}
	if (x->x_timer)
		event_free(x->x_timer);
	defer_free(x->x_early);
	free(x->x_peers);
	free(x->x_tr);
	free(x->x_ok);
	free(x);
}

size_t
xchg_npeers(const struct xchg *x)
{
	return x->x_npeers;
}

static void
peer_over(struct xpeer *p, const char *why)
{
	struct xchg *x = p->p_x;
	char a[ADDRFMT_ADDRLEN];

	if (p->p_done)
		return;
	p->p_done = true;
	if (why) {
		log_warnx_rl("vnat: %s: peer %s: %s", x->x_cmd == VCMP_SUS ? "SUSPEND" : "RESUME",
		    tuple_addr_text(p->p_family, p->p_addr, a, sizeof(a)), why);
		x->x_unreachable++;
	}
	/* a peer that answered keeps its session until xchg_close, after the
	 * done callback has translated and kicked this side: the peer kicks
	 * its own side when the session ends (vnat/endpoint) */
	if (p->p_bev && why == NULL) {
		bufferevent_disable(p->p_bev, EV_READ | EV_WRITE);
		bufferevent_setcb(p->p_bev, NULL, NULL, NULL, NULL);
	} else if (p->p_bev) {
		bufferevent_free(p->p_bev);
		p->p_bev = NULL;
	}
	if (--x->x_pending == 0) {
		event_del(x->x_timer);
		/* the callback may free x */
		x->x_done(x->x_arg, x->x_tr, x->x_ok, x->x_n, (unsigned)x->x_npeers,
		    x->x_unreachable);
	}
}

/* the answers that arrived, decoded into e (VCMP_V2_MAX_ENTRIES) */
static void
read_answers(struct xpeer *p, struct evbuffer *in, struct vcmp_entry *e)
{
	static const uint8_t zero[16];
	size_t al = tuple_alen(p->p_family);
	uint8_t want_cmd = p->p_x->x_cmd == VCMP_SUS ? VCMP_SUS_R : VCMP_UPD_R;

	/* one answer per message sent, in order */
	for (;;) {
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
		if (chunk > per_msg(p->p_x))
			chunk = per_msg(p->p_x);
		if (n < 0 || m.vm_cmd != want_cmd || m.vm_count != chunk) {
			peer_over(p, n < 0 ? vnet_strerror(n) : "answer does not match the request");
			return;
		}
		evbuffer_drain(in, (size_t)n);
		for (size_t i = 0; i < chunk; i++) {
			size_t k = p->p_idx[p->p_answered + i];
			if (memcmp(e[i].ve_lphy, zero, al) == 0 && e[i].ve_lphy_port == 0)
				continue;	/* the peer does not have that connection */
			memcpy(p->p_x->x_tr[k].t_rphy, e[i].ve_lphy, al);
			p->p_x->x_tr[k].t_rphy_port = e[i].ve_lphy_port;
			p->p_x->x_ok[k] = true;
		}
		if (want_cmd == VCMP_SUS_R)
			keep_keys(p, &m, p->p_answered, chunk);
		p->p_answered += chunk;
		if (p->p_answered == p->p_n) {
			peer_over(p, NULL);	/* may free p */
			return;
		}
	}
}

static void
peer_read(struct bufferevent *bev, void *arg)
{
	struct xpeer *p = arg;
	/* for this call only: a peer's answers are few, and no exchange
	 * holds a whole message's entries while it waits */
	struct vcmp_entry *e = malloc(VCMP_V2_MAX_ENTRIES * sizeof(*e));

	if (e == NULL)
		peer_over(p, "out of memory");
	else
		read_answers(p, bufferevent_get_input(bev), e);	/* may free p */
	free(e);
}

/* the requests, encoded with e (VCMP_V2_MAX_ENTRIES) and out
 * (VCMP_V2_MAX_LEN) */
static void
send_requests(struct xpeer *p, struct bufferevent *bev, struct vcmp_entry *e, uint8_t *out)
{
	size_t al = tuple_alen(p->p_family);

	/* per_msg connections a message, MORE on all but the last; VNAT_SUS
	 * carries our key, VNAT_UPD a counter and a tag per keyed connection */
	if (p->p_x->x_cmd == VCMP_SUS && vkey_pair_new(&p->p_kp) != 0) {
		peer_over(p, "cannot make a key pair");
		return;
	}
	for (size_t off = 0; off < p->p_n; off += per_msg(p->p_x)) {
		size_t cnt = p->p_n - off < per_msg(p->p_x) ? p->p_n - off : per_msg(p->p_x);
		struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = p->p_x->x_cmd,
		    .vm_family = p->p_family, .vm_count = (uint16_t)cnt, .vm_e = e,
		    .vm_cap = VCMP_V2_MAX_ENTRIES,
		    .vm_flags = (off + cnt < p->p_n ? VCMP_F_MORE : 0) |
		    (p->p_x->x_cmd == VCMP_SUS ? VCMP_F_KEY : VCMP_F_AUTH) };
		struct vtab_ent *key[VCMP_V2_MAX_ENTRIES];
		memcpy(m.vm_key, p->p_kp.kp_pub, sizeof(m.vm_key));
		for (size_t i = 0; i < cnt; i++) {
			const struct vnat_tuple *t = &p->p_x->x_tr[p->p_idx[off + i]];
			memset(&e[i], 0, sizeof(e[i]));
			e[i].ve_proto = t->t_proto;
			memcpy(e[i].ve_rvir, t->t_rvir, al);
			e[i].ve_rvir_port = t->t_rvir_port;
			memcpy(e[i].ve_lvir, t->t_lvir, al);
			e[i].ve_lvir_port = t->t_lvir_port;
			memcpy(e[i].ve_lphy, t->t_lphy, al);
			e[i].ve_lphy_port = t->t_lphy_port;
			key[i] = p->p_x->x_cmd == VCMP_UPD ? keys_find(p->p_x->x_v, t) : NULL;
			if (key[i])
				e[i].ve_ctr = ++key[i]->ve_key.vk_ctr;
		}
		int n = vcmp_encode(&m, out, VCMP_V2_MAX_LEN);
		uint8_t dg[VKEY_LEN];
		if (n > 0 && p->p_x->x_cmd == VCMP_UPD && vkey_digest(out, vcmp_body_len(out), dg) != 0)
			n = -1;
		for (size_t i = 0; n > 0 && i < cnt; i++)
			if (key[i] && vkey_tag(key[i]->ve_key.vk_key, dg, sizeof(dg), (uint16_t)i,
			    e[i].ve_ctr, out + vcmp_tag_off(out, (uint16_t)i)) != 0)
				n = -1;
		if (n < 0 || bufferevent_write(bev, out, (size_t)n) != 0) {
			peer_over(p, "cannot encode the message");
			return;
		}
	}
}

static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	struct xpeer *p = arg;
	struct vcmp_entry *e;
	uint8_t *out;

	if (!(what & BEV_EVENT_CONNECTED)) {
		peer_over(p, what & BEV_EVENT_EOF ? "closed without an answer" :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return;
	}
	/* for this call only, as in peer_read */
	e = malloc(VCMP_V2_MAX_ENTRIES * sizeof(*e));
	out = malloc(VCMP_V2_MAX_LEN);
	if (e == NULL || out == NULL)
		peer_over(p, "out of memory");
	else
		send_requests(p, bev, e, out);	/* may free p */
	free(e);
	free(out);
}

/* the time is up (or, from x_early, a peer could not even start): every
 * peer not done yet is over */
static void
time_up(void *arg)
{
	struct xchg *x = arg;
	size_t n = x->x_npeers;

	/* the last peer_over calls back, which may free x: count first */
	for (size_t i = 0; i < n; i++)
		if (!x->x_peers[i].p_done) {
			bool last = x->x_pending == 1;
			peer_over(&x->x_peers[i], x->x_peers[i].p_err ? x->x_peers[i].p_err :
			    "no answer in time");
			if (last)
				return;
		}
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	time_up(arg);
}

/* one exchange per peer, however many connections it shares with us */
static int
group_peers(struct xchg *x)
{
	if ((x->x_peers = calloc(x->x_n ? x->x_n : 1, sizeof(*x->x_peers))) == NULL)
		return -1;
	for (size_t i = 0; i < x->x_n; i++) {
		const struct vnat_tuple *t = &x->x_tr[i];
		size_t al = tuple_alen(t->t_family), k;
		struct xpeer *p;
		for (k = 0; k < x->x_npeers; k++)
			if (x->x_peers[k].p_family == t->t_family &&
			    memcmp(x->x_peers[k].p_addr, t->t_rphy, al) == 0 &&
			    x->x_peers[k].p_n < VCMP_EXCHANGE_MAX_MSGS * per_msg(x))
				break;
		p = &x->x_peers[k];
		if (k == x->x_npeers) {
			p->p_x = x;
			p->p_family = t->t_family;
			memcpy(p->p_addr, t->t_rphy, al);
			x->x_npeers++;
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

static void
connect_peer(struct xpeer *p, uint16_t port)
{
	struct sockaddr_storage ss;
	int sl = (int)addr_sockaddr(p->p_family, p->p_addr, port, &ss), fd;

	/* our own socket: libevent 2.1 would make one without close-on-exec */
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    (p->p_bev = bufferevent_socket_new(p->p_x->x_v->v_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		/* reported from the loop, never from inside xchg_start */
		p->p_err = fd < 0 ? "cannot make a socket" : "out of memory";
		if (fd >= 0)
			close(fd);
		defer_run(p->p_x->x_early);
		return;
	}
	bufferevent_setcb(p->p_bev, peer_read, NULL, peer_event, p);
	bufferevent_enable(p->p_bev, EV_READ | EV_WRITE);
	/* errors come back through peer_event, from the loop */
	bufferevent_socket_connect(p->p_bev, (struct sockaddr *)&ss, sl);
}

struct xchg *
xchg_start(struct vnat *v, uint8_t cmd, struct vnat_tuple *t, size_t n, xchg_done_cb done,
    void *arg)
{
	struct timeval tv = { XCHG_TIMEOUT_S, 0 };
	struct xchg *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		free(t);
		return NULL;
	}
	x->x_v = v;
	x->x_cmd = cmd;
	x->x_done = done;
	x->x_arg = arg;
	x->x_tr = t;
	x->x_n = n;
	if ((x->x_ok = calloc(n ? n : 1, sizeof(*x->x_ok))) == NULL || group_peers(x) != 0 ||
	    (x->x_timer = evtimer_new(v->v_base, on_timeout, x)) == NULL ||
	    (x->x_early = defer_new(v->v_base, time_up, x)) == NULL) {
		xchg_close(x);
		return NULL;
	}
	x->x_pending = x->x_npeers;
	evtimer_add(x->x_timer, &tv);
	for (size_t k = 0; k < x->x_npeers; k++)
		connect_peer(&x->x_peers[k], endpoint_port(v));
	return x;
}
