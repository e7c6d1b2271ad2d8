/* conns: list virtual connections. */
#include "vnat/conns.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/addrfmt.h"
#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/flows.h"

struct owner {
	uint32_t	o_inode;
	pid_t		o_pid;
	char		o_comm[16];
};

struct collect {
	struct vconn	*c_v;
	size_t		 c_n, c_cap;
	struct owner	*c_o;
	size_t		 c_no, c_ocap;
	struct vtab	*c_all;
	int		 c_oom;
	char		(*c_names)[16];	/* the process list */
	size_t		 c_nnames;
};

static void
add_owner(uint32_t inode, pid_t pid, int fd, const char *comm, void *arg)
{
	(void)fd;
	struct collect *c = arg;

	if (c->c_no == c->c_ocap) {
		size_t cap = c->c_ocap ? c->c_ocap * 2 : 256;
		struct owner *o = realloc(c->c_o, cap * sizeof(*o));
		if (o == NULL) {
			c->c_oom = 1;
			return;
		}
		c->c_o = o;
		c->c_ocap = cap;
	}
	c->c_o[c->c_no].o_inode = inode;
	c->c_o[c->c_no].o_pid = pid;
	snprintf(c->c_o[c->c_no].o_comm, sizeof(c->c_o[0].o_comm), "%s", comm);
	c->c_no++;
}

static int
add_conn(const struct sd_conn *sc, void *arg)
{
	struct collect *c = arg;

	if (c->c_all)
		conns_index(c->c_all, sc);
	if (c->c_n == c->c_cap) {
		size_t cap = c->c_cap ? c->c_cap * 2 : 256;
		struct vconn *v = realloc(c->c_v, cap * sizeof(*v));
		if (v == NULL) {
			c->c_oom = 1;
			return 1;
		}
		c->c_v = v;
		c->c_cap = cap;
	}
	memset(&c->c_v[c->c_n], 0, sizeof(c->c_v[0]));
	c->c_v[c->c_n++].vc_c = *sc;
	return 0;
}

static int
by_inode(const void *a, const void *b)
{
	uint32_t x = ((const struct owner *)a)->o_inode, y = ((const struct owner *)b)->o_inode;

	return x < y ? -1 : x > y;
}

static int
wanted(const char *comm, char (*names)[16], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], "*") == 0 || strcmp(names[i], comm) == 0)
			return 1;
	return 0;
}

/* a kernel without one of the diag modules (ENOENT) lists the others */
static int
stop_unless_enoent(uint8_t family, uint8_t proto, void *arg)
{
	(void)family;
	(void)proto;
	(void)arg;
	return errno != ENOENT;
}

/* the first owner of the socket of this inode (c_o sorted), or NULL; in
 * *listed the first of its owners on the list, or NULL */
static const struct owner *
owners_of(const struct collect *c, uint32_t inode, const struct owner **listed)
{
	struct owner key = { inode, 0, "" };
	const struct owner *o, *first, *end = c->c_o + c->c_no;

	*listed = NULL;
	o = c->c_no ? bsearch(&key, c->c_o, c->c_no, sizeof(*c->c_o), by_inode) : NULL;
	if (o == NULL)
		return NULL;
	/* a socket shared by several processes (fork, exec) belongs to
	 * each: it counts when any of them is on the list */
	while (o > c->c_o && o[-1].o_inode == inode)
		o--;
	first = o;
	while (o < end && o->o_inode == inode && !wanted(o->o_comm, c->c_names, c->c_nnames))
		o++;
	*listed = o == end || o->o_inode != inode ? NULL : o;
	return first;
}

/* the owner on the list of the socket of this inode, or NULL */
static const struct owner *
listed_owner(const struct collect *c, uint32_t inode)
{
	const struct owner *l;

	owners_of(c, inode, &l);
	return l;
}

static bool
listed_inode(uint32_t inode, void *arg)
{
	return listed_owner(arg, inode) != NULL;
}

int
conns_collect(char (*names)[16], size_t nnames, struct vconn **out, struct vtab *all)
{
	return conns_collect_if(names, nnames, NULL, NULL, out, all);
}

int
conns_collect_if(char (*names)[16], size_t nnames, conns_keep_fn *keep, void *arg,
    struct vconn **out, struct vtab *all)
{
	struct collect c = { .c_all = all, .c_names = names, .c_nnames = nnames };
	size_t i, k = 0;

	*out = NULL;
	if (nnames == 0 && keep == NULL)
		return 0;
	if (sd_dump_all(add_conn, stop_unless_enoent, &c) != 0)
		goto fail;
	if (sd_owners_scan(add_owner, &c) != 0 || c.c_oom)
		goto fail;
	qsort(c.c_o, c.c_no, sizeof(*c.c_o), by_inode);
	/* UDP flows of the listed processes' unconnected sockets: without
	 * conntrack, none */
	if (flows_collect(listed_inode, &c, add_conn, &c) != 0 && !c.c_oom)
		log_warn_rl("vnat: UDP flows of unconnected sockets: conntrack");
	if (c.c_oom)
		goto fail;
	for (i = 0; i < c.c_n; i++) {
		const struct owner *l, *o = owners_of(&c, c.c_v[i].vc_c.sc_inode, &l);
		c.c_v[i].vc_listed = l != NULL;
		if (l)
			o = l;
		else if (keep == NULL || !keep(&c.c_v[i].vc_c, arg))
			continue;	/* kept: its first owner, or none */
		if (o) {
			c.c_v[i].vc_pid = o->o_pid;
			memcpy(c.c_v[i].vc_comm, o->o_comm, sizeof(o->o_comm));
		}
		c.c_v[k++] = c.c_v[i];
	}
	free(c.c_o);
	*out = c.c_v;
	return (int)k;
fail:
	free(c.c_o);
	free(c.c_v);
	if (c.c_oom)
		errno = ENOMEM;
	return -1;
}

void
conns_identity(const struct sd_conn *c, struct vnat_tuple *t)
{
	size_t al = tuple_alen(tuple_family(c->sc_family));

	memset(t, 0, sizeof(*t));
	t->t_family = tuple_family(c->sc_family);
	t->t_proto = c->sc_proto;
	memcpy(t->t_lvir, c->sc_laddr, al);
	memcpy(t->t_rvir, c->sc_raddr, al);
	memcpy(t->t_lphy, c->sc_laddr, al);
	memcpy(t->t_rphy, c->sc_raddr, al);
	t->t_lvir_port = t->t_lphy_port = c->sc_lport;
	t->t_rvir_port = t->t_rphy_port = c->sc_rport;
}

void
conns_index(struct vtab *all, const struct sd_conn *c)
{
	struct vnat_tuple k;
	struct vtab_ent *e;
	bool created;

	conns_identity(c, &k);
	if ((e = vtab_put(all, &k, &created)) != NULL) {
		e->ve_sock.ss_inode = c->sc_inode;
		e->ve_sock.ss_state = c->sc_state;
	}
}

bool
conns_self(const struct vtab *all, const struct sd_conn *c)
{
	struct sd_conn r = *c;

	memcpy(r.sc_laddr, c->sc_raddr, sizeof(r.sc_laddr));
	memcpy(r.sc_raddr, c->sc_laddr, sizeof(r.sc_raddr));
	r.sc_lport = c->sc_rport;
	r.sc_rport = c->sc_lport;
	struct vnat_tuple k;
	conns_identity(&r, &k);
	return vtab_find(all, &k) != NULL;
}

bool
conns_local(const struct vconn *v, const struct vnat_tuple *t, const struct addr_set *as,
    const struct vtab *all)
{
	return addr_conn_local(as, t) || conns_self(all, &v->vc_c) || v->vc_pid == getpid();
}

static const char *
tcp_state(uint8_t proto, uint8_t st)
{
	static const char *const names[] = { [TCP_ESTABLISHED] = "ESTABLISHED",
	    [TCP_SYN_SENT] = "SYN_SENT", [TCP_SYN_RECV] = "SYN_RECV", [TCP_FIN_WAIT1] = "FIN_WAIT1",
	    [TCP_FIN_WAIT2] = "FIN_WAIT2", [TCP_TIME_WAIT] = "TIME_WAIT", [TCP_CLOSE] = "CLOSE",
	    [TCP_CLOSE_WAIT] = "CLOSE_WAIT", [TCP_LAST_ACK] = "LAST_ACK", [TCP_LISTEN] = "LISTEN",
	    [TCP_CLOSING] = "CLOSING" };

	if (proto != IPPROTO_TCP)	/* a flow of an unconnected socket (vnat/flows) */
		return st == TCP_CLOSE ? "FLOW" : "CONNECTED";
	return st < sizeof(names) / sizeof(names[0]) && names[st] ? names[st] : "?";
}

void
conns_format(const struct vconn *v, const struct vnat_tuple *tr, const char *state, char *buf,
    size_t len)
{
	const struct sd_conn *c = &v->vc_c;
	int af = c->sc_family;
	char lv[64], rv[64], lp[64], rp[64];

	addrfmt_endpoint(af, c->sc_laddr, c->sc_lport, lv, sizeof(lv));
	addrfmt_endpoint(af, c->sc_raddr, c->sc_rport, rv, sizeof(rv));
	if (tr) {
		addrfmt_endpoint(af, tr->t_lphy, tr->t_lphy_port, lp, sizeof(lp));
		addrfmt_endpoint(af, tr->t_rphy, tr->t_rphy_port, rp, sizeof(rp));
	} else {
		memcpy(lp, lv, sizeof(lp));
		memcpy(rp, rv, sizeof(rp));
	}
	snprintf(buf, len, "%s %s %s %s %s %s %d %s", c->sc_proto == IPPROTO_TCP ? "tcp" : "udp",
	    lv, rv, lp, rp, state ? state : tcp_state(c->sc_proto, c->sc_state),
	    (int)v->vc_pid,
	    v->vc_comm[0] ? v->vc_comm : "-");
}
