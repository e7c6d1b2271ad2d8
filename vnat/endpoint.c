/* endpoint: the peer's side of VCMP: VNAT_SUS and VNAT_UPD, answered. */
#include "vnat/endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "common/err.h"
#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/core.h"
#include "vnat/flows.h"
#include "vnat/kick.h"
#include "vnat/sockdiag.h"
#include "vnat/vcmp.h"
#include "vnat/vkey.h"

struct vcmp_sess {
	TAILQ_ENTRY(vcmp_sess)	 vs_entry;	/* ep_sess: idle longest first */
	struct vnat		*vs_v;
	struct bufferevent	*vs_bev;
	struct event		*vs_deadline;	/* --vcmp-deadline for the next whole message */
	bool			 vs_answering;	/* reading stopped until the answer is sent */
	char			 vs_peer[64];
	struct vlimit_src	 vs_src;
	/* the exchange being read: its entries and each message's count;
	 * vs_capacc entries are charged to ep_held */
	struct vcmp_entry	*vs_acc;
	size_t			 vs_nacc, vs_capacc, vs_nmsgs;
	uint16_t		 vs_counts[VCMP_EXCHANGE_MAX_MSGS];
	uint8_t			 vs_family, vs_version, vs_cmd;
	uint8_t			*vs_verdict;	/* VNAT_UPD: per entry, enum vkey_verdict */
	uint8_t			 vs_key[VCMP_KEY_LEN];	/* VNAT_SUS: the mover's key */
	bool			 vs_keyed;
	uint8_t			 vs_afam, vs_addr[16];	/* the peer's address (4 or 6) */
	struct vkey_pair	 vs_kp;		/* our half of a VNAT_SUS exchange's key */
	/* VNAT_UPD's backed-off connections, kicked when the mover closes the
	 * session (it does once its own side is translated both ways and
	 * kicked) or after VCMP_KICK_WAIT_MS: kicked at once, their
	 * retransmissions would reach the mover before its output side is
	 * translated, and what its socket sends in reply would leave by the
	 * old address and wait for a backed-off timer of its own */
	struct kick_set		 vs_kick;
	struct event		*vs_kick_ev;
};

#define VCMP_KICK_WAIT_MS	200

static void
sess_kick(struct vcmp_sess *s)
{
	if (s->vs_kick_ev)
		evtimer_del(s->vs_kick_ev);
	if (s->vs_kick.ks_n)
		s->vs_v->v_st.vs_kicked += kick_fire(&s->vs_kick, NULL, 0, "vcmp: VNAT_UPD");
}

static void
kick_due(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sess_kick(arg);
}

/* frees the exchange's entries and gives their charge back */
static void
sess_release(struct vcmp_sess *s)
{
	s->vs_v->v_ep.ep_held -= s->vs_capacc;
	free(s->vs_acc);
	free(s->vs_verdict);
	s->vs_acc = NULL;
	s->vs_verdict = NULL;
	s->vs_nacc = s->vs_capacc = s->vs_nmsgs = 0;
}

/* the one teardown of a session */
static void
sess_close(struct vcmp_sess *s, const char *why)
{
	log_debug_rl("vcmp %s: %s", s->vs_peer, why);
	sess_kick(s);
	if (s->vs_kick_ev)
		event_free(s->vs_kick_ev);
	TAILQ_REMOVE(&s->vs_v->v_ep.ep_sess, s, vs_entry);
	bufferevent_free(s->vs_bev);
	if (s->vs_deadline)
		event_free(s->vs_deadline);
	sess_release(s);
	vkey_pair_free(&s->vs_kp);
	free(s);
}

/* a session the limits close (vnat/vlimit): counted with the refused */
static void
sess_refuse(struct vcmp_sess *s, const char *why)
{
	s->vs_v->v_st.vs_bad++;
	sess_close(s, why);
}

/* a whole message arrived: the session is the one idle least, and has
 * the deadline again for the next */
static void
sess_mark(struct vcmp_sess *s)
{
	struct timeval dl = { (time_t)s->vs_v->v_ep.ep_lim.vl_deadline, 0 };

	TAILQ_REMOVE(&s->vs_v->v_ep.ep_sess, s, vs_entry);
	TAILQ_INSERT_TAIL(&s->vs_v->v_ep.ep_sess, s, vs_entry);
	evtimer_add(s->vs_deadline, &dl);
}

static void
sess_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct vcmp_sess *s = arg;
	size_t part = evbuffer_get_length(bufferevent_get_input(s->vs_bev));

	(void)fd;
	(void)what;
	/* a peer that lingers after its answer is merely idle; one that
	 * started a message or an exchange and did not finish it in time is
	 * holding the session (a trickle) */
	if (part == 0 && s->vs_nmsgs == 0) {
		sess_close(s, "idle");
		return;
	}
	log_warnx_rl("vcmp %s: closed: no whole message for %u s (--vcmp-deadline; %zu bytes "
	    "of one, %zu message(s) of an exchange)", s->vs_peer, s->vs_v->v_ep.ep_lim.vl_deadline,
	    part, s->vs_nmsgs);
	sess_refuse(s, "deadline");
}

struct match {
	struct vtab	 m_keys;	/* the entries, by our virtual tuple; t_id = index + 1 */
	uint8_t		*m_found;	/* per entry */
	uint32_t	*m_inode;	/* per entry: the socket's inode */
	uint8_t		*m_kick;	/* per entry: worth a kick (vnat/kick) */
	struct vtab	*m_socks;	/* VNAT_UPD: every socket, for conflicts */
	const char	*m_peer;	/* for the log */
};

/* the virtual tuple of entry e as seen from here: local = the mover's
 * remote virtual end, remote = the mover's local virtual end */
static void
entry_key(uint8_t family, const struct vcmp_entry *e, struct vnat_tuple *k)
{
	size_t al = tuple_alen(family);

	memset(k, 0, sizeof(*k));
	k->t_family = family;
	k->t_proto = e->ve_proto;
	memcpy(k->t_lvir, e->ve_rvir, al);
	k->t_lvir_port = e->ve_rvir_port;
	memcpy(k->t_rvir, e->ve_lvir, al);
	k->t_rvir_port = e->ve_lvir_port;
}

/* a local connection that one of the entries names */
static int
match_conn(const struct sd_conn *c, void *arg)
{
	struct match *mt = arg;
	struct vnat_tuple k;
	struct vtab_ent *e;

	if (mt->m_socks)
		conns_index(mt->m_socks, c);
	conns_identity(c, &k);
	if ((e = vtab_find(&mt->m_keys, &k)) != NULL) {
		mt->m_found[e->ve_tr.t_id - 1] = 1;
		mt->m_inode[e->ve_tr.t_id - 1] = c->sc_inode;
		mt->m_kick[e->ve_tr.t_id - 1] = kick_worth(c);
	}
	return 0;
}

/* a failed dump is logged; the others are still looked at */
static int
match_failed(uint8_t family, uint8_t proto, void *arg)
{
	(void)family;
	(void)proto;
	log_warn_rl("vcmp %s: sock_diag", ((struct match *)arg)->m_peer);
	return 0;
}

/* the UDP entries no connected socket has: flows of an unconnected socket
 * when one owns the local end and conntrack knows the flow (vnat/flows);
 * flow[i] set for those */
static void
match_flows(uint8_t family, const struct vcmp_entry *ents, size_t n, uint8_t *found,
    uint32_t *inode, uint8_t *flow)
{
	struct vtab socks;
	bool loaded = false;

	vtab_init(&socks);
	for (size_t i = 0; i < n; i++) {
		struct vnat_tuple k;
		if (found[i] || ents[i].ve_proto != IPPROTO_UDP)
			continue;
		if (!loaded && flows_sockets(&socks) != 0)
			log_warn_rl("vcmp: unconnected UDP sockets: sock_diag");
		loaded = true;
		entry_key(family, &ents[i], &k);
		if (flows_owner(&socks, &k, &inode[i]) && flows_known(&k))
			found[i] = flow[i] = 1;
	}
	vtab_clear(&socks);
}

static void
our_side(struct vnat *v, uint8_t family, const struct vcmp_entry *e, struct vnat_tuple *t)
{
	size_t al = tuple_alen(family);
	const struct vnat_tuple *cur;

	entry_key(family, e, t);
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

/* whether entry i may change connection t: an update by its verdict
 * (vnat/vkey), a VNAT_SUS only from the connection's own address (so no one
 * else can plant a key); refusals are counted and logged */
static bool
admitted(struct vcmp_sess *s, uint8_t cmd, const struct vnat_tuple *t, size_t i)
{
	struct vnat *v = s->vs_v;
	size_t al = tuple_alen(t->t_family);
	char a[64];

	tuple_end_text(t->t_family, t->t_rvir, t->t_rvir_port, a, sizeof(a));
	if (cmd == VCMP_SUS) {
		const struct vnat_tuple *cur = vnat_find(v, t);
		const uint8_t *now = cur ? cur->t_rphy : t->t_rvir;
		if (s->vs_afam == t->t_family && memcmp(s->vs_addr, now, al) == 0)
			return true;
		v->v_st.vs_auth_refused++;
		log_warnx_rl("vcmp %s: VNAT_SUS for the connection of %s refused: not sent from "
		    "its address", s->vs_peer, a);
		return false;
	}
	enum vkey_verdict vd = (enum vkey_verdict)s->vs_verdict[i];
	if (vd == VKEY_OK)
		return true;
	if (vd == VKEY_OK_KEYLESS) {
		v->v_st.vs_keyless++;
		log_info_rl("vcmp %s: update for the connection of %s %s", s->vs_peer, a,
		    vkey_verdict_str(vd));
		return true;
	}
	v->v_st.vs_auth_refused++;
	log_warnx_rl("vcmp %s: update for the connection of %s %s", s->vs_peer, a,
	    vkey_verdict_str(vd));
	return false;
}

/* a VNAT_SUS exchange: recorded (CONNS? shows SUSPENDED), and with the
 * mover's key each connection that has none gets one; nothing else changes */
static void
suspended(struct vcmp_sess *s, uint8_t family, const struct vcmp_entry *ents,
    const uint8_t *found, const struct vnat_tuple *t, size_t n, size_t k)
{
	struct vnat *v = s->vs_v;
	uint8_t secret[VKEY_LEN];
	bool keyed = s->vs_keyed && vkey_pair_new(&s->vs_kp) == 0 &&
	    vkey_shared(&s->vs_kp, s->vs_key, secret) == 0;
	size_t i, j, nkeys = 0;

	for (i = 0, j = 0; i < n; i++) {
		bool created;
		if (!found[i])
			continue;
		vtab_put(&v->v_ep.ep_susp, &t[j], &created);
		/* a connection keeps its first key for its whole life */
		if (keyed && keys_keep(v, &t[j], secret, family, ents[i].ve_proto, ents[i].ve_lvir,
		    ents[i].ve_lvir_port, ents[i].ve_rvir, ents[i].ve_rvir_port))
			nkeys++;
		j++;
	}
	explicit_bzero(secret, sizeof(secret));
	v->v_st.vs_suspended += k;
	log_info_rl("vcmp %s: VNAT_SUS for %zu connection(s): %zu suspended (%zu new key(s)), %zu "
	    "unknown or refused", s->vs_peer, n, k, nkeys, n - k);
}

/* handles the n entries of one whole exchange (one look at the sockets, one
 * nftables batch) and turns them into the answer: our physical end, or
 * 0.0.0.0:0 for a connection we do not have */
static void
handle_upd(struct vcmp_sess *s, uint8_t cmd, uint8_t family, struct vcmp_entry *ents, size_t n)
{
	struct vnat *v = s->vs_v;
	uint8_t *found = calloc(n, 1), *kick = calloc(n, 1), *flow = calloc(n, 1);
	uint32_t *inode = calloc(n, sizeof(*inode)), *kin = calloc(n, sizeof(*kin));
	struct vnat_tuple *t = calloc(n, sizeof(*t));
	struct match mt;
	struct vtab socks;
	size_t i, k = 0, al = tuple_alen(family);
	char err[512];

	vtab_init(&mt.m_keys);
	vtab_init(&socks);
	mt.m_found = found;
	mt.m_inode = inode;
	mt.m_kick = kick;
	/* an update must not take the tuple of another connection of ours */
	mt.m_socks = cmd == VCMP_UPD ? &socks : NULL;
	mt.m_peer = s->vs_peer;
	if (found == NULL || kick == NULL || t == NULL || inode == NULL || kin == NULL ||
	    flow == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		struct vnat_tuple key;
		bool created;
		entry_key(family, &ents[i], &key);
		key.t_id = (uint32_t)i + 1u;
		if (vtab_put(&mt.m_keys, &key, &created) == NULL)
			goto out;
	}
	/* IPv4 connections may sit on IPv6 sockets (v4-mapped): both families */
	sd_dump_all(match_conn, match_failed, &mt);
	match_flows(family, ents, n, found, inode, flow);
	for (i = 0; i < n; i++) {
		if (!found[i]) {
			v->v_st.vs_unknown++;
			continue;
		}
		our_side(v, family, &ents[i], &t[k]);
		/* an unconnected socket sees the truth: only what it sends to
		 * the old address is sent to the new one; in mode hide its input
		 * is translated too, so it sees the old address only */
		if (flow[i])
			t[k].t_dirs = flows_hidden(v, inode[i]) ? 0 : TUPLE_OUT;
		if (!admitted(s, cmd, &t[k], i))
			found[i] = 0;
		else if (cmd == VCMP_UPD && conflict_hit(&socks, &t[k])) {
			v->v_st.vs_conflicts++;
			log_warnx_rl("vcmp %s: update refused: its new tuple is another connection's "
			    "(conflict)", s->vs_peer);
			found[i] = 0;
		} else
			kin[k++] = kick[i] ? inode[i] : 0;
	}
	if (cmd == VCMP_SUS) {
		suspended(s, family, ents, found, t, n, k);
		for (i = 0, k = 0; i < n; i++)	/* the inodes of the suspended ones, as t */
			if (found[i])
				inode[k++] = inode[i];
		helper_suspend(v, t, inode, k);
		flows_pin_suspended(t, k);	/* UDP flows outlive a long suspension */
		goto out;
	}
	/* an earlier exchange's kicks first; then snd_una before the new path
	 * is in place (vnat/kick), kicked when the session ends (sess_kick) */
	sess_kick(s);
	kick_prepare(&s->vs_kick, t, kin, k);
	if (k && vnat_apply(v, t, k, err, sizeof(err)) != 0) {
		log_warnx_rl("vcmp %s: %s", s->vs_peer, err);
		memset(found, 0, n);
		kick_clear(&s->vs_kick);
	} else {
		struct timeval wait = { 0, VCMP_KICK_WAIT_MS * 1000 };
		v->v_st.vs_updated += k;
		if (s->vs_kick.ks_n && s->vs_kick_ev == NULL)
			s->vs_kick_ev = evtimer_new(v->v_base, kick_due, s);
		if (s->vs_kick.ks_n && (s->vs_kick_ev == NULL || evtimer_add(s->vs_kick_ev, &wait) != 0))
			sess_kick(s);	/* no timer: now, then */
	}
	for (i = 0; i < k; i++) {	/* resumed, if they were suspended */
		struct vtab_ent *e = vtab_find(&v->v_ep.ep_susp, &t[i]);
		if (e)
			vtab_del(&v->v_ep.ep_susp, e);
		helper_resume(v, &t[i], "resumed");
	}
	log_info_rl("vcmp %s: VNAT_UPD for %zu connection(s): %zu updated, %zu unknown", s->vs_peer,
	    n, k, n - k);
out:
	for (i = 0, k = 0; i < n; i++) {
		struct vcmp_entry *e = &ents[i];
		if (found && t && found[i]) {
			memcpy(e->ve_lphy, t[k].t_lphy, al);
			e->ve_lphy_port = t[k].t_lphy_port;
			k++;
		} else {
			memset(e->ve_lphy, 0, sizeof(e->ve_lphy));
			e->ve_lphy_port = 0;
		}
	}
	vtab_clear(&mt.m_keys);
	vtab_clear(&socks);
	free(found);
	free(flow);
	free(kick);
	free(inode);
	free(kin);
	free(t);
}

/* answers the whole exchange, message by message, as it was asked */
static void
answer(struct vcmp_sess *s)
{
	uint8_t *out = malloc(VCMP_V2_MAX_LEN);	/* for this call only */
	size_t off = 0;

	if (out == NULL)
		log_warnx_rl("vcmp %s: out of memory: the exchange is not answered", s->vs_peer);
	for (size_t i = 0; out != NULL && i < s->vs_nmsgs; i++) {
		struct vcmp_msg m = { .vm_version = s->vs_version, .vm_cmd = s->vs_cmd + 1,
		    .vm_family = s->vs_family, .vm_count = s->vs_counts[i], .vm_e = s->vs_acc + off,
		    .vm_cap = s->vs_counts[i], .vm_flags = (i + 1 < s->vs_nmsgs ? VCMP_F_MORE : 0) |
		    (s->vs_kp.kp_pkey ? VCMP_F_KEY : 0) };
		memcpy(m.vm_key, s->vs_kp.kp_pub, sizeof(m.vm_key));
		int k = vcmp_encode(&m, out, VCMP_V2_MAX_LEN);
		if (k > 0)
			bufferevent_write(s->vs_bev, out, (size_t)k);
		off += s->vs_counts[i];
	}
	free(out);
	sess_release(s);
	s->vs_keyed = false;
	vkey_pair_free(&s->vs_kp);
	/* a peer that does not read its answers must not pile up more of them:
	 * no more input until this one is out (sess_write), and a deadline on
	 * the sending instead of on the next message */
	if (evbuffer_get_length(bufferevent_get_output(s->vs_bev)) > 0) {
		struct timeval dl = { (time_t)s->vs_v->v_ep.ep_lim.vl_deadline, 0 };
		s->vs_answering = true;
		evtimer_del(s->vs_deadline);
		bufferevent_disable(s->vs_bev, EV_READ);
		bufferevent_set_timeouts(s->vs_bev, NULL, &dl);
	}
}

/* the verdict on each entry of a VNAT_UPD (raw: the message as received,
 * whose bytes the tags cover) */
static void
judge(struct vcmp_sess *s, const struct vcmp_msg *m, const uint8_t *raw, uint8_t *verdict)
{
	bool auth = m->vm_version == VCMP_V2 && (m->vm_flags & VCMP_F_AUTH);
	uint8_t dg[VKEY_LEN];

	/* every tag covers the whole message through its digest */
	if (auth && vkey_digest(raw, vcmp_body_len(raw), dg) != 0)
		auth = false;	/* then every keyed entry is refused */

	for (uint16_t i = 0; i < m->vm_count; i++) {
		const struct vcmp_entry *e = &m->vm_e[i];
		struct vnat_tuple k;
		struct vtab_ent *rec;
		uint64_t none = 0;
		entry_key(m->vm_family, e, &k);
		rec = keys_find(s->vs_v, &k);
		verdict[i] = (uint8_t)vkey_judge(rec ? rec->ve_key.vk_key : NULL,
		    rec ? &rec->ve_key.vk_ctr : &none, s->vs_v->v_ep.ep_secure, dg, sizeof(dg), i,
		    auth ? e->ve_ctr : 0, auth ? e->ve_tag : NULL);
	}
}

/* room for want entries in s's exchange, within its cap and the cap of all
 * sessions (sessions idle longer than s holding entries give way, idle
 * longest first); -1 with why set */
static int
reserve(struct vcmp_sess *s, size_t want, char *why, size_t len)
{
	struct vnat *v = s->vs_v;
	struct endpoint_part *ep = &v->v_ep;
	struct vcmp_sess *o, *next;
	size_t cap, shortby;
	enum vlimit_mem r = vlimit_need(&ep->ep_lim, s->vs_capacc, ep->ep_held, want, &cap,
	    &shortby);

	if (r == VLIMIT_MEM_SESSION) {
		snprintf(why, len, "refused: exchange over %u entries (--vcmp-entries)",
		    ep->ep_lim.vl_entries);
		return -1;
	}
	/* s was marked on this message: every session before it is idle longer */
	for (o = TAILQ_FIRST(&ep->ep_sess); r == VLIMIT_MEM_TOTAL && o && o != s; o = next) {
		next = TAILQ_NEXT(o, vs_entry);
		if (o->vs_capacc == 0)
			continue;
		log_warnx_rl("vcmp %s: unvalidated entries at --vcmp-pending %u: %s (%zu held), "
		    "idle longest, gives way", s->vs_peer, ep->ep_lim.vl_pending, o->vs_peer,
		    o->vs_capacc);
		sess_refuse(o, "gave way (memory)");
		r = vlimit_need(&ep->ep_lim, s->vs_capacc, ep->ep_held, want, &cap, &shortby);
	}
	if (r == VLIMIT_MEM_TOTAL) {
		snprintf(why, len, "refused: %zu more entries than --vcmp-pending %u allows",
		    shortby, ep->ep_lim.vl_pending);
		return -1;
	}
	if (cap > s->vs_capacc) {
		struct vcmp_entry *a = realloc(s->vs_acc, cap * sizeof(*a));
		uint8_t *vd;
		if (a != NULL)
			s->vs_acc = a;
		if (a == NULL || (vd = realloc(s->vs_verdict, cap)) == NULL) {
			snprintf(why, len, "out of memory");
			return -1;
		}
		s->vs_verdict = vd;
		ep->ep_held += cap - s->vs_capacc;
		s->vs_capacc = cap;
	}
	return 0;
}

/* adds a decoded message to the exchange being read; -1 with why set if it
 * does not belong to it or is over a limit */
static int
collect(struct vcmp_sess *s, const struct vcmp_msg *m, const uint8_t *raw, char *why,
    size_t len)
{
	if (s->vs_nmsgs && (m->vm_family != s->vs_family || m->vm_version != s->vs_version ||
	    m->vm_cmd != s->vs_cmd)) {
		snprintf(why, len, "refused: another family, version or command in one exchange");
		return -1;
	}
	if (s->vs_nmsgs == VCMP_EXCHANGE_MAX_MSGS) {
		snprintf(why, len, "refused: exchange longer than %d messages", VCMP_EXCHANGE_MAX_MSGS);
		return -1;
	}
	if (reserve(s, s->vs_nacc + m->vm_count, why, len) != 0)
		return -1;
	if (m->vm_cmd == VCMP_UPD)
		judge(s, m, raw, s->vs_verdict + s->vs_nacc);
	if (s->vs_nmsgs == 0 && (m->vm_flags & VCMP_F_KEY)) {
		memcpy(s->vs_key, m->vm_key, sizeof(s->vs_key));
		s->vs_keyed = true;
	}
	memcpy(s->vs_acc + s->vs_nacc, m->vm_e, m->vm_count * sizeof(*m->vm_e));
	s->vs_nacc += m->vm_count;
	s->vs_counts[s->vs_nmsgs++] = m->vm_count;
	s->vs_family = m->vm_family;
	s->vs_version = m->vm_version;
	s->vs_cmd = m->vm_cmd;
	return 0;
}

static void
sess_read(struct bufferevent *bev, void *arg)
{
	struct vcmp_sess *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		size_t len = evbuffer_get_length(in), want = len < VCMP_V2_MAX_LEN ? len : VCMP_V2_MAX_LEN;
		uint8_t *p;
		struct vcmp_msg m = { .vm_e = NULL };
		int n, r;
		char why[96];

		if (len == 0)
			return;
		p = evbuffer_pullup(in, (ssize_t)want);
		n = vcmp_validate(p, want);
		if (n == VNET_ERR_SHORT)
			return;		/* wait; at most one message is buffered */
		/* this message's entries alone, until collect has copied them */
		if (n >= 0) {
			m.vm_cap = vcmp_count(p);
			if ((m.vm_e = malloc(m.vm_cap * sizeof(*m.vm_e))) == NULL) {
				sess_close(s, "out of memory");
				return;
			}
		}
		if (n < 0 || vcmp_decode(p, (size_t)n, &m) < 0 ||
		    (m.vm_cmd != VCMP_UPD && m.vm_cmd != VCMP_SUS)) {
			s->vs_v->v_st.vs_bad++;
			snprintf(why, sizeof(why), "refused: %s (first bytes %02x %02x)",
			    n < 0 ? vnet_strerror(n) : "not a VNAT_UPD or VNAT_SUS", p[0],
			    want > 1 ? p[1] : 0);
			log_warnx_rl("vcmp %s: %s", s->vs_peer, why);
			free(m.vm_e);
			sess_close(s, why);
			return;
		}
		s->vs_v->v_st.vs_msgs++;
		sess_mark(s);
		r = collect(s, &m, p, why, sizeof(why));
		free(m.vm_e);
		if (r != 0) {
			s->vs_v->v_st.vs_bad++;
			log_warnx_rl("vcmp %s: %s", s->vs_peer, why);
			sess_close(s, why);
			return;
		}
		evbuffer_drain(in, (size_t)n);
		if (m.vm_flags & VCMP_F_MORE)
			continue;
		/* applied and answered here, within this callback: the deadline
		 * never runs while a peer waits for its answer to be made */
		handle_upd(s, s->vs_cmd, s->vs_family, s->vs_acc, s->vs_nacc);
		answer(s);
		if (s->vs_answering)
			return;
	}
}

/* the output drained: an answer that was waiting is out */
static void
sess_write(struct bufferevent *bev, void *arg)
{
	struct vcmp_sess *s = arg;
	struct timeval dl = { (time_t)s->vs_v->v_ep.ep_lim.vl_deadline, 0 };

	if (!s->vs_answering)
		return;
	s->vs_answering = false;
	bufferevent_set_timeouts(bev, NULL, NULL);
	evtimer_add(s->vs_deadline, &dl);
	bufferevent_enable(bev, EV_READ);
	/* what arrived meanwhile raises no read event of its own */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		sess_read(bev, s);
}

static void
sess_event(struct bufferevent *bev, short what, void *arg)
{
	struct vcmp_sess *s = arg;
	size_t left = evbuffer_get_length(bufferevent_get_input(bev));

	if (what & BEV_EVENT_TIMEOUT) {
		log_warnx_rl("vcmp %s: closed: its answer not taken for %u s (--vcmp-deadline)",
		    s->vs_peer, s->vs_v->v_ep.ep_lim.vl_deadline);
		sess_refuse(s, "answer not read");
	} else if (left) {
		s->vs_v->v_st.vs_bad++;
		log_warnx_rl("vcmp %s: closed with %zu bytes of a message unread (truncated)",
		    s->vs_peer, left);
		sess_close(s, "truncated message");
	} else
		sess_close(s, "closed");
}

/* the peer's address as family 4 or 6 and its bytes (IPv4-mapped as IPv4) */
static void
peer_addr(const struct sockaddr *sa, uint8_t *family, uint8_t addr[16])
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		*family = 4;
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*family = 4;
		memcpy(addr, &s6->sin6_addr.s6_addr[12], 4);
	} else {
		*family = 6;
		memcpy(addr, &s6->sin6_addr, 16);
	}
}

/* "198.18.1.10:4242" (an IPv4-mapped peer as IPv4) or "[fd00::1]:4242" */
static void
peer_name(const struct sockaddr *sa, char *buf, size_t len)
{
	uint8_t fam, addr[16];
	uint16_t port = ntohs(sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)sa)->sin6_port);

	peer_addr(sa, &fam, addr);
	tuple_end_text(fam, addr, port, buf, len);
}

/* room for a session from src: the source's own session idle longest gives
 * way when the source is at its cap (a flood from one address then only
 * displaces itself), else the one idle longest of all when every session
 * is in use (a peer with a real update gets through) */
static void
make_room(struct vnat *v, const struct vlimit_src *src, const char *peer)
{
	struct vcmp_sess *o, *own = NULL;
	size_t nsess = 0, nsrc = 0;

	TAILQ_FOREACH(o, &v->v_ep.ep_sess, vs_entry) {
		nsess++;
		if (vlimit_same_source(&o->vs_src, src) && nsrc++ == 0)
			own = o;
	}
	switch (vlimit_admit(&v->v_ep.ep_lim, nsess, nsrc)) {
	case VLIMIT_EVICT_SOURCE:
		log_warnx_rl("vcmp %s: %zu sessions from its source (--vcmp-per-source): %s, idle "
		    "longest, gives way", peer, nsrc, own->vs_peer);
		sess_refuse(own, "gave way (source)");
		break;
	case VLIMIT_EVICT_OLDEST:
		o = TAILQ_FIRST(&v->v_ep.ep_sess);
		log_warnx_rl("vcmp %s: all %zu sessions in use (--vcmp-sessions): %s, idle "
		    "longest, gives way", peer, nsess, o->vs_peer);
		sess_refuse(o, "gave way (sessions)");
		break;
	case VLIMIT_ADMIT:
		break;
	}
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct vnat *v = arg;
	struct vcmp_sess *s = calloc(1, sizeof(*s));
	struct timeval dl = { (time_t)v->v_ep.ep_lim.vl_deadline, 0 };

	(void)l;
	(void)salen;
	if (s == NULL || (s->vs_deadline = evtimer_new(v->v_base, sess_deadline, s)) == NULL ||
	    (s->vs_bev = bufferevent_socket_new(v->v_base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		if (s && s->vs_deadline)
			event_free(s->vs_deadline);
		free(s);
		evutil_closesocket(fd);
		return;
	}
	peer_name(sa, s->vs_peer, sizeof(s->vs_peer));
	peer_addr(sa, &s->vs_afam, s->vs_addr);
	vlimit_source(s->vs_afam, s->vs_addr, &s->vs_src);
	make_room(v, &s->vs_src, s->vs_peer);
	s->vs_v = v;
	TAILQ_INSERT_TAIL(&v->v_ep.ep_sess, s, vs_entry);
	bufferevent_setcb(s->vs_bev, sess_read, sess_write, sess_event, s);
	/* at most one message in memory per session (and one exchange's
	 * entries, within --vcmp-entries) */
	bufferevent_setwatermark(s->vs_bev, EV_READ, 0, VCMP_V2_MAX_LEN);
	/* the first whole message is due like every later one: a connection
	 * alone holds nothing for longer */
	evtimer_add(s->vs_deadline, &dl);
	bufferevent_enable(s->vs_bev, EV_READ | EV_WRITE);
}

static struct evconnlistener *
listen_at(struct vnat *v, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
	    .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct evconnlistener *l = NULL;
	int fd, off = 0, on = 1;

	/* IPv6 and IPv4 peers on one socket; IPv4 alone where IPv6 is off */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
		    bind(fd, (struct sockaddr *)&s6, sizeof(s6)) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		l = evconnlistener_new(v->v_base, on_accept, v, LEV_OPT_CLOSE_ON_FREE |
		    LEV_OPT_CLOSE_ON_EXEC, 16, fd);
	else {
		s4.sin_addr.s_addr = htonl(INADDR_ANY);
		l = evconnlistener_new_bind(v->v_base, on_accept, v, LEV_OPT_CLOSE_ON_FREE |
		    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16, (struct sockaddr *)&s4,
		    sizeof(s4));
	}
	if (l == NULL)
		snprintf(err, errlen, "cannot listen for VCMP on port %u: %s", port,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	return l;
}

int
endpoint_start(struct vnat *v, const struct vnat_opts *o, char *err, size_t errlen)
{
	struct endpoint_part *ep = &v->v_ep;

	TAILQ_INIT(&ep->ep_sess);
	vtab_init(&ep->ep_susp);
	ep->ep_port = o->vo_port;
	ep->ep_lim = o->vo_lim;
	ep->ep_secure = o->vo_secure;
	return (ep->ep_lst = listen_at(v, o->vo_port, err, errlen)) == NULL ? -1 : 0;
}

void
endpoint_close(struct vnat *v)
{
	struct endpoint_part *ep = &v->v_ep;
	struct vcmp_sess *s;

	if (ep->ep_lst)
		evconnlistener_free(ep->ep_lst);
	ep->ep_lst = NULL;
	while ((s = TAILQ_FIRST(&ep->ep_sess)) != NULL)
		sess_close(s, "vnat stopping");
	vtab_clear(&ep->ep_susp);
}

uint16_t
endpoint_port(const struct vnat *v)
{
	return v->v_ep.ep_port;
}

bool
endpoint_suspended(const struct vnat *v, const struct vnat_tuple *key)
{
	return vtab_find(&v->v_ep.ep_susp, key) != NULL;
}

const char *
endpoint_peer_state(const struct vnat *v, const struct vnat_tuple *key)
{
	const struct vnat_tuple *tr;

	if (endpoint_suspended(v, key))
		return "PEER_SUSPENDED";
	/* only a VNAT_UPD moves the remote end of a translation */
	if ((tr = vnat_find(v, key)) != NULL && (tr->t_rphy_port != tr->t_rvir_port ||
	    memcmp(tr->t_rphy, tr->t_rvir, tuple_alen(tr->t_family)) != 0))
		return "PEER_MOVED";
	return NULL;
}

size_t
endpoint_nsuspended(const struct vnat *v)
{
	return v->v_ep.ep_susp.vt_n;
}

struct vtab *
endpoint_susp_table(struct vnat *v)
{
	return &v->v_ep.ep_susp;
}
