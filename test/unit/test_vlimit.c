/* Unit tests: VCMP's limits (vnat/vlimit): sources, admission, memory. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "vnat/vlimit.h"
#include "vnat/tuple.h"

static struct vlimit_src
src(const char *a)
{
	uint8_t b[16] = { 0 };
	struct vlimit_src k;
	uint8_t fam = strchr(a, ':') ? 6 : 4;

	cr_assert_eq(inet_pton(tuple_af(fam), a, b), 1, "%s", a);
	vlimit_source(fam, b, &k);
	return k;
}

static struct vcmp_limits
defaults(void)
{
	struct vcmp_limits l;

	vlimit_defaults(&l);
	return l;
}

Test(vlimit, defaults_are_the_documented_numbers)
{
	struct vcmp_limits l = defaults();

	cr_assert_eq(l.vl_sessions, 64);
	cr_assert_eq(l.vl_per_source, 8);
	cr_assert_eq(l.vl_deadline, 5);
	cr_assert_eq(l.vl_entries, 16384);
	cr_assert_eq(l.vl_pending, 131072);
	/* the manual, --help and PROTOCOL.md say 97 bytes an entry (1.5 MiB a
	 * session, 12.1 MiB in all) */
	cr_assert_eq(VLIMIT_ENTRY_BYTES, 97);
	cr_assert_eq(VLIMIT_ENTRIES_MAX, 32768);
	cr_assert_eq(VLIMIT_PENDING_MAX, 33554432);
}

Test(vlimit, ipv4_source_is_the_address)
{
	struct vlimit_src a = src("198.18.5.10"), b = src("198.18.5.10"), c = src("198.18.5.11");

	cr_assert(vlimit_same_source(&a, &b));
	cr_assert_not(vlimit_same_source(&a, &c));
	cr_assert_eq(a.src_family, 4);
	cr_assert_eq(memcmp(a.src_key, (uint8_t[8]){ 198, 18, 5, 10, 0, 0, 0, 0 }, 8), 0);
}

Test(vlimit, ipv6_source_is_the_slash_64)
{
	struct vlimit_src a = src("fd00:1:2:3::1"), b = src("fd00:1:2:3:ffff:eeee:dddd:cccc"),
	    c = src("fd00:1:2:4::1"), d = src("fd00:1:2:3::1");

	cr_assert(vlimit_same_source(&a, &b), "one /64, two addresses: one source");
	cr_assert(vlimit_same_source(&a, &d));
	cr_assert_not(vlimit_same_source(&a, &c), "the next /64 is another source");
	cr_assert_eq(a.src_family, 6);
}

Test(vlimit, ipv4_and_ipv6_never_the_same_source)
{
	/* an IPv6 /64 whose first bytes spell an IPv4 address */
	struct vlimit_src a = src("198.18.5.10"), b = src("c612:50a::1");

	cr_assert_not(vlimit_same_source(&a, &b));
}

Test(vlimit, admit_until_full_then_idle_longest_gives_way)
{
	struct vcmp_limits l = defaults();

	cr_assert_eq(vlimit_admit(&l, 0, 0), VLIMIT_ADMIT);
	cr_assert_eq(vlimit_admit(&l, 63, 7), VLIMIT_ADMIT);
	cr_assert_eq(vlimit_admit(&l, 64, 0), VLIMIT_EVICT_OLDEST);
	cr_assert_eq(vlimit_admit(&l, 64, 7), VLIMIT_EVICT_OLDEST);
}

Test(vlimit, a_source_at_its_cap_displaces_itself)
{
	struct vcmp_limits l = defaults();

	cr_assert_eq(vlimit_admit(&l, 10, 8), VLIMIT_EVICT_SOURCE);
	/* full and the source at its cap: its own session goes, not another's */
	cr_assert_eq(vlimit_admit(&l, 64, 8), VLIMIT_EVICT_SOURCE);
	l.vl_per_source = 1;
	cr_assert_eq(vlimit_admit(&l, 1, 1), VLIMIT_EVICT_SOURCE);
	cr_assert_eq(vlimit_admit(&l, 1, 0), VLIMIT_ADMIT);
}

Test(vlimit, need_grows_by_whole_messages_within_the_session_cap)
{
	struct vcmp_limits l = defaults();
	size_t cap, shortby;

	cr_assert_eq(vlimit_need(&l, 0, 0, 1, &cap, &shortby), VLIMIT_MEM_OK);
	cr_assert_eq(cap, 1024);
	cr_assert_eq(vlimit_need(&l, 1024, 1024, 1024, &cap, &shortby), VLIMIT_MEM_OK);
	cr_assert_eq(cap, 1024, "no growth when it fits");
	cr_assert_eq(vlimit_need(&l, 1024, 1024, 1536, &cap, &shortby), VLIMIT_MEM_OK);
	cr_assert_eq(cap, 2048);
	cr_assert_eq(vlimit_need(&l, 15360, 15360, 16384, &cap, &shortby), VLIMIT_MEM_OK);
	cr_assert_eq(cap, 16384);
	cr_assert_eq(vlimit_need(&l, 16384, 16384, 16385, &cap, &shortby), VLIMIT_MEM_SESSION);
	/* a cap that is no whole number of messages is still reached exactly */
	l.vl_entries = 1500;
	cr_assert_eq(vlimit_need(&l, 1024, 1024, 1500, &cap, &shortby), VLIMIT_MEM_OK);
	cr_assert_eq(cap, 1500);
	cr_assert_eq(vlimit_need(&l, 1500, 1500, 1501, &cap, &shortby), VLIMIT_MEM_SESSION);
}

Test(vlimit, keyless_resume_of_10000_fits_by_default)
{
	struct vcmp_limits l = defaults();
	size_t cap = 0, total = 0, newcap, shortby;

	/* xchg: 20 messages of 512 (VNAT_UPD carries AUTH room), the last 272 */
	for (size_t n = 512; n <= 10000 + 511; n += 512) {
		size_t want = n > 10000 ? 10000 : n;
		cr_assert_eq(vlimit_need(&l, cap, total, want, &newcap, &shortby), VLIMIT_MEM_OK,
		    "at %zu entries", want);
		total += newcap - cap;
		cap = newcap;
	}
	cr_assert_eq(cap, 10240);
	/* and 10 messages of 1024 */
	cr_assert_eq(vlimit_need(&l, 0, 0, 10240, &newcap, &shortby), VLIMIT_MEM_OK);
}

Test(vlimit, total_cap_counts_every_session_and_says_by_how_much)
{
	struct vcmp_limits l = defaults();
	size_t cap, shortby;

	/* others hold 130,048: this one may grow to 1024, not to 2048 */
	cr_assert_eq(vlimit_need(&l, 0, 130048, 1024, &cap, &shortby), VLIMIT_MEM_OK);
	cr_assert_eq(vlimit_need(&l, 1024, 131072, 1025, &cap, &shortby), VLIMIT_MEM_TOTAL);
	cr_assert_eq(cap, 2048);
	cr_assert_eq(shortby, 1024);
	/* its own holding is not counted twice */
	cr_assert_eq(vlimit_need(&l, 16000, 16000, 16384, &cap, &shortby), VLIMIT_MEM_OK);
	/* the session cap is checked first */
	cr_assert_eq(vlimit_need(&l, 0, 131072, 16385, &cap, &shortby), VLIMIT_MEM_SESSION);
}

Test(vlimit, loosest_values_do_not_overflow)
{
	struct vcmp_limits l = { VLIMIT_SESSIONS_MAX, VLIMIT_SESSIONS_MAX, VLIMIT_DEADLINE_MAX,
	    VLIMIT_ENTRIES_MAX, VLIMIT_PENDING_MAX };
	size_t cap, shortby;

	cr_assert_eq(vlimit_need(&l, 0, (size_t)VLIMIT_PENDING_MAX - 32768, 32768, &cap, &shortby),
	    VLIMIT_MEM_OK);
	cr_assert_eq(cap, 32768);
	cr_assert_eq(vlimit_need(&l, 0, (size_t)VLIMIT_PENDING_MAX, 1, &cap, &shortby),
	    VLIMIT_MEM_TOTAL);
	cr_assert_eq(shortby, 1024);
	/* a total that claims more than the cap (never in the daemon) still refuses */
	cr_assert_eq(vlimit_need(&l, 0, SIZE_MAX, 1, &cap, &shortby), VLIMIT_MEM_TOTAL);
}
