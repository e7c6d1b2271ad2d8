/* Unit tests: VNAT's nftables batches.  The text is checked as text; then
 * each test that applies batches does so in a network namespace of its own
 * (unshare), never in the machine's own ruleset. */

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "test/unit/fixture.h"
#include "vnat/nftx.h"

static struct vnat_tuple
moved_client(uint32_t id)
{
	struct vnat_tuple t = fx_tr4("198.18.1.10", (uint16_t)(40000 + id), "198.18.3.10",
	    "198.18.2.20", 5001, "198.18.2.20");

	t.t_id = id;
	return t;
}

Test(nftx, add_text_for_a_moved_client)
{
	struct vnat_tuple t = moved_client(7);
	char buf[4096];

	cr_assert_gt(nftx_text_add(&t, 1, 0, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf,
	    "add element inet vnet o4_saddr { 198.18.1.10 . 6 . 40007 . 198.18.2.20 . 5001 : 198.18.3.10 }\n"
	    "add element inet vnet i4_daddr { 198.18.2.20 . 6 . 5001 . 198.18.3.10 . 40007 : 198.18.1.10 }\n");
	cr_assert_gt(nftx_text_del(&t, 1, 0, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf,
	    "delete element inet vnet o4_saddr { 198.18.1.10 . 6 . 40007 . 198.18.2.20 . 5001 }\n"
	    "delete element inet vnet i4_daddr { 198.18.2.20 . 6 . 5001 . 198.18.3.10 . 40007 }\n");
}

Test(nftx, both_ends_moved_and_ports_changed)
{
	struct vnat_tuple t = moved_client(1);
	char buf[4096];

	t.t_proto = 17;
	t.t_lphy_port = 50000;
	inet_pton(AF_INET, "198.18.4.20", t.t_rphy);
	cr_assert_gt(nftx_text_add(&t, 1, 0, buf, sizeof(buf)), 0);
	/* out: saddr, then sport keyed with the new saddr, then daddr keyed with both */
	cr_assert_str_eq(buf,
	    "add element inet vnet o4_saddr { 198.18.1.10 . 17 . 40001 . 198.18.2.20 . 5001 : 198.18.3.10 }\n"
	    "add element inet vnet o4_sport { 198.18.3.10 . 17 . 40001 . 198.18.2.20 . 5001 : 50000 }\n"
	    "add element inet vnet o4_daddr { 198.18.3.10 . 17 . 50000 . 198.18.2.20 . 5001 : 198.18.4.20 }\n"
	    "add element inet vnet i4_daddr { 198.18.4.20 . 17 . 5001 . 198.18.3.10 . 50000 : 198.18.1.10 }\n"
	    "add element inet vnet i4_dport { 198.18.4.20 . 17 . 5001 . 198.18.1.10 . 50000 : 40001 }\n"
	    "add element inet vnet i4_saddr { 198.18.4.20 . 17 . 5001 . 198.18.1.10 . 40001 : 198.18.2.20 }\n");
}

Test(nftx, small_buffer_refused)
{
	struct vnat_tuple t = moved_client(1);
	char buf[40];

	cr_assert_eq(nftx_text_add(&t, 1, 1, buf, sizeof(buf)), -1);
	cr_assert_eq(nftx_text_reset(buf, 10), -1);
}

static void
private_netns(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root for a private network namespace");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET)");
}

static const char *
ruleset(struct nft_ctx *nft)
{
	cr_assert_eq(nft_run_cmd_from_buffer(nft, "list ruleset"), 0);
	return nft_ctx_get_output_buffer(nft);
}

Test(nftx, apply_add_delete_destroy_in_a_private_namespace, .init = private_netns)
{
	struct nft_ctx *nft = nftx_open();
	struct vnat_tuple t[2] = { moved_client(1), moved_client(2) };
	char batch[8192], err[512];

	cr_assert_not_null(nft);
	cr_assert_gt(nftx_text_reset(batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	/* a second reset works as well: nothing of ours, stale or not, is left */
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	const char *rs = ruleset(nft);
	cr_assert_null(strstr(rs, "vnet"), "a table before any translation: %s", rs);

	cr_assert_gt(nftx_text_add(t, 2, 1, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s\n%s", err, batch);
	rs = ruleset(nft);
	/* a moved client rewrites its source: no route chain, so no second route lookup */
	cr_assert(strstr(rs, "chain outsrc {\n\t\ttype filter hook output priority mangle - 1"), "%s", rs);
	cr_assert_null(strstr(rs, "type route"), "%s", rs);
	cr_assert(strstr(rs, "hook prerouting priority raw"), "%s", rs);
	cr_assert(strstr(rs, "198.18.1.10 . tcp . 40002 . 198.18.2.20 . 5001 : 198.18.3.10"), "%s", rs);
	/* its peer rewrites the destination: the route chain, routed again */
	struct vnat_tuple p = moved_client(3);
	memcpy(p.t_lvir, p.t_rvir, 4);
	memcpy(p.t_lphy, p.t_rphy, 4);
	inet_pton(AF_INET, "198.18.1.10", p.t_rvir);
	inet_pton(AF_INET, "198.18.3.10", p.t_rphy);
	cr_assert_gt(nftx_text_add(&p, 1, 0, batch, sizeof(batch)), 0);
	int k = (int)strlen(batch);
	cr_assert_gt(nftx_text_rules(nftx_maps_of(&t[0]), nftx_maps_of(&t[0]) | nftx_maps_of(&p),
	    batch + k, sizeof(batch) - (size_t)k), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s\n%s", err, batch);
	rs = ruleset(nft);
	cr_assert(strstr(rs, "type route hook output priority mangle"), "%s", rs);
	cr_assert(strstr(rs, "map @o4_daddr"), "%s", rs);
	cr_assert_gt(nftx_text_del(&p, 1, 0, batch, sizeof(batch)), 0);
	k = (int)strlen(batch);
	cr_assert_gt(nftx_text_rules(nftx_maps_of(&t[0]) | nftx_maps_of(&p), nftx_maps_of(&t[0]),
	    batch + k, sizeof(batch) - (size_t)k), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s\n%s", err, batch);
	rs = ruleset(nft);
	cr_assert_null(strstr(rs, "type route"), "the empty route chain stayed: %s", rs);

	cr_assert_gt(nftx_text_del(&t[0], 1, 0, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	rs = ruleset(nft);
	cr_assert_null(strstr(rs, ". 40001 ."), "%s", rs);
	cr_assert(strstr(rs, ". 40002 ."), "%s", rs);
	cr_assert_gt(nftx_text_del(&t[1], 1, 1, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	rs = ruleset(nft);
	cr_assert_null(strstr(rs, "vnet"), "the last translation left: %s", rs);

	cr_assert_gt(nftx_text_destroy(batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	rs = ruleset(nft);
	cr_assert_null(strstr(rs, "vnet"), "%s", rs);
	nft_ctx_free(nft);
}

Test(nftx, a_failing_batch_changes_nothing, .init = private_netns)
{
	struct nft_ctx *nft = nftx_open();
	struct vnat_tuple t = moved_client(1);
	char batch[8192], err[512];

	cr_assert_not_null(nft);
	nftx_text_reset(batch, sizeof(batch));
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	int n = nftx_text_add(&t, 1, 1, batch, sizeof(batch));
	/* an element for a map that does not exist: nftables refuses the whole batch */
	snprintf(batch + n, sizeof(batch) - (size_t)n, "add element inet vnet nosuchmap { 1.2.3.4 . 6 . "
	    "1 . 5.6.7.8 . 2 : 1.1.1.1 }\n");
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), -1);
	cr_assert(strstr(err, "nftables:"), "%s", err);
	const char *rs = ruleset(nft);
	cr_assert_null(strstr(rs, "198.18.3.10"), "a refused batch left: %s", rs);
	cr_assert_null(strstr(rs, "hook"), "%s", rs);
	nft_ctx_free(nft);
}

Test(nftx, arp_table_for_kept_addresses, .init = private_netns)
{
	struct nft_ctx *nft = nftx_open();
	uint8_t a[4] = { 198, 18, 1, 10 }, b[4] = { 198, 18, 1, 11 };
	char batch[2048], err[512];

	cr_assert_not_null(nft);
	cr_assert_gt(nftx_text_arp(a, 1, 1, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s\n%s", err, batch);
	cr_assert_gt(nftx_text_arp(b, 1, 0, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s\n%s", err, batch);
	const char *rs = ruleset(nft);
	cr_assert(strstr(rs, "table arp vnet"), "%s", rs);
	cr_assert(strstr(rs, "198.18.1.10"), "%s", rs);
	cr_assert(strstr(rs, "arp daddr ip @kept"), "%s", rs);
	cr_assert(strstr(rs, "arp saddr ip @kept"), "%s", rs);
	cr_assert_gt(nftx_text_arp(a, 0, 0, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	rs = ruleset(nft);
	cr_assert_null(strstr(rs, "198.18.1.10"), "%s", rs);
	cr_assert(strstr(rs, "198.18.1.11"), "%s", rs);
	cr_assert_gt(nftx_text_arp(b, 0, 1, batch, sizeof(batch)), 0);
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(strstr(ruleset(nft), "vnet"));
	/* a reset removes a stale arp table too */
	nftx_text_arp(a, 1, 1, batch, sizeof(batch));
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	nftx_text_reset(batch, sizeof(batch));
	cr_assert_eq(nftx_apply(nft, batch, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(strstr(ruleset(nft), "vnet"));
	nft_ctx_free(nft);
}
