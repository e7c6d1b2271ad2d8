/* flows: flows of unconnected UDP sockets, from conntrack and sock_diag. */
#include "vnat/flows.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/sockdiag.h"

static int
index_sock(const struct sd_conn *c, void *arg)
{
	if (c->sc_lport != 0)	/* not bound: owns no port */
		conns_index(arg, c);
	return 0;
}

int
flows_sockets(struct vtab *socks)
{
	int rc = 0;

	if (sd_dump_unconnected(AF_INET, index_sock, socks) != 0)
		rc = -1;
	if (sd_dump_unconnected(AF_INET6, index_sock, socks) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
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

bool
flows_known(const struct vnat_tuple *k)
{
	struct nfct_handle *h;
	struct nf_conntrack *ct = NULL;
	bool found = false;

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
