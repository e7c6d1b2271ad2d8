/* endpoint: the peer's side of VNAT_UPD / VNAT_UPD_R. */
#include "vnat/endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "common/err.h"
#include "common/log.h"
#include "vnat/sockdiag.h"
#include "vnat/vcmp.h"

#define VCMP_IDLE_S	30

struct vcmp_sess {
	TAILQ_ENTRY(vcmp_sess)	 vs_entry;
	struct vnat		*vs_v;
	struct bufferevent	*vs_bev;
	char			 vs_peer[64];
};

/* the one teardown of a session */
static void
sess_close(struct vcmp_sess *s, const char *why)
{
	log_debug("vcmp %s: %s", s->vs_peer, why);
	TAILQ_REMOVE(&s->vs_v->v_sess, s, vs_entry);
	bufferevent_free(s->vs_bev);
	free(s);
}

struct match {
	const struct vcmp_msg	*m_msg;
	uint8_t			*m_found;	/* per entry */
};

/* a local connection that one of the entries names: local = the mover's
 * remote virtual end, remote = the mover's local virtual end */
static int
match_conn(const struct sd_conn *c, void *arg)
{
	struct match *mt = arg;
	const struct vcmp_msg *m = mt->m_msg;
	size_t al = m->vm_family == 6 ? 16 : 4;

	if (c->sc_family != (m->vm_family == 6 ? AF_INET6 : AF_INET))
		return 0;

	for (uint16_t i = 0; i < m->vm_count; i++) {
		const struct vcmp_entry *e = &m->vm_e[i];
		if (!mt->m_found[i] && e->ve_proto == c->sc_proto &&
		    e->ve_rvir_port == c->sc_lport && e->ve_lvir_port == c->sc_rport &&
		    memcmp(e->ve_rvir, c->sc_laddr, al) == 0 && memcmp(e->ve_lvir, c->sc_raddr, al) == 0)
			mt->m_found[i] = 1;
	}
	return 0;
}

static void
our_side(struct vnat *v, const struct vcmp_msg *m, const struct vcmp_entry *e, struct nftx_tr *t)
{
	size_t al = m->vm_family == 6 ? 16 : 4;
	const struct nftx_tr *cur;

	memset(t, 0, sizeof(*t));
	t->t_family = m->vm_family;
	t->t_proto = e->ve_proto;
	memcpy(t->t_lvir, e->ve_rvir, al);
	t->t_lvir_port = e->ve_rvir_port;
	memcpy(t->t_rvir, e->ve_lvir, al);
	t->t_rvir_port = e->ve_lvir_port;
	memcpy(t->t_rphy, e->ve_lphy, al);
	t->t_rphy_port = e->ve_lphy_port;
	/* our own end: where it is now (moved earlier, or never) */
	if ((cur = vnat_find(v, t)) != NULL) {
		memcpy(t->t_lphy, cur->t_lphy, al);
		t->t_lphy_port = cur->t_lphy_port;
		t->t_id = cur->t_id;
	} else {
		memcpy(t->t_lphy, e->ve_rvir, al);
		t->t_lphy_port = e->ve_rvir_port;
	}
}

/* handles one whole, valid VNAT_UPD; fills the answer entries in m */
static void
handle_upd(struct vcmp_sess *s, struct vcmp_msg *m)
{
	struct vnat *v = s->vs_v;
	uint8_t *found = calloc(m->vm_count, 1);
	struct nftx_tr *t = calloc(m->vm_count, sizeof(*t));
	struct match mt = { m, found };
	size_t n = 0, al = m->vm_family == 6 ? 16 : 4;
	char err[512];

	if (found == NULL || t == NULL)
		goto out;
	/* IPv4 connections may sit on IPv6 sockets (v4-mapped): both families */
	for (int proto = 6; proto <= 17; proto += 11)
		for (int af = 0; af < 2; af++)
			if (sd_dump(af ? AF_INET6 : AF_INET, (uint8_t)proto, match_conn, &mt) != 0)
				log_warn("vcmp %s: sock_diag", s->vs_peer);
	for (uint16_t i = 0; i < m->vm_count; i++) {
		if (found[i])
			our_side(v, m, &m->vm_e[i], &t[n++]);
		else
			v->v_st.vs_unknown++;
	}
	if (n && vnat_apply(v, t, n, err, sizeof(err)) != 0) {
		log_warnx("vcmp %s: %s", s->vs_peer, err);
		memset(found, 0, m->vm_count);
	} else
		v->v_st.vs_updated += n;
	log_info("vcmp %s: VNAT_UPD for %u connection(s): %zu updated, %u unknown", s->vs_peer,
	    m->vm_count, n, m->vm_count - (unsigned)n);
	/* the answer: our physical end, or 0.0.0.0:0 for a connection we do not have */
	n = 0;
	for (uint16_t i = 0; i < m->vm_count; i++) {
		struct vcmp_entry *e = &m->vm_e[i];
		if (found[i]) {
			memcpy(e->ve_lphy, t[n].t_lphy, al);
			e->ve_lphy_port = t[n].t_lphy_port;
			n++;
		} else {
			memset(e->ve_lphy, 0, sizeof(e->ve_lphy));
			e->ve_lphy_port = 0;
		}
	}
out:
	free(found);
	free(t);
}

static void
sess_read(struct bufferevent *bev, void *arg)
{
	static struct vcmp_entry ents[VCMP_V2_MAX_ENTRIES];
	static uint8_t out[VCMP_V2_MAX_LEN];
	struct vcmp_sess *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		size_t len = evbuffer_get_length(in), want = len < VCMP_V2_MAX_LEN ? len : VCMP_V2_MAX_LEN;
		uint8_t *p;
		struct vcmp_msg m = { .vm_e = ents, .vm_cap = VCMP_V2_MAX_ENTRIES };
		int n, k;
		char why[96];

		if (len == 0)
			return;
		p = evbuffer_pullup(in, (ssize_t)want);
		n = vcmp_validate(p, want);
		if (n == VNET_ERR_SHORT)
			return;		/* wait; at most one message is buffered */
		if (n < 0 || vcmp_decode(p, (size_t)n, &m) < 0 || m.vm_cmd != VCMP_UPD) {
			s->vs_v->v_st.vs_bad++;
			snprintf(why, sizeof(why), "refused: %s (first bytes %02x %02x)",
			    n < 0 ? vnet_strerror(n) : "not a VNAT_UPD", p[0], want > 1 ? p[1] : 0);
			log_warnx("vcmp %s: %s", s->vs_peer, why);
			sess_close(s, why);
			return;
		}
		s->vs_v->v_st.vs_msgs++;
		handle_upd(s, &m);
		evbuffer_drain(in, (size_t)n);
		m.vm_cmd = VCMP_UPD_R;
		if ((k = vcmp_encode(&m, out, sizeof(out))) > 0)
			bufferevent_write(bev, out, (size_t)k);
	}
}

static void
sess_event(struct bufferevent *bev, short what, void *arg)
{
	struct vcmp_sess *s = arg;
	size_t left = evbuffer_get_length(bufferevent_get_input(bev));

	if (what & BEV_EVENT_TIMEOUT)
		sess_close(s, "idle");
	else if (left) {
		s->vs_v->v_st.vs_bad++;
		log_warnx("vcmp %s: closed with %zu bytes of a message unread (truncated)",
		    s->vs_peer, left);
		sess_close(s, "truncated message");
	} else
		sess_close(s, "closed");
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct vnat *v = arg;
	struct vcmp_sess *s = calloc(1, sizeof(*s));
	struct timeval idle = { VCMP_IDLE_S, 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	char host[INET6_ADDRSTRLEN] = "?";

	(void)l;
	(void)salen;
	if (s == NULL ||
	    (s->vs_bev = bufferevent_socket_new(v->v_base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(s);
		evutil_closesocket(fd);
		return;
	}
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
	snprintf(s->vs_peer, sizeof(s->vs_peer), "%s:%u", host,
	    sa->sa_family == AF_INET ? ntohs(s4->sin_port) : 0);
	s->vs_v = v;
	TAILQ_INSERT_TAIL(&v->v_sess, s, vs_entry);
	bufferevent_setcb(s->vs_bev, sess_read, NULL, sess_event, s);
	/* at most one message (and its answer) in memory per session */
	bufferevent_setwatermark(s->vs_bev, EV_READ, 0, VCMP_V2_MAX_LEN);
	bufferevent_set_timeouts(s->vs_bev, &idle, NULL);
	bufferevent_enable(s->vs_bev, EV_READ | EV_WRITE);
}

struct evconnlistener *
vcmp_listen(struct vnat *v, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct evconnlistener *l;

	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	l = evconnlistener_new_bind(v->v_base, on_accept, v, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16, (struct sockaddr *)&sin, sizeof(sin));
	if (l == NULL)
		snprintf(err, errlen, "cannot listen for VCMP on port %u: %s", port,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	return l;
}

void
vcmp_close_all(struct vnat *v)
{
	struct vcmp_sess *s;

	while ((s = TAILQ_FIRST(&v->v_sess)) != NULL)
		sess_close(s, "vnat stopping");
}
