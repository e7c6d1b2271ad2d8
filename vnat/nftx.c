/* nftx: nftables batches for VNAT translations. */
#include "vnat/nftx.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

struct tb {
	char	*b_buf;
	size_t	 b_len, b_off;
	int	 b_err;
};

static void
tb_add(struct tb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tb_add(struct tb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->b_err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->b_buf + b->b_off, b->b_len - b->b_off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->b_len - b->b_off)
		b->b_err = 1;
	else
		b->b_off += (size_t)n;
}

static int
tb_done(struct tb *b)
{
	return b->b_err ? -1 : (int)b->b_off;
}

int
nftx_text_reset(char *buf, size_t len)
{
	struct tb b = { buf, len, 0, 0 };

	/* "add" makes sure it exists, so that "delete" cannot fail */
	tb_add(&b, "add table inet " NFTX_TABLE "\n"
	    "delete table inet " NFTX_TABLE "\n"
	    "add table inet " NFTX_TABLE "\n");
	for (int v6 = 0; v6 < 2; v6++) {
		const char *a = v6 ? "ipv6_addr" : "ipv4_addr";
		tb_add(&b, "add map inet " NFTX_TABLE " out%d { type %s . inet_proto . inet_service . "
		    "%s . inet_service : verdict ; }\n", v6 ? 6 : 4, a, a);
		tb_add(&b, "add map inet " NFTX_TABLE " in%d { type %s . inet_proto . inet_service . "
		    "%s . inet_service : verdict ; }\n", v6 ? 6 : 4, a, a);
	}
	return tb_done(&b);
}

int
nftx_text_destroy(char *buf, size_t len)
{
	struct tb b = { buf, len, 0, 0 };

	tb_add(&b, "add table inet " NFTX_TABLE "\ndelete table inet " NFTX_TABLE "\n");
	return tb_done(&b);
}

static const char *
addr(const struct nftx_tr *t, const uint8_t *a, char *s, size_t n)
{
	inet_ntop(t->t_family == 6 ? AF_INET6 : AF_INET, a, s, (socklen_t)n);
	return s;
}

static void
base_chains(struct tb *b)
{
	tb_add(b, "add chain inet " NFTX_TABLE " output { type route hook output priority -150 ; }\n"
	    "add rule inet " NFTX_TABLE " output ip saddr . meta l4proto . th sport . ip daddr . "
	    "th dport vmap @out4\n"
	    "add rule inet " NFTX_TABLE " output ip6 saddr . meta l4proto . th sport . ip6 daddr . "
	    "th dport vmap @out6\n"
	    "add chain inet " NFTX_TABLE " prerouting { type filter hook prerouting priority -300 ; }\n"
	    "add rule inet " NFTX_TABLE " prerouting ip saddr . meta l4proto . th sport . ip daddr . "
	    "th dport vmap @in4\n"
	    "add rule inet " NFTX_TABLE " prerouting ip6 saddr . meta l4proto . th sport . ip6 daddr . "
	    "th dport vmap @in6\n");
}

/* the statements of one direction: each field that differs is set */
static void
rewrites(struct tb *b, const struct nftx_tr *t, int out)
{
	const char *ip = t->t_family == 6 ? "ip6" : "ip", *l4 = t->t_proto == 6 ? "tcp" : "udp";
	size_t al = t->t_family == 6 ? 16 : 4;
	char s[64];

	/* out: src lvir->lphy, dst rvir->rphy; in: src rphy->rvir, dst lphy->lvir */
	if (memcmp(t->t_lvir, t->t_lphy, al) != 0)
		tb_add(b, " %s %s set %s", ip, out ? "saddr" : "daddr",
		    addr(t, out ? t->t_lphy : t->t_lvir, s, sizeof(s)));
	if (t->t_lvir_port != t->t_lphy_port)
		tb_add(b, " %s %s set %u", l4, out ? "sport" : "dport",
		    out ? t->t_lphy_port : t->t_lvir_port);
	if (memcmp(t->t_rvir, t->t_rphy, al) != 0)
		tb_add(b, " %s %s set %s", ip, out ? "daddr" : "saddr",
		    addr(t, out ? t->t_rphy : t->t_rvir, s, sizeof(s)));
	if (t->t_rvir_port != t->t_rphy_port)
		tb_add(b, " %s %s set %u", l4, out ? "dport" : "sport",
		    out ? t->t_rphy_port : t->t_rvir_port);
}

/* the map key of one direction: the tuple as the packet carries it there */
static void
key(struct tb *b, const struct nftx_tr *t, int out)
{
	char s1[64], s2[64];

	if (out)
		tb_add(b, "%s . %u . %u . %s . %u", addr(t, t->t_lvir, s1, sizeof(s1)), t->t_proto,
		    t->t_lvir_port, addr(t, t->t_rvir, s2, sizeof(s2)), t->t_rvir_port);
	else
		tb_add(b, "%s . %u . %u . %s . %u", addr(t, t->t_rphy, s1, sizeof(s1)), t->t_proto,
		    t->t_rphy_port, addr(t, t->t_lphy, s2, sizeof(s2)), t->t_lphy_port);
}

int
nftx_text_add(const struct nftx_tr *t, size_t n, int with_base, char *buf, size_t len)
{
	struct tb b = { buf, len, 0, 0 };
	size_t i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		for (int out = 1; out >= 0; out--) {
			tb_add(&b, "add chain inet " NFTX_TABLE " c%u_%s\n", t[i].t_id, out ? "o" : "i");
			tb_add(&b, "add rule inet " NFTX_TABLE " c%u_%s", t[i].t_id, out ? "o" : "i");
			rewrites(&b, &t[i], out);
			tb_add(&b, "\nadd element inet " NFTX_TABLE " %s%d { ", out ? "out" : "in",
			    t[i].t_family == 6 ? 6 : 4);
			key(&b, &t[i], out);
			tb_add(&b, " : jump c%u_%s }\n", t[i].t_id, out ? "o" : "i");
		}
	}
	/* the base chains last: they refer to maps that are filled by then */
	if (with_base)
		base_chains(&b);
	return tb_done(&b);
}

int
nftx_text_del(const struct nftx_tr *t, size_t n, int drop_base, char *buf, size_t len)
{
	struct tb b = { buf, len, 0, 0 };
	size_t i;

	if (len)
		buf[0] = '\0';
	if (drop_base)
		tb_add(&b, "delete chain inet " NFTX_TABLE " output\n"
		    "delete chain inet " NFTX_TABLE " prerouting\n");
	for (i = 0; i < n; i++) {
		for (int out = 1; out >= 0; out--) {
			tb_add(&b, "delete element inet " NFTX_TABLE " %s%d { ", out ? "out" : "in",
			    t[i].t_family == 6 ? 6 : 4);
			key(&b, &t[i], out);
			tb_add(&b, " }\ndelete chain inet " NFTX_TABLE " c%u_%s\n", t[i].t_id,
			    out ? "o" : "i");
		}
	}
	return tb_done(&b);
}

struct nft_ctx *
nftx_open(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (nft == NULL)
		return NULL;
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
