/* Unit tests: the connection table with its nftables side (vnat_apply,
 * vnat_remove), kept addresses and the sweep, each in a network namespace
 * of its own (unshare), never in the machine's own ruleset. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <nftables/libnftables.h>

#include "test/unit/fixture.h"
#include "vnat/addr.h"
#include "vnat/core.h"

static struct event_base *base;
static struct vnat *v;

static void
setup(void)
{
	char err[256];

	if (geteuid() != 0)
		cr_skip_test("needs root for a private network namespace");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET)");
	base = event_base_new();
	v = vnat_start(base, NULL, err, sizeof(err));
	cr_assert_not_null(v, "%s", err);
}

static void
teardown(void)
{
	if (v)
		vnat_stop(v);
	if (base)
		event_base_free(base);
}

static const char *
ruleset(void)
{
	static char buf[65536];
	struct nft_ctx *nft = nftx_open();

	cr_assert_eq(nft_run_cmd_from_buffer(nft, "list ruleset"), 0);
	snprintf(buf, sizeof(buf), "%s", nft_ctx_get_output_buffer(nft));
	nft_ctx_free(nft);
	return buf;
}

static struct vnat_tuple
moved(const char *lvir, uint16_t lport, const char *lphy, const char *rvir, uint16_t rport)
{
	return fx_tr4(lvir, lport, lphy, rvir, rport, rvir);
}

Test(vnat, input_first_then_both_then_identity_removes_all, .init = setup, .fini = teardown)
{
	struct vnat_tuple t = moved("198.18.1.10", 40001, "198.18.3.10", "198.18.2.20", 5001);
	char err[256];

	cr_assert_null(strstr(ruleset(), "vnet"), "a table before any translation");
	t.t_dirs = TUPLE_IN;
	cr_assert_eq(vnat_apply(v, &t, 1, err, sizeof(err)), 0, "%s", err);
	const char *rs = ruleset();
	cr_assert(strstr(rs, "198.18.2.20 . tcp . 5001 . 198.18.3.10 . 40001 : 198.18.1.10"), "%s", rs);
	cr_assert_null(strstr(rs, "198.18.1.10 . tcp . 40001 . 198.18.2.20 . 5001 : 198.18.3.10"),
	    "output side before the peer answered: %s", rs);
	/* a rule (a lookup per packet) only for the maps in use */
	cr_assert(strstr(rs, "map @i4_daddr"), "%s", rs);
	cr_assert_null(strstr(rs, "map @o4_saddr"), "%s", rs);
	cr_assert_null(strstr(rs, "map @i4_dport"), "%s", rs);
	t.t_dirs = 0;
	cr_assert_eq(vnat_apply(v, &t, 1, err, sizeof(err)), 0, "%s", err);
	rs = ruleset();
	cr_assert(strstr(rs, "198.18.1.10 . tcp . 40001 . 198.18.2.20 . 5001 : 198.18.3.10"), "%s", rs);
	cr_assert(strstr(rs, "198.18.2.20 . tcp . 5001 . 198.18.3.10 . 40001 : 198.18.1.10"), "%s", rs);
	cr_assert(strstr(rs, "map @o4_saddr"), "%s", rs);
	cr_assert_null(strstr(rs, "map @o4_sport"), "%s", rs);
	cr_assert_null(strstr(rs, "map @o4_daddr"), "%s", rs);
	cr_assert_null(strstr(rs, "map @o6_"), "%s", rs);
	cr_assert_eq(vnat_count(v), 1);
	cr_assert_not_null(vnat_find(v, &t));
	/* back on its first address: the identity, so nothing to translate */
	memcpy(t.t_lphy, t.t_lvir, 4);
	cr_assert_eq(vnat_apply(v, &t, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vnat_count(v), 0);
	cr_assert_null(strstr(ruleset(), "vnet"), "%s", ruleset());
}

Test(vnat, remove_unknown_is_harmless_and_the_last_takes_the_table, .init = setup,
    .fini = teardown)
{
	struct vnat_tuple a = moved("198.18.1.10", 40001, "198.18.3.10", "198.18.2.20", 5001);
	struct vnat_tuple b = moved("198.18.1.10", 40002, "198.18.3.10", "198.18.2.20", 5001);
	char err[256];

	cr_assert_eq(vnat_remove(v, &a, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vnat_apply(v, &a, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vnat_apply(v, &b, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vnat_remove(v, &a, 1, err, sizeof(err)), 0, "%s", err);
	const char *rs = ruleset();
	cr_assert_null(strstr(rs, ". 40001 ."), "%s", rs);
	cr_assert(strstr(rs, ". 40002 ."), "%s", rs);
	cr_assert_eq(vnat_remove(v, &b, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(strstr(ruleset(), "vnet"));
}

Test(vnat, kept_address_lives_with_its_translations, .init = setup, .fini = teardown)
{
	struct vnat_tuple t = moved("198.18.1.10", 40001, "198.18.3.10", "198.18.2.20", 5001);
	char err[256];

	cr_assert_eq(kept_add(v, 4, t.t_lvir), 0);
	cr_assert(addr_assigned(4, t.t_lvir, true));
	cr_assert(strstr(ruleset(), "table arp vnet"));
	cr_assert_eq(vnat_apply(v, &t, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(kept_release_unused(v), 0);
	cr_assert(addr_assigned(4, t.t_lvir, true));
	cr_assert_eq(vnat_remove(v, &t, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(kept_release_unused(v), 1);
	cr_assert_not(addr_assigned(4, t.t_lvir, true));
	cr_assert_null(strstr(ruleset(), "vnet"), "%s", ruleset());
}

Test(vnat, sweep_keeps_live_connections_and_drops_closed_ones, .init = setup, .fini = teardown)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM, 0), cs = socket(AF_INET, SOCK_STREAM, 0);
	char err[256];

	cr_assert_eq(system("ip link set lo up"), 0);
	cr_assert_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(ls, 1), 0);
	cr_assert_eq(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	cr_assert_eq(connect(cs, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct sockaddr_in me;
	sl = sizeof(me);
	getsockname(cs, (struct sockaddr *)&me, &sl);
	/* the live connection, as if it had moved; and one that does not exist */
	struct vnat_tuple t[2] = {
		moved("127.0.0.1", ntohs(me.sin_port), "198.18.3.10", "127.0.0.1", ntohs(sa.sin_port)),
		moved("198.18.1.10", 40009, "198.18.3.10", "198.18.2.20", 5001),
	};
	cr_assert_eq(vnat_apply(v, t, 2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sweep_now(v), 1);
	cr_assert_not_null(vnat_find(v, &t[0]));
	cr_assert_null(vnat_find(v, &t[1]));
	close(cs);
	close(ls);
	cr_assert_eq(sweep_now(v), 1);
	cr_assert_eq(vnat_count(v), 0);
	cr_assert_null(strstr(ruleset(), "vnet"));
}
