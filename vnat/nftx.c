/* nftx: nftables batches for VNAT translations. */
#include "vnat/nftx.h"

#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "common/fd.h"
#include "common/sbuf.h"

/* the fields one direction rewrites, in order; each has its own map, keyed
 * by the tuple as the earlier rewrites of the same packet left it */
static const char *const FIELDS_OUT[4] = { "saddr", "sport", "daddr", "dport" };
static const char *const FIELDS_IN[4] = { "daddr", "dport", "saddr", "sport" };

/* "add" first makes sure each exists, so that "delete" cannot fail */
static void
destroy(struct sbuf *b)
{
	sbuf_add(b, "add table inet " NFTX_TABLE "\ndelete table inet " NFTX_TABLE "\n"
	    "add table arp " NFTX_TABLE "\ndelete table arp " NFTX_TABLE "\n");
}

int
nftx_text_reset(char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	destroy(&b);
	return sbuf_done(&b);
}

int
nftx_text_destroy(char *buf, size_t len)
{
	return nftx_text_reset(buf, len);
}

static void
table_and_maps(struct sbuf *b)
{
	sbuf_add(b, "add table inet " NFTX_TABLE "\n");
	for (int v = 4; v <= 6; v += 2) {
		const char *a = v == 6 ? "ipv6_addr" : "ipv4_addr";
		for (int dir = 0; dir < 2; dir++)
			for (int f = 0; f < 4; f++) {
				const char *field = (dir ? FIELDS_IN : FIELDS_OUT)[f];
				sbuf_add(b, "add map inet " NFTX_TABLE " %s%d_%s { type %s . inet_proto . "
				    "inet_service . %s . inet_service : %s ; }\n", dir ? "i" : "o", v,
				    field, a, a, field[1] == 'a' ? a : "inet_service");
			}
	}
}

int
nftx_text_arp(const uint8_t addr[4], int add, int edge, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };
	char a[ADDRFMT_ADDRLEN];

	tuple_addr_text(4, addr, a, sizeof(a));
	if (!add && edge) {
		sbuf_add(&b, "delete table arp " NFTX_TABLE "\n");
		return sbuf_done(&b);
	}
	if (add && edge)
		sbuf_add(&b, "add table arp " NFTX_TABLE "\n"
		    "add set arp " NFTX_TABLE " kept { type ipv4_addr ; }\n"
		    "add chain arp " NFTX_TABLE " input { type filter hook input priority 0 ; }\n"
		    "add chain arp " NFTX_TABLE " output { type filter hook output priority 0 ; }\n"
		    "add rule arp " NFTX_TABLE " input arp daddr ip @kept counter drop\n"
		    "add rule arp " NFTX_TABLE " output arp saddr ip @kept counter drop\n");
	sbuf_add(&b, "%s element arp " NFTX_TABLE " kept { %s }\n", add ? "add" : "delete", a);
	return sbuf_done(&b);
}

/* the rules of the maps in mask (NFTX_MAP bits), in the order the fields
 * are rewritten; a map nothing uses costs no rule and no lookup */
static void
rules(struct sbuf *b, unsigned mask)
{
	for (int dir = 0; dir < 2; dir++)
		for (int v = 4; v <= 6; v += 2) {
			const char *ip = v == 6 ? "ip6" : "ip";
			for (int f = 0; f < 4; f++) {
				const char *field = (dir ? FIELDS_IN : FIELDS_OUT)[f];
				/* only a new destination needs the packet routed again */
				const char *chain = dir ? "prerouting" : f < 2 ? "outsrc" : "output";
				if (!(mask & NFTX_MAP(v, dir, f)))
					continue;
				/* a miss ends the rule and nothing is rewritten */
				if (field[1] == 'a') {
					sbuf_add(b, "add rule inet " NFTX_TABLE " %s %s %s set %s saddr . "
					    "meta l4proto . th sport . %s daddr . th dport map @%s%d_%s\n",
					    chain, ip, field, ip, ip, dir ? "i" : "o", v, field);
					continue;
				}
				for (int u = 0; u < 2; u++)
					sbuf_add(b, "add rule inet " NFTX_TABLE " %s meta nfproto %s meta l4proto "
					    "%s %s %s set %s saddr . meta l4proto . th sport . %s daddr . "
					    "th dport map @%s%d_%s\n", chain, v == 6 ? "ipv6" : "ipv4",
					    u ? "udp" : "tcp", u ? "udp" : "tcp", field, ip, ip,
					    dir ? "i" : "o", v, field);
			}
		}
}

/* the base chains: the maps whose rules each holds, and its hook */
static const struct {
	const char	*c_name, *c_hook;
	unsigned	 c_maps;
} CHAINS[3] = {
	{ "outsrc", "type filter hook output priority -151",
	    NFTX_MAP(4, 0, 0) | NFTX_MAP(4, 0, 1) | NFTX_MAP(6, 0, 0) | NFTX_MAP(6, 0, 1) },
	{ "output", "type route hook output priority -150",
	    NFTX_MAP(4, 0, 2) | NFTX_MAP(4, 0, 3) | NFTX_MAP(6, 0, 2) | NFTX_MAP(6, 0, 3) },
	{ "prerouting", "type filter hook prerouting priority -300", 0xf0f0u },
};

/* the chains (and rules) of the maps in mask, after those of was: a chain
 * with no rule is not there at all, so it costs no hook call per packet */
static void
chains(struct sbuf *b, unsigned was, unsigned mask)
{
	for (int k = 0; k < 3; k++) {
		if (was & CHAINS[k].c_maps)
			sbuf_add(b, "%s chain inet " NFTX_TABLE " %s\n", mask & CHAINS[k].c_maps ?
			    "flush" : "delete", CHAINS[k].c_name);
		else if (mask & CHAINS[k].c_maps)
			sbuf_add(b, "add chain inet " NFTX_TABLE " %s { %s ; }\n", CHAINS[k].c_name,
			    CHAINS[k].c_hook);
	}
	rules(b, mask);
}

int
nftx_text_rules(unsigned was, unsigned mask, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	chains(&b, was, mask);
	return sbuf_done(&b);
}

/* one packet tuple: saddr . proto . sport . daddr . dport */
struct tuple {
	const uint8_t	*sa, *da;
	uint16_t	 sp, dp;
};

static void
tuple_text(struct sbuf *b, const struct vnat_tuple *t, const struct tuple *k)
{
	char s1[ADDRFMT_ADDRLEN], s2[ADDRFMT_ADDRLEN];

	tuple_addr_text(t->t_family, k->sa, s1, sizeof(s1));
	tuple_addr_text(t->t_family, k->da, s2, sizeof(s2));
	sbuf_add(b, "%s . %u . %u . %s . %u", s1, t->t_proto, k->sp, s2, k->dp);
}

struct rewrite {
	int		 rw_change;
	struct tuple	 rw_key;	/* the tuple when this field is looked at */
	const uint8_t	*rw_addr;	/* new value: address fields */
	uint16_t	 rw_port;	/* new value: port fields */
};

/* the four rewrites of one direction of t, in FIELDS_OUT/FIELDS_IN order;
 * each key is the tuple as the earlier rewrites of the packet left it */
static void
plan(const struct vnat_tuple *t, int in, struct rewrite rw[4])
{
	size_t al = tuple_alen(t->t_family);
	int laddr = memcmp(t->t_lvir, t->t_lphy, al) != 0, lport = t->t_lvir_port != t->t_lphy_port;
	int raddr = memcmp(t->t_rvir, t->t_rphy, al) != 0, rport = t->t_rvir_port != t->t_rphy_port;
	struct tuple k;

	if (!in) {	/* out: src lvir->lphy, sport, dst rvir->rphy, dport */
		k = (struct tuple){ t->t_lvir, t->t_rvir, t->t_lvir_port, t->t_rvir_port };
		rw[0] = (struct rewrite){ laddr, k, t->t_lphy, 0 };
		if (laddr)
			k.sa = t->t_lphy;
		rw[1] = (struct rewrite){ lport, k, NULL, t->t_lphy_port };
		if (lport)
			k.sp = t->t_lphy_port;
		rw[2] = (struct rewrite){ raddr, k, t->t_rphy, 0 };
		if (raddr)
			k.da = t->t_rphy;
		rw[3] = (struct rewrite){ rport, k, NULL, t->t_rphy_port };
	} else {	/* in: dst lphy->lvir, dport, src rphy->rvir, sport */
		k = (struct tuple){ t->t_rphy, t->t_lphy, t->t_rphy_port, t->t_lphy_port };
		rw[0] = (struct rewrite){ laddr, k, t->t_lvir, 0 };
		if (laddr)
			k.da = t->t_lvir;
		rw[1] = (struct rewrite){ lport, k, NULL, t->t_lvir_port };
		if (lport)
			k.dp = t->t_lvir_port;
		rw[2] = (struct rewrite){ raddr, k, t->t_rvir, 0 };
		if (raddr)
			k.sa = t->t_rvir;
		rw[3] = (struct rewrite){ rport, k, NULL, t->t_rvir_port };
	}
}

unsigned
nftx_maps_of(const struct vnat_tuple *t)
{
	unsigned mask = 0;
	int v = t->t_family == 6 ? 6 : 4;

	for (int in = 0; in < 2; in++) {
		struct rewrite rw[4];
		if (t->t_dirs && !(t->t_dirs & (in ? TUPLE_IN : TUPLE_OUT)))
			continue;
		plan(t, in, rw);
		for (int f = 0; f < 4; f++)
			if (rw[f].rw_change)
				mask |= NFTX_MAP(v, in, f);
	}
	return mask;
}

/* one command per map holding every element of the batch */
static void
elements(struct sbuf *b, const struct vnat_tuple *t, size_t n, int add)
{
	for (int v = 4; v <= 6; v += 2)
		for (int in = 0; in < 2; in++)
			for (int f = 0; f < 4; f++) {
				const char *field = (in ? FIELDS_IN : FIELDS_OUT)[f];
				int opened = 0;
				for (size_t i = 0; i < n; i++) {
					struct rewrite rw[4];
					char s[ADDRFMT_ADDRLEN];
					if ((t[i].t_family == 6 ? 6 : 4) != v)
						continue;
					if (t[i].t_dirs && !(t[i].t_dirs & (in ? TUPLE_IN : TUPLE_OUT)))
						continue;
					plan(&t[i], in, rw);
					if (!rw[f].rw_change)
						continue;
					if (opened)
						sbuf_add(b, ", ");
					else
						sbuf_add(b, "%s element inet " NFTX_TABLE " %s%d_%s { ",
						    add ? "add" : "delete", in ? "i" : "o", v, field);
					opened = 1;
					tuple_text(b, &t[i], &rw[f].rw_key);
					if (add && rw[f].rw_addr)
						sbuf_add(b, " : %s", tuple_addr_text((unsigned)v,
						    rw[f].rw_addr, s, sizeof(s)));
					else if (add)
						sbuf_add(b, " : %u", rw[f].rw_port);
				}
				if (opened)
					sbuf_add(b, " }\n");
			}
}

int
nftx_text_add(const struct vnat_tuple *t, size_t n, int with_base, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	if (len)
		buf[0] = '\0';
	if (with_base)
		table_and_maps(&b);
	elements(&b, t, n, 1);
	/* the base chains last, when the maps are filled */
	if (with_base) {
		unsigned mask = 0;
		for (size_t i = 0; i < n; i++)
			mask |= nftx_maps_of(&t[i]);
		chains(&b, 0, mask);
	}
	return sbuf_done(&b);
}

int
nftx_text_del(const struct vnat_tuple *t, size_t n, int drop_base, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	if (len)
		buf[0] = '\0';
	if (drop_base)	/* the elements go with the table */
		sbuf_add(&b, "delete table inet " NFTX_TABLE "\n");
	else
		elements(&b, t, n, 0);
	return sbuf_done(&b);
}

struct nft_ctx *
nftx_open(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (nft == NULL)
		return NULL;
	fd_cloexec_all();	/* libnftables' netlink socket, made without it */
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		nft_ctx_free(nft);
		return NULL;
	}
	return nft;
}

int
nftx_apply(struct nft_ctx *nft, const char *batch, char *err, size_t errlen)
{
	if (nft_run_cmd_from_buffer(nft, batch) != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);
		snprintf(err, errlen, "nftables: %s", e && *e ? e : "batch refused");
		err[strcspn(err, "\n")] = '\0';
		return -1;
	}
	return 0;
}
