/* flows: flows of unconnected UDP sockets, from conntrack and sock_diag. */
#include "vnat/flows.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/core.h"
#include "vnat/sockdiag.h"

struct socks {
	struct vtab	 *so_tab;
	bool		(*so_want)(uint32_t inode, void *arg);
	void		 *so_arg;
};

static int
index_sock(const struct sd_conn *c, void *arg)
{
	struct socks *s = arg;

	/* not bound: owns no port */
	if (c->sc_lport != 0 && (s->so_want == NULL || s->so_want(c->sc_inode, s->so_arg)))
		conns_index(s->so_tab, c);
	return 0;
}

/* the unconnected sockets that want accepts, indexed in socks */
static int
load_sockets(struct vtab *socks, bool (*want)(uint32_t inode, void *arg), void *arg)
{
	struct socks s = { socks, want, arg };
	int rc = 0;

	if (sd_dump_unconnected(AF_INET, index_sock, &s) != 0)
		rc = -1;
	if (sd_dump_unconnected(AF_INET6, index_sock, &s) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int
flows_sockets(struct vtab *socks)
{
	return load_sockets(socks, NULL, NULL);
}

/* the index's key of a socket of family bound to addr (NULL: wildcard), port */
static const struct vtab_ent *
sock_at(const struct vtab *socks, uint8_t family, const uint8_t *addr, uint16_t port)
{
	struct vnat_tuple k;

	memset(&k, 0, sizeof(k));
	k.t_family = family;
	k.t_proto = IPPROTO_UDP;
	if (addr) {
		memcpy(k.t_lvir, addr, tuple_alen(family));
		memcpy(k.t_lphy, addr, tuple_alen(family));
	}
	k.t_lvir_port = k.t_lphy_port = port;
	return vtab_find(socks, &k);
}

bool
flows_owner(const struct vtab *socks, const struct vnat_tuple *k, uint32_t *inode)
{
	const struct vtab_ent *e;

	if (k->t_proto != IPPROTO_UDP)
		return false;
	/* the most specific first, as the kernel delivers */
	if ((e = sock_at(socks, k->t_family, k->t_lvir, k->t_lvir_port)) == NULL &&
	    (e = sock_at(socks, k->t_family, NULL, k->t_lvir_port)) == NULL &&
	    (k->t_family != 4 || (e = sock_at(socks, 6, NULL, k->t_lvir_port)) == NULL))
		return false;
	*inode = e->ve_sock.ss_inode;
	return true;
}

static int
found_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	(void)type;
	(void)ct;
	*(bool *)arg = true;
	return NFCT_CB_STOP;
}

/* the conntrack query of one direction: src -> dst */
static void
set_tuple(struct nf_conntrack *ct, uint8_t family, const uint8_t *src, uint16_t sport,
    const uint8_t *dst, uint16_t dport)
{
	nfct_set_attr_u8(ct, ATTR_L3PROTO, (uint8_t)tuple_af(family));
	if (family == 6) {
		nfct_set_attr(ct, ATTR_IPV6_SRC, src);
		nfct_set_attr(ct, ATTR_IPV6_DST, dst);
	} else {
		uint32_t s, d;
		memcpy(&s, src, 4);
		memcpy(&d, dst, 4);
		nfct_set_attr_u32(ct, ATTR_IPV4_SRC, s);
		nfct_set_attr_u32(ct, ATTR_IPV4_DST, d);
	}
	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_UDP);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(sport));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(dport));
}

size_t
flows_pin(const struct vnat_tuple *t, size_t n)
{
	struct nfct_handle *h = NULL;
	struct nf_conntrack *ct = NULL;
	size_t pinned = 0;

	if (!flowset_ct_on())
		return flowset_pin(t, n, FLOWS_PIN_S);
	for (size_t i = 0; i < n; i++) {
		const struct vnat_tuple *k = &t[i];
		if (k->t_proto != IPPROTO_UDP)
			continue;
		if (h == NULL && ((h = nfct_open(CONNTRACK, 0)) == NULL || (ct = nfct_new()) == NULL))
			break;
		/* either direction's tuple names the entry */
		set_tuple(ct, k->t_family, k->t_rvir, k->t_rvir_port, k->t_lvir, k->t_lvir_port);
		nfct_set_attr_u32(ct, ATTR_TIMEOUT, FLOWS_PIN_S);
		if (nfct_query(h, NFCT_Q_UPDATE, ct) != 0) {
			set_tuple(ct, k->t_family, k->t_lvir, k->t_lvir_port, k->t_rvir, k->t_rvir_port);
			if (nfct_query(h, NFCT_Q_UPDATE, ct) != 0)
				continue;
		}
		pinned++;
	}
	if (ct)
		nfct_destroy(ct);
	if (h)
		nfct_close(h);
	return pinned;
}

static size_t
count_udp(const struct vnat_tuple *t, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += t[i].t_proto == IPPROTO_UDP;
	return k;
}

void
flows_pin_suspended(const struct vnat_tuple *t, size_t n)
{
	size_t udp = count_udp(t, n);

	if (udp)
		log_info("vnat: flows: %zu of %zu UDP flow(s) pinned in conntrack for %u s",
		    flows_pin(t, n), udp, FLOWS_PIN_S);
}

/* conntrack's UDP timeout in this namespace (30 s when unreadable) */
static unsigned
udp_timeout(void)
{
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_udp_timeout", "re");
	unsigned long t = 30;
	char line[32], *end;

	if (f != NULL) {
		if (fgets(line, sizeof(line), f)) {
			t = strtoul(line, &end, 10);
			if (end == line || t == 0 || t > 86400)
				t = 30;
		}
		fclose(f);
	}
	return (unsigned)t;
}

/* the UDP tuples of table t appended to *out (*n of *cap); false when out of memory */
static bool
gather(struct vtab *t, struct vnat_tuple **out, size_t *n, size_t *cap)
{
	struct vtab_ent *e;

	TAILQ_FOREACH(e, &t->vt_all, ve_all) {
		if (e->ve_tr.t_proto != IPPROTO_UDP)
			continue;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			struct vnat_tuple *p = realloc(*out, c * sizeof(*p));
			if (p == NULL)
				return false;
			*out = p;
			*cap = c;
		}
		(*out)[(*n)++] = e->ve_tr;
	}
	return true;
}

void
flows_repin(struct vnat *v)
{
	struct flows_part *fp = &v->v_flows;
	struct vnat_tuple *t = NULL;
	size_t n = 0, cap = 0;
	struct timespec ts;
	double now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	if (!gather(suspend_table(v), &t, &n, &cap) ||
	    !gather(endpoint_susp_table(v), &t, &n, &cap) || n == 0) {
		fp->fp_since = fp->fp_next = 0;
		free(t);
		return;
	}
	if (fp->fp_since == 0)
		fp->fp_since = now;
	if (now >= fp->fp_next && now - fp->fp_since < FLOWS_PIN_S) {
		flows_pin(t, n);
		fp->fp_next = now + udp_timeout() / 3.0;
	}
	free(t);
}

bool
flows_known(const struct vnat_tuple *k)
{
	struct nfct_handle *h;
	struct nf_conntrack *ct = NULL;
	bool found = false;

	if (!flowset_ct_on())
		return flowset_known(k);
	if ((h = nfct_open(CONNTRACK, 0)) == NULL) {
		log_warn_rl("vnat: flows: conntrack");
		return false;
	}
	if ((ct = nfct_new()) == NULL || nfct_callback_register(h, NFCT_T_ALL, found_cb, &found) != 0)
		goto out;
	/* a lookup by either direction's tuple finds the entry; both are
	 * asked all the same, as the kernel's hash is not a contract */
	set_tuple(ct, k->t_family, k->t_rvir, k->t_rvir_port, k->t_lvir, k->t_lvir_port);
	if (nfct_query(h, NFCT_Q_GET, ct) != 0 || !found) {
		set_tuple(ct, k->t_family, k->t_lvir, k->t_lvir_port, k->t_rvir, k->t_rvir_port);
		if (nfct_query(h, NFCT_Q_GET, ct) != 0)
			found = false;
	}
	if (!found) {
		char a[ADDRFMT_LEN], b[ADDRFMT_LEN];
		log_info_rl("vnat: flows: no conntrack entry for udp %s %s (nothing uses conntrack "
		    "in this namespace, or the flow expired)", tuple_end_text(k->t_family, k->t_lvir,
		    k->t_lvir_port, a, sizeof(a)), tuple_end_text(k->t_family, k->t_rvir,
		    k->t_rvir_port, b, sizeof(b)));
	}
out:
	if (ct)
		nfct_destroy(ct);
	nfct_close(h);
	return found;
}

struct walk {
	struct vtab	 w_socks;	/* unconnected sockets */
	struct vtab	 w_conn;	/* connected ones: theirs are not flows */
	sd_conn_cb	 w_cb;
	void		*w_arg;
	int		 w_stop;
	size_t		 w_entries;	/* conntrack's, of any protocol */
};

/* one direction of a conntrack entry as a local end (src) and a remote one */
static void
end_pair(const struct nf_conntrack *ct, bool reply, uint8_t family, struct sd_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->sc_family = (uint8_t)tuple_af(family);
	c->sc_proto = IPPROTO_UDP;
	c->sc_state = TCP_CLOSE;
	if (family == 6) {
		memcpy(c->sc_laddr, nfct_get_attr(ct, reply ? ATTR_REPL_IPV6_SRC : ATTR_ORIG_IPV6_SRC), 16);
		memcpy(c->sc_raddr, nfct_get_attr(ct, reply ? ATTR_REPL_IPV6_DST : ATTR_ORIG_IPV6_DST), 16);
	} else {
		uint32_t a = nfct_get_attr_u32(ct, reply ? ATTR_REPL_IPV4_SRC : ATTR_ORIG_IPV4_SRC);
		uint32_t b = nfct_get_attr_u32(ct, reply ? ATTR_REPL_IPV4_DST : ATTR_ORIG_IPV4_DST);
		memcpy(c->sc_laddr, &a, 4);
		memcpy(c->sc_raddr, &b, 4);
	}
	c->sc_lport = ntohs(nfct_get_attr_u16(ct, reply ? ATTR_REPL_PORT_SRC : ATTR_ORIG_PORT_SRC));
	c->sc_rport = ntohs(nfct_get_attr_u16(ct, reply ? ATTR_REPL_PORT_DST : ATTR_ORIG_PORT_DST));
}

/* c to the walk's callback when an unconnected socket owns its local end
 * (its inode set in c) and no connected one has it; false when not */
static bool
offer(struct sd_conn *c, struct walk *w)
{
	struct vnat_tuple k;

	conns_identity(c, &k);
	if (!flows_owner(&w->w_socks, &k, &c->sc_inode) || vtab_find(&w->w_conn, &k))
		return false;
	w->w_stop = w->w_cb(c, w->w_arg);
	return true;
}

static int
flow_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct walk *w = arg;
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO), family;

	(void)type;
	w->w_entries++;
	if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_UDP || (l3 != AF_INET && l3 != AF_INET6))
		return NFCT_CB_CONTINUE;
	family = tuple_family(l3);
	/* sent from here (the original direction's source), or received
	 * here (the reply's source: the socket's end, after any DNAT) */
	for (int reply = 0; reply < 2; reply++) {
		struct sd_conn c;
		end_pair(ct, reply, family, &c);
		if (!offer(&c, w))
			continue;
		return w->w_stop ? NFCT_CB_STOP : NFCT_CB_CONTINUE;
	}
	return NFCT_CB_CONTINUE;
}

/* a flow of the sets of vnat/flowset, offered as one of conntrack's */
static int
set_cb(const struct sd_conn *c, void *arg)
{
	struct walk *w = arg;
	struct sd_conn copy = *c;

	w->w_entries++;
	offer(&copy, w);
	return w->w_stop;
}

static int
index_connected(const struct sd_conn *c, void *arg)
{
	if (c->sc_proto == IPPROTO_UDP)
		conns_index(arg, c);
	return 0;
}

int
flows_collect(bool (*want)(uint32_t inode, void *arg), void *warg, sd_conn_cb cb, void *arg)
{
	struct walk w = { .w_cb = cb, .w_arg = arg };
	struct nfct_handle *h = NULL;
	uint32_t family = AF_UNSPEC;
	int rc = -1, saved;

	vtab_init(&w.w_socks);
	vtab_init(&w.w_conn);
	if (load_sockets(&w.w_socks, want, warg) != 0)
		goto out;
	if (w.w_socks.vt_n == 0) {	/* no unconnected socket wanted: no flow */
		rc = 0;
		goto out;
	}
	if (sd_dump(AF_INET, IPPROTO_UDP, index_connected, &w.w_conn) != 0 ||
	    (sd_dump(AF_INET6, IPPROTO_UDP, index_connected, &w.w_conn) != 0 && errno != ENOENT))
		goto out;
	if (!flowset_ct_on()) {	/* vnet's own sets (vnat/flowset) */
		rc = flowset_list(set_cb, &w);
		goto out;
	}
	if ((h = nfct_open(CONNTRACK, 0)) == NULL ||
	    nfct_callback_register(h, NFCT_T_ALL, flow_cb, &w) != 0)
		goto out;
	rc = nfct_query(h, NFCT_Q_DUMP, &family) == 0 || w.w_stop ? 0 : -1;
	/* the table is never empty where conntrack tracks (this very host's
	 * control connection is in it) */
	if (rc == 0 && w.w_entries == 0)
		log_warnx_rl("vnat: conntrack counts entries but lists none: no UDP flow of an "
		    "unconnected socket this time");
out:
	saved = errno;
	if (h)
		nfct_close(h);
	vtab_clear(&w.w_socks);
	vtab_clear(&w.w_conn);
	errno = saved;
	return rc;
}

void
flows_mark_alive(struct vtab *const *t, size_t n)
{
	struct vtab socks;
	struct vtab_ent *e;
	bool loaded = false, failed = false;
	uint32_t inode;

	vtab_init(&socks);
	for (size_t i = 0; i < n; i++)
		TAILQ_FOREACH(e, &t[i]->vt_all, ve_all) {
			if (e->ve_alive || e->ve_tr.t_proto != IPPROTO_UDP)
				continue;
			if (!loaded && flows_sockets(&socks) != 0) {
				log_warn_rl("vnat: flows: sock_diag");
				failed = true;
			}
			loaded = true;
			/* never removed on a partial view */
			e->ve_alive = failed || (flows_owner(&socks, &e->ve_tr, &inode) &&
			    flows_known(&e->ve_tr));
		}
	vtab_clear(&socks);
}

void
flows_hide_set(struct vnat *v, const char *name, bool hide)
{
	struct flows_part *fp = &v->v_flows;
	size_t i;

	for (i = 0; i < fp->fp_n && strcmp(fp->fp_hide[i], name) != 0; i++)
		;
	if (i < fp->fp_n && !hide) {
		memmove(fp->fp_hide[i], fp->fp_hide[i + 1], (fp->fp_n - i - 1) * sizeof(fp->fp_hide[0]));
		fp->fp_n--;
	} else if (i == fp->fp_n && hide && fp->fp_n < VNAT_PROCS_MAX &&
	    strlen(name) < sizeof(fp->fp_hide[0])) {
		memcpy(fp->fp_hide[fp->fp_n++], name, strlen(name) + 1);
		log_info("vnat: %s in mode hide: its UDP flows see only their peers' virtual "
		    "addresses", strcmp(name, "*") ? name : "every process");
	}
}

bool
flows_hide_named(const struct vnat *v, const char *name)
{
	for (size_t i = 0; i < v->v_flows.fp_n; i++)
		if (strcmp(v->v_flows.fp_hide[i], name) == 0)
			return true;
	return false;
}

bool
flows_hidden(const struct vnat *v, uint32_t inode)
{
	struct sd_owner o;

	if (v->v_flows.fp_n == 0)
		return false;
	if (flows_hide_named(v, "*"))
		return true;
	return sd_owner(inode, &o) == 0 && flows_hide_named(v, o.so_comm);
}
