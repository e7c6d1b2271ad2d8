/* guard: source keys, the penalty's growth and decay, which entry is
 * reused, the caps' victims and the serialized bookings of HELLO answers. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "server/guard.h"

static struct guard_key
key4(const char *a)
{
	struct sockaddr_in s4;
	struct guard_key k;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	cr_assert_eq(inet_pton(AF_INET, a, &s4.sin_addr), 1);
	cr_assert(guard_key_from_sa((struct sockaddr *)&s4, &k));
	return k;
}

static struct guard_key
key6(const char *a)
{
	struct sockaddr_in6 s6;
	struct guard_key k;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	cr_assert_eq(inet_pton(AF_INET6, a, &s6.sin6_addr), 1);
	cr_assert(guard_key_from_sa((struct sockaddr *)&s6, &k));
	return k;
}

static void
assert_key_text(struct guard_key k, const char *want)
{
	char buf[GUARD_KEY_STRLEN];

	guard_key_format(&k, buf, sizeof(buf));
	cr_assert_str_eq(buf, want);
}

Test(guard, key_ipv4_is_the_address)
{
	struct guard_key a = key4("198.18.0.1"), b = key4("198.18.0.2");

	cr_assert_neq(memcmp(&a, &b, sizeof(a)), 0);
	assert_key_text(a, "198.18.0.1");
}

Test(guard, key_ipv6_is_the_64)
{
	struct guard_key a = key6("fd00:1:2:3::1"), b = key6("fd00:1:2:3:ffff:1:2:3"),
	    c = key6("fd00:1:2:4::1");

	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "one /64, one source");
	cr_assert_neq(memcmp(&a, &c, sizeof(a)), 0);
	assert_key_text(a, "fd00:1:2:3::/64");
}

Test(guard, key_v4_mapped_is_the_ipv4_address)
{
	struct guard_key a = key6("::ffff:198.18.0.1"), b = key4("198.18.0.1"),
	    c = key6("::ffff:198.18.0.2");

	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_assert_neq(memcmp(&a, &c, sizeof(a)), 0, "not cut to a /64");
}

Test(guard, key_other_family_refused)
{
	struct sockaddr sa;
	struct guard_key k;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	cr_assert_not(guard_key_from_sa(&sa, &k));
}

Test(guard, penalty_grows_linearly_then_stops)
{
	cr_assert_eq(guard_penalty_ms(0, 100), 0);
	cr_assert_eq(guard_penalty_ms(1, 100), 100);
	cr_assert_eq(guard_penalty_ms(7, 100), 700);
	cr_assert_eq(guard_penalty_ms(GUARD_PENALTY_STEPS, 100), GUARD_PENALTY_STEPS * 100);
	cr_assert_eq(guard_penalty_ms(GUARD_FAILS_MAX, 100), GUARD_PENALTY_STEPS * 100);
	cr_assert_eq(guard_penalty_ms(50, 0), 0, "0 turns it off");
	cr_assert_eq(guard_penalty_ms(GUARD_FAILS_MAX, 10000), GUARD_PENALTY_STEPS * 10000u);
}

Test(guard, decay_forgets_one_failure_per_period)
{
	cr_assert_eq(guard_decay(5, 0), 5);
	cr_assert_eq(guard_decay(5, GUARD_DECAY_MS - 1), 5);
	cr_assert_eq(guard_decay(5, GUARD_DECAY_MS), 4);
	cr_assert_eq(guard_decay(5, 3 * GUARD_DECAY_MS + 7), 2);
	cr_assert_eq(guard_decay(5, 5 * GUARD_DECAY_MS), 0);
	cr_assert_eq(guard_decay(5, UINT64_MAX), 0);
	cr_assert_eq(guard_decay(0, GUARD_DECAY_MS), 0);
}

Test(guard, pick_slot_free_first_then_stalest_unpinned)
{
	struct guard_src t[4];

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 4; i++) {
		t[i].gs_used = true;
		t[i].gs_seen_ms = 100 + (uint64_t)i;
	}
	t[2].gs_used = false;
	cr_assert_eq(guard_pick_slot(t, 4), 2, "a free entry first");
	t[2].gs_used = true;
	cr_assert_eq(guard_pick_slot(t, 4), 0, "else the stalest");
	t[0].gs_unauth = 1;
	cr_assert_eq(guard_pick_slot(t, 4), 1, "never one that counts connections");
	t[1].gs_unauth = t[2].gs_unauth = t[3].gs_unauth = 1;
	cr_assert_eq(guard_pick_slot(t, 4), -1);
}

static struct guard *
mk(unsigned all, unsigned per, uint32_t pen)
{
	struct guard_cfg cfg = { all, per, pen };
	struct guard *g = guard_new(&cfg);

	cr_assert_not_null(g);
	return g;
}

Test(guard, per_source_cap_names_that_sources_oldest)
{
	struct guard *g = mk(10, 2, 0);
	struct guard_conn c[4] = { { .gc_owner = NULL } };
	struct guard_key a = key4("198.18.0.1"), b = key4("198.18.0.2");

	cr_assert_eq(guard_enter(g, &c[0], &b, 1), 0);
	cr_assert_eq(guard_enter(g, &c[1], &a, 2), 0);
	cr_assert_null(guard_victim(g, &a));
	cr_assert_eq(guard_enter(g, &c[2], &a, 3), 0);
	cr_assert_eq(guard_victim(g, &a), &c[1], "a's oldest, not b's older one");
	cr_assert_null(guard_victim(g, &b));
	guard_leave(g, &c[1]);
	guard_leave(g, &c[1]);	/* twice: harmless */
	cr_assert_null(guard_victim(g, &a));
	cr_assert_eq(guard_unauth(g), 2);
	guard_leave(g, &c[0]);
	guard_leave(g, &c[2]);
	cr_assert_eq(guard_unauth(g), 0);
	guard_free(g);
}

Test(guard, total_cap_names_the_oldest_of_all)
{
	struct guard *g = mk(3, 3, 0);
	struct guard_conn c[3] = { { .gc_owner = NULL } };
	char ip[32];

	for (int i = 0; i < 3; i++) {
		snprintf(ip, sizeof(ip), "198.18.0.%d", i + 1);
		struct guard_key k = key4(ip);
		cr_assert_eq(guard_enter(g, &c[i], &k, (uint64_t)i), 0);
	}
	struct guard_key n = key4("198.18.1.1");
	cr_assert_eq(guard_victim(g, &n), &c[0]);
	cr_assert_eq(guard_oldest(g), &c[0]);
	for (int i = 0; i < 3; i++)
		guard_leave(g, &c[i]);
	cr_assert_null(guard_oldest(g));
	guard_free(g);
}

Test(guard, table_full_reuses_the_stalest_source)
{
	struct guard *g = mk(GUARD_UNAUTH_MAX, 1, 100);
	struct guard_conn gc = { .gc_owner = NULL };
	uint64_t at;
	char ip[32];

	/* a source with a penalty, then GUARD_TABLE_MAX newer ones push it out */
	struct guard_key a = key4("198.18.255.1");
	cr_assert_eq(guard_enter(g, &gc, &a, 0), 0);
	cr_assert(guard_hello(g, &gc, false, 0, 100000, &at));
	guard_leave(g, &gc);
	for (int i = 0; i < GUARD_TABLE_MAX; i++) {
		snprintf(ip, sizeof(ip), "198.18.%d.%d", i / 256, i % 256);
		struct guard_key k = key4(ip);
		cr_assert_eq(guard_enter(g, &gc, &k, 1 + (uint64_t)i), 0);
		guard_leave(g, &gc);
	}
	cr_assert_eq(guard_enter(g, &gc, &a, 10000), 0);
	cr_assert(guard_hello(g, &gc, false, 10000, 100000, &at));
	cr_assert_eq(at, 10000, "forgotten: no wait");
	guard_leave(g, &gc);
	guard_free(g);
}

Test(guard, wrong_passwords_serialize_and_grow)
{
	struct guard *g = mk(100, 100, 100);
	struct guard_conn c[3] = { { .gc_owner = NULL } };
	struct guard_key a = key4("198.18.0.1"), b = key4("198.18.0.2");
	uint64_t at, t = 1000, total = 0;

	cr_assert_eq(guard_enter(g, &c[0], &a, t), 0);
	cr_assert_eq(guard_enter(g, &c[1], &a, t), 0);
	cr_assert_eq(guard_enter(g, &c[2], &b, t), 0);
	/* 60 wrong HELLOs in a row (each sent when the last was answered) */
	for (int i = 0; i < 60; i++) {
		cr_assert(guard_hello(g, &c[i % 2], false, t, t + 1000000, &at));
		cr_assert_geq(at, t);
		t = at;
	}
	total = t - 1000;
	/* sum of min(n, 10) x 100 ms for n = 1..59 */
	cr_assert_eq(total, 100 * (55 + 49 * 10), "got %llu", (unsigned long long)total);
	/* all 60 at once from parallel connections: answered no faster */
	cr_assert(guard_hello(g, &c[0], false, 1000, t + 1000000, &at));
	cr_assert_eq(at, t + 1000);
	cr_assert(guard_hello(g, &c[1], true, 1000, t + 1000000, &at));
	cr_assert_eq(at, t + 2000, "a right password waits its turn too");
	/* another source does not wait */
	cr_assert(guard_hello(g, &c[2], true, 1000, 1000 + 30000, &at));
	cr_assert_eq(at, 1000);
	/* past the deadline: refused, nothing booked */
	cr_assert_not(guard_hello(g, &c[0], false, 1000, 1000 + 30000, &at));
	cr_assert(guard_hello(g, &c[0], false, 1000, t + 1000000, &at));
	cr_assert_eq(at, t + 3000);
	for (int i = 0; i < 3; i++)
		guard_leave(g, &c[i]);
	guard_free(g);
}

Test(guard, penalty_decays_when_quiet_and_can_be_off)
{
	struct guard *g = mk(100, 100, 100), *off = mk(100, 100, 0);
	struct guard_conn gc = { .gc_owner = NULL }, go = { .gc_owner = NULL };
	struct guard_key a = key4("198.18.0.1");
	uint64_t at, t = 0;

	cr_assert_eq(guard_enter(g, &gc, &a, 0), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert(guard_hello(g, &gc, false, t, UINT64_MAX, &at));
		t = at;
	}
	/* 3 failures; after 2 decay periods 1 is left: one step of wait */
	t += 2 * GUARD_DECAY_MS;
	cr_assert(guard_hello(g, &gc, true, t, UINT64_MAX, &at));
	cr_assert_eq(at, t);
	cr_assert(guard_hello(g, &gc, true, t, UINT64_MAX, &at));
	cr_assert_eq(at, t + 100);
	guard_leave(g, &gc);

	cr_assert_eq(guard_enter(off, &go, &a, 0), 0);
	for (int i = 0; i < 20; i++) {
		cr_assert(guard_hello(off, &go, false, 5, 10, &at));
		cr_assert_eq(at, 5);
	}
	guard_leave(off, &go);
	guard_free(g);
	guard_free(off);
}
