/* flowset: UDP flows that vnet records itself in an nftables set. */
#include "vnat/flowset.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "common/log.h"
#include "common/sbuf.h"
#include "vnat/core.h"
#include "vnat/nftx.h"

#define T	"inet " FLOWSET_TABLE

int
flowset_text_off(char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	sbuf_add(&b, "add table " T "\ndelete table " T "\n");
	return sbuf_done(&b);
}

/* the table, its sets and the rules that feed them: a packet from (out) or
 * to (in) a port of @ports refreshes its flow's element */
static void
table(struct sbuf *b, unsigned timeout)
{
	sbuf_add(b, "add table " T "\ndelete table " T "\nadd table " T "\n"
	    "add set " T " ports { type inet_service ; }\n"
	    "add chain " T " out { type filter hook output priority -400 ; }\n"
	    "add chain " T " in { type filter hook input priority -400 ; }\n");
	for (int v = 4; v <= 6; v += 2) {
		const char *ip = v == 6 ? "ip6" : "ip";
		sbuf_add(b, "add set " T " f%d { type %s . inet_service . %s . inet_service ; "
		    "flags dynamic,timeout ; timeout %us ; size 65536 ; }\n", v,
		    v == 6 ? "ipv6_addr" : "ipv4_addr", v == 6 ? "ipv6_addr" : "ipv4_addr", timeout);
		sbuf_add(b, "add rule " T " out meta nfproto ipv%d meta l4proto udp udp sport @ports "
		    "update @f%d { %s saddr . udp sport . %s daddr . udp dport }\n", v, v, ip, ip);
		sbuf_add(b, "add rule " T " in meta nfproto ipv%d meta l4proto udp udp dport @ports "
		    "update @f%d { %s daddr . udp dport . %s saddr . udp sport }\n", v, v, ip, ip);
	}
}

int
flowset_text_ports(const uint16_t *ports, size_t n, unsigned timeout, bool create, char *buf,
    size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	if (create)
		table(&b, timeout);
	else
		sbuf_add(&b, "flush set " T " ports\n");
	for (size_t i = 0; i < n; i++)
		sbuf_add(&b, "%s%u%s", i ? ", " : "add element " T " ports { ", ports[i],
		    i + 1 == n ? " }\n" : "");
	return sbuf_done(&b);
}

int
flowset_text_pin(const struct vnat_tuple *t, size_t n, unsigned timeout, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char l[ADDRFMT_ADDRLEN], r[ADDRFMT_ADDRLEN], k[2 * ADDRFMT_ADDRLEN + 32];
		if (t[i].t_proto != IPPROTO_UDP)
			continue;
		snprintf(k, sizeof(k), "%s . %u . %s . %u", tuple_addr_text(t[i].t_family,
		    t[i].t_lvir, l, sizeof(l)), t[i].t_lvir_port, tuple_addr_text(t[i].t_family,
		    t[i].t_rvir, r, sizeof(r)), t[i].t_rvir_port);
		/* an element's timeout is its own from its creation on: made
		 * again (add first, so that delete cannot fail), atomically */
		sbuf_add(&b, "add element " T " f%d { %s }\ndelete element " T " f%d { %s }\n"
		    "add element " T " f%d { %s timeout %us }\n", t[i].t_family == 6 ? 6 : 4, k,
		    t[i].t_family == 6 ? 6 : 4, k, t[i].t_family == 6 ? 6 : 4, k, timeout);
	}
	return sbuf_done(&b);
}

/* an element's key: {"concat": [addr, port, addr, port]}, or the same
 * under {"elem": {"val": ...}} (an element with a timeout) */
static json_t *
elem_key(json_t *e)
{
	json_t *x;

	if ((x = json_object_get(e, "elem")) != NULL)
		e = json_object_get(x, "val");
	return json_object_get(e, "concat");
}

static bool
valid_end(json_t *addr, json_t *port, uint8_t family, uint8_t *a, uint16_t *p)
{
	json_int_t n;
	uint8_t tmp[16];

	if (!json_is_string(addr) || !json_is_integer(port))
		return false;
	n = json_integer_value(port);
	if (n < 1 || n > 65535 || inet_pton(tuple_af(family), json_string_value(addr), a ? a : tmp) != 1)
		return false;
	if (p)
		*p = (uint16_t)n;
	return true;
}

/* the elements array of a listing, NULL when it is not one set's listing
 * with valid elements only */
static json_t *
valid_listing(json_t *root, uint8_t family)
{
	json_t *list = json_object_get(root, "nftables"), *item, *set, *elems = NULL, *e;
	size_t i, j, sets = 0;

	if (!json_is_array(list))
		return NULL;
	json_array_foreach(list, i, item) {
		if (!json_is_object(item))
			return NULL;
		if ((set = json_object_get(item, "set")) == NULL)
			continue;
		if (!json_is_object(set) || ++sets > 1)
			return NULL;
		if ((elems = json_object_get(set, "elem")) == NULL)
			elems = json_null();	/* an empty set has none */
		else if (!json_is_array(elems))
			return NULL;
	}
	if (sets != 1)
		return NULL;
	json_array_foreach(elems, j, e) {
		json_t *k = elem_key(e);
		if (!json_is_array(k) || json_array_size(k) != 4 ||
		    !valid_end(json_array_get(k, 0), json_array_get(k, 1), family, NULL, NULL) ||
		    !valid_end(json_array_get(k, 2), json_array_get(k, 3), family, NULL, NULL))
			return NULL;
	}
	return elems;
}

int
flowset_parse(const char *json, uint8_t family, sd_conn_cb cb, void *arg)
{
	json_t *root = json_loads(json, 0, NULL), *elems, *e;
	size_t i;
	int n = -1;

	if (root == NULL || (elems = valid_listing(root, family)) == NULL)
		goto out;
	n = 0;
	json_array_foreach(elems, i, e) {
		json_t *k = elem_key(e);
		struct sd_conn c;
		memset(&c, 0, sizeof(c));
		c.sc_family = (uint8_t)tuple_af(family);
		c.sc_proto = IPPROTO_UDP;
		c.sc_state = TCP_CLOSE;
		valid_end(json_array_get(k, 0), json_array_get(k, 1), family, c.sc_laddr, &c.sc_lport);
		valid_end(json_array_get(k, 2), json_array_get(k, 3), family, c.sc_raddr, &c.sc_rport);
		n++;
		if (cb(&c, arg) != 0)
			break;
	}
out:
	json_decref(root);
	return n;
}

/* a number of /proc/sys/net/netfilter; dflt when unreadable */
static unsigned long
netfilter_sysctl(const char *name, unsigned long dflt)
{
	char path[128], line[32], *end;
	unsigned long v = dflt;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/netfilter/%s", name);
	if ((f = fopen(path, "re")) == NULL)
		return dflt;
	if (fgets(line, sizeof(line), f)) {
		v = strtoul(line, &end, 10);
		if (end == line)
			v = dflt;
	}
	fclose(f);
	return v;
}

bool
flowset_ct_on(void)
{
	/* per namespace; no file: conntrack is not even loaded */
	return netfilter_sysctl("nf_conntrack_count", 0) > 0;
}

static unsigned
set_timeout(void)
{
	unsigned long t = netfilter_sysctl("nf_conntrack_udp_timeout_stream", 120);

	return t == 0 || t > 86400 ? 120 : (unsigned)t;
}

struct ports {
	uint8_t		p_map[65536 / 8];
	uint16_t	p_list[65536];
	size_t		p_n;
};

static int
add_port(const struct sd_conn *c, void *arg)
{
	struct ports *p = arg;

	if (c->sc_lport != 0 && !(p->p_map[c->sc_lport / 8] & (1u << (c->sc_lport % 8)))) {
		p->p_map[c->sc_lport / 8] |= (uint8_t)(1u << (c->sc_lport % 8));
		p->p_list[p->p_n++] = c->sc_lport;
	}
	return 0;
}

static void
table_off(struct vnat *v, const char *why)
{
	char batch[128], err[256];

	if (flowset_text_off(batch, sizeof(batch)) < 0 || vnat_nft_run(v, batch, err, sizeof(err)) != 0) {
		log_warnx_rl("vnat: flowset: %s", err);
		return;
	}
	if (v->v_flows.fp_set.fs_on)
		log_info("vnat: flowset: table inet %s removed (%s)", FLOWSET_TABLE, why);
	v->v_flows.fp_set.fs_on = false;
	memset(v->v_flows.fp_set.fs_ports, 0, sizeof(v->v_flows.fp_set.fs_ports));
}

void
flowset_refresh(struct vnat *v)
{
	struct flowset_part *fs = &v->v_flows.fp_set;
	struct ports *p;
	char *batch, err[256];
	size_t len;
	unsigned timeout;

	if (flowset_ct_on()) {
		if (fs->fs_on)
			table_off(v, "conntrack tracks here now");
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return;
	if (sd_dump_unconnected(AF_INET, add_port, p) != 0 ||
	    (sd_dump_unconnected(AF_INET6, add_port, p) != 0 && errno != ENOENT)) {
		log_warn_rl("vnat: flowset: sock_diag");
		goto out;	/* never changed on a partial view */
	}
	if (p->p_n == 0) {
		if (fs->fs_on)
			table_off(v, "no unconnected UDP socket");
		goto out;
	}
	if (fs->fs_on && memcmp(p->p_map, fs->fs_ports, sizeof(p->p_map)) == 0)
		goto out;
	len = p->p_n * 8 + 4096;
	timeout = set_timeout();
	if ((batch = malloc(len)) == NULL)
		goto out;
	if (flowset_text_ports(p->p_list, p->p_n, timeout, !fs->fs_on, batch, len) < 0 ||
	    vnat_nft_run(v, batch, err, sizeof(err)) != 0)
		log_warnx_rl("vnat: flowset: %s", err);
	else {
		if (!fs->fs_on)
			log_info("vnat: flowset: conntrack tracks nothing here: UDP flows of unconnected "
			    "sockets followed in table inet %s (%zu port(s), timeout %u s)",
			    FLOWSET_TABLE, p->p_n, timeout);
		fs->fs_on = true;
		memcpy(fs->fs_ports, p->p_map, sizeof(p->p_map));
	}
	free(batch);
out:
	free(p);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flowset_refresh(arg);
}

int
flowset_start(struct vnat *v)
{
	struct timeval tv = { FLOWSET_REFRESH_MS / 1000, (FLOWSET_REFRESH_MS % 1000) * 1000 };
	struct flowset_part *fs = &v->v_flows.fp_set;

	if ((fs->fs_timer = event_new(v->v_base, -1, EV_PERSIST, on_timer, v)) == NULL ||
	    event_add(fs->fs_timer, &tv) != 0)
		return -1;
	flowset_refresh(v);
	return 0;
}

void
flowset_stop(struct vnat *v)
{
	struct flowset_part *fs = &v->v_flows.fp_set;

	if (fs->fs_timer) {
		event_free(fs->fs_timer);
		fs->fs_timer = NULL;
	}
	if (fs->fs_on)
		table_off(v, "vnet stops");
}

/* a context of its own: these run where no vnat is at hand (vnat/flows) */
static struct nft_ctx *
ctx(bool json)
{
	struct nft_ctx *nft = nftx_open();

	if (nft && json)
		nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);
	return nft;
}

int
flowset_list(sd_conn_cb cb, void *arg)
{
	struct nft_ctx *nft = ctx(true);
	int rc = 0;

	if (nft == NULL)
		return -1;
	for (int v = 4; v <= 6 && rc == 0; v += 2) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "list set " T " f%d", v);
		if (nft_run_cmd_from_buffer(nft, cmd) != 0)
			break;	/* no table: no flow */
		if (flowset_parse(nft_ctx_get_output_buffer(nft), (uint8_t)v, cb, arg) < 0) {
			log_warnx_rl("vnat: flowset: nftables' listing of set f%d not understood", v);
			rc = -1;
		}
	}
	nft_ctx_free(nft);
	return rc;
}

bool
flowset_known(const struct vnat_tuple *k)
{
	struct nft_ctx *nft;
	char l[ADDRFMT_ADDRLEN], r[ADDRFMT_ADDRLEN], cmd[2 * ADDRFMT_ADDRLEN + 80];
	bool found;

	if (k->t_proto != IPPROTO_UDP || (nft = ctx(false)) == NULL)
		return false;
	snprintf(cmd, sizeof(cmd), "get element " T " f%d { %s . %u . %s . %u }",
	    k->t_family == 6 ? 6 : 4, tuple_addr_text(k->t_family, k->t_lvir, l, sizeof(l)),
	    k->t_lvir_port, tuple_addr_text(k->t_family, k->t_rvir, r, sizeof(r)), k->t_rvir_port);
	found = nft_run_cmd_from_buffer(nft, cmd) == 0;
	nft_ctx_free(nft);
	return found;
}

size_t
flowset_pin(const struct vnat_tuple *t, size_t n, unsigned timeout)
{
	size_t len = n * 512 + 1, pinned = 0;
	struct nft_ctx *nft;
	char *batch = malloc(len);
	int k;

	if (batch == NULL)
		return 0;
	if ((k = flowset_text_pin(t, n, timeout, batch, len)) > 0 && (nft = ctx(false)) != NULL) {
		if (nft_run_cmd_from_buffer(nft, batch) == 0)
			for (size_t i = 0; i < n; i++)
				pinned += t[i].t_proto == IPPROTO_UDP;
		nft_ctx_free(nft);
	}
	free(batch);
	return pinned;
}
