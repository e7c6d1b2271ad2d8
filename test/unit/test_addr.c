/* vnat/addr: which connections never leave this host (RESUME and SUSPEND
 * leave them alone). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <string.h>

#include "vnat/addr.h"
#include "vnat/tuple.h"

static void
ip(uint8_t family, const char *s, uint8_t *out)
{
	cr_assert_eq(inet_pton(family == 4 ? AF_INET : AF_INET6, s, out), 1, "%s", s);
}

static struct vnat_tuple
tup(uint8_t family, const char *l, const char *r)
{
	struct vnat_tuple t;

	memset(&t, 0, sizeof(t));
	t.t_family = family;
	ip(family, l, t.t_lvir);
	ip(family, r, t.t_rvir);
	memcpy(t.t_lphy, t.t_lvir, 16);
	memcpy(t.t_rphy, t.t_rvir, 16);
	return t;
}

Test(addr, loopback_ranges)
{
	static const struct { uint8_t fam; const char *a; bool lo; } cases[] = {
		{ 4, "127.0.0.1", true }, { 4, "127.255.3.4", true }, { 4, "128.0.0.1", false },
		{ 6, "::1", true }, { 6, "::ffff:127.0.0.9", true }, { 6, "::2", false },
		{ 6, "fd00::1", false },
	};
	uint8_t a[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip(cases[i].fam, cases[i].a, a);
		cr_assert_eq(addr_is_loopback(cases[i].fam, a), cases[i].lo, "%s", cases[i].a);
	}
}

Test(addr, local_connections)
{
	struct addr_one one[2];
	struct addr_set s = { 2, one };
	struct vnat_tuple t;

	memset(one, 0, sizeof(one));
	one[0].ao_family = 4;
	ip(4, "198.18.1.2", one[0].ao_addr);
	one[1].ao_family = 6;
	one[1].ao_lo = 1;	/* on lo: still this host's */
	ip(6, "fd00::5", one[1].ao_addr);

	t = tup(4, "127.0.0.1", "127.0.0.1");
	cr_assert(addr_conn_local(&s, &t), "loopback");
	t = tup(4, "198.18.1.2", "198.18.1.2");
	cr_assert(addr_conn_local(&s, &t), "to one of this host's addresses");
	t = tup(4, "198.18.1.2", "198.18.9.9");
	cr_assert(!addr_conn_local(&s, &t), "a real peer");
	/* moved: its old local address is gone, the peer is still elsewhere */
	t = tup(4, "198.18.7.7", "198.18.9.9");
	cr_assert(!addr_conn_local(&s, &t), "moved");
	t = tup(6, "fd00::9", "fd00::5");
	cr_assert(addr_conn_local(&s, &t), "to an address on lo");
	t = tup(6, "fd00::9", "fd00::6");
	cr_assert(!addr_conn_local(&s, &t), "IPv6 peer");
	t = tup(6, "::1", "::1");
	cr_assert(addr_conn_local(&s, &t), "IPv6 loopback");
}
