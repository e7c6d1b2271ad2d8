/* vnat/flowset: the batches of table inet vnetflow and the validator of
 * nftables' JSON listing of a flow set. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "vnat/flowset.h"

struct seen {
	struct sd_conn	c[4];
	int		n;
};

static int
keep(const struct sd_conn *c, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4)
		s->c[s->n] = *c;
	s->n++;
	return 0;
}

#define HEAD "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {\"family\": " \
	"\"inet\", \"name\": \"f4\", \"table\": \"vnetflow\", \"timeout\": 120"

Test(flowset, parse_listing)
{
	const char *j = HEAD ", \"elem\": [{\"elem\": {\"val\": {\"concat\": [\"198.18.2.20\", 6100, "
	    "\"198.18.1.10\", 40000]}, \"expires\": 119}}, {\"concat\": [\"198.18.2.20\", 53, "
	    "\"198.18.1.11\", 1]}]}}]}";
	struct seen s = { .n = 0 };
	uint8_t a[4];

	cr_assert_eq(flowset_parse(j, 4, keep, &s), 2);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.c[0].sc_family, AF_INET);
	cr_assert_eq(s.c[0].sc_proto, IPPROTO_UDP);
	cr_assert_eq(s.c[0].sc_lport, 6100);
	cr_assert_eq(s.c[0].sc_rport, 40000);
	inet_pton(AF_INET, "198.18.1.10", a);
	cr_assert_eq(memcmp(s.c[0].sc_raddr, a, 4), 0);
	cr_assert_eq(s.c[1].sc_lport, 53);
	cr_assert_eq(s.c[1].sc_rport, 1);
	/* an empty set has no "elem" */
	s.n = 0;
	cr_assert_eq(flowset_parse(HEAD "}}]}", 4, keep, &s), 0);
	cr_assert_eq(s.n, 0);
}

Test(flowset, refuse_invalid_whole)
{
	static const char *const bad[] = {
		"not json",
		"{\"nftables\": {}}",
		"{\"nftables\": []}",		/* no set */
		HEAD ", \"elem\": [{\"concat\": [\"198.18.2.20\", 6100, \"198.18.1.10\", 0]}]}}]}",
		HEAD ", \"elem\": [{\"concat\": [\"198.18.2.20\", 6100, \"198.18.1.10\", 65536]}]}}]}",
		HEAD ", \"elem\": [{\"concat\": [\"fd00::1\", 6100, \"198.18.1.10\", 5]}]}}]}",
		HEAD ", \"elem\": [{\"concat\": [\"198.18.2.20\", 6100, \"198.18.1.10\"]}]}}]}",
		HEAD ", \"elem\": [{\"concat\": [\"198.18.2.20\", \"6100\", \"198.18.1.10\", 5]}]}}]}",
		HEAD ", \"elem\": {}}}]}",
		/* one bad element refuses the listing: nothing is called */
		HEAD ", \"elem\": [{\"concat\": [\"198.18.2.20\", 6100, \"198.18.1.10\", 5]}, 7]}}]}",
		HEAD "}}, {\"set\": {}}]}",		/* two sets */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seen s = { .n = 0 };
		cr_assert_eq(flowset_parse(bad[i], 4, keep, &s), -1, "accepted: %s", bad[i]);
		cr_assert_eq(s.n, 0);
	}
}

Test(flowset, parse_ipv6)
{
	const char *j = "{\"nftables\": [{\"set\": {\"name\": \"f6\", \"elem\": [{\"concat\": "
	    "[\"fd00:2::20\", 6100, \"fd00:1::10\", 4000]}]}}]}";
	struct seen s = { .n = 0 };

	cr_assert_eq(flowset_parse(j, 6, keep, &s), 1);
	cr_assert_eq(s.c[0].sc_family, AF_INET6);
	cr_assert_eq(flowset_parse(j, 4, keep, &s), -1);
}

Test(flowset, texts)
{
	uint16_t ports[2] = { 53, 6100 };
	struct vnat_tuple t[2];
	char buf[4096];

	cr_assert_gt(flowset_text_ports(ports, 2, 30, true, buf, sizeof(buf)), 0);
	cr_assert(strstr(buf, "timeout 30s") != NULL);
	cr_assert(strstr(buf, "add element inet vnetflow ports { 53, 6100 }\n") != NULL);
	cr_assert(strstr(buf, "udp sport @ports update @f4 { ip saddr . udp sport . ip daddr . udp dport }"));
	cr_assert_gt(flowset_text_ports(ports, 1, 30, false, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "flush set inet vnetflow ports\nadd element inet vnetflow ports { 53 }\n");
	cr_assert_eq(flowset_text_ports(ports, 2, 30, true, buf, 64), -1);
	cr_assert_gt(flowset_text_off(buf, sizeof(buf)), 0);

	memset(t, 0, sizeof(t));
	t[0].t_family = 4;
	t[0].t_proto = IPPROTO_UDP;
	inet_pton(AF_INET, "198.18.2.20", t[0].t_lvir);
	inet_pton(AF_INET, "198.18.1.10", t[0].t_rvir);
	t[0].t_lvir_port = 6100;
	t[0].t_rvir_port = 4000;
	t[1] = t[0];
	t[1].t_proto = IPPROTO_TCP;	/* skipped */
	cr_assert_gt(flowset_text_pin(t, 2, 3600, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "add element inet vnetflow f4 { 198.18.2.20 . 6100 . 198.18.1.10 . 4000 }\n"
	    "delete element inet vnetflow f4 { 198.18.2.20 . 6100 . 198.18.1.10 . 4000 }\n"
	    "add element inet vnetflow f4 { 198.18.2.20 . 6100 . 198.18.1.10 . 4000 timeout 3600s }\n");
	cr_assert_eq(flowset_text_pin(&t[1], 1, 3600, buf, sizeof(buf)), 0);
}
