/* Unit tests: addresses and endpoints as text, IPv4 and IPv6, and what a
 * buffer too small gets. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "common/addrfmt.h"

static void
pton(int af, const char *text, void *out)
{
	cr_assert_eq(inet_pton(af, text, out), 1, "%s", text);
}

Test(addrfmt, ipv4_address_and_endpoint)
{
	uint8_t a[4];
	char buf[ADDRFMT_LEN];

	pton(AF_INET, "198.18.1.10", a);
	cr_assert_str_eq(addrfmt_addr(AF_INET, a, buf, sizeof(buf)), "198.18.1.10");
	cr_assert_eq(addrfmt_addr(AF_INET, a, buf, sizeof(buf)), buf);
	cr_assert_str_eq(addrfmt_endpoint(AF_INET, a, 4242, buf, sizeof(buf)), "198.18.1.10:4242");
	cr_assert_str_eq(addrfmt_endpoint(AF_INET, a, 0, buf, sizeof(buf)), "198.18.1.10:0");
}

Test(addrfmt, ipv6_address_and_bracketed_endpoint)
{
	uint8_t a[16];
	char buf[ADDRFMT_LEN];

	pton(AF_INET6, "fd00::1", a);
	cr_assert_str_eq(addrfmt_addr(AF_INET6, a, buf, sizeof(buf)), "fd00::1");
	cr_assert_str_eq(addrfmt_endpoint(AF_INET6, a, 7000, buf, sizeof(buf)), "[fd00::1]:7000");
	pton(AF_INET6, "::ffff:198.18.1.10", a);
	cr_assert_str_eq(addrfmt_endpoint(AF_INET6, a, 1, buf, sizeof(buf)),
	    "[::ffff:198.18.1.10]:1");
}

Test(addrfmt, the_longest_endpoint_fits_ADDRFMT_LEN)
{
	uint8_t a[16];
	char buf[ADDRFMT_LEN];
	const char *want = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535";

	pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", a);
	cr_assert_str_eq(addrfmt_endpoint(AF_INET6, a, 65535, buf, sizeof(buf)), want);
	/* and the longest text inet_ntop may write (45 characters) too */
	cr_assert_eq(1 + 45 + 2 + 5 + 1, sizeof(buf));
}

Test(addrfmt, too_small_or_unknown_is_a_question_mark)
{
	uint8_t a[16];
	char buf[ADDRFMT_LEN];

	pton(AF_INET, "198.18.1.10", a);
	cr_assert_str_eq(addrfmt_addr(AF_INET, a, buf, 11), "?");
	cr_assert_str_eq(addrfmt_addr(AF_INET, a, buf, 12), "198.18.1.10");
	cr_assert_str_eq(addrfmt_endpoint(AF_INET, a, 4242, buf, 16), "?");
	cr_assert_str_eq(addrfmt_endpoint(AF_INET, a, 4242, buf, 17), "198.18.1.10:4242");
	cr_assert_str_eq(addrfmt_addr(AF_UNIX, a, buf, sizeof(buf)), "?");
	cr_assert_str_eq(addrfmt_endpoint(AF_UNIX, a, 1, buf, sizeof(buf)), "?");
	memset(buf, 'x', sizeof(buf));
	cr_assert_str_eq(addrfmt_addr(AF_INET, a, buf, 1), "");
	cr_assert_eq(buf[1], 'x', "nothing written past the buffer");
	memset(buf, 'x', sizeof(buf));
	addrfmt_addr(AF_INET, a, buf, 0);
	cr_assert_eq(buf[0], 'x');
}

Test(addrfmt, sockaddr_address_and_port)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(2031) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };
	char buf[ADDRFMT_ADDRLEN];
	uint16_t port;

	pton(AF_INET, "127.0.0.1", &s4.sin_addr);
	pton(AF_INET6, "fd00:1:2:3::1", &s6.sin6_addr);
	cr_assert_str_eq(addrfmt_sockaddr((struct sockaddr *)&s4, buf, sizeof(buf), &port),
	    "127.0.0.1");
	cr_assert_eq(port, 2031);
	cr_assert_str_eq(addrfmt_sockaddr((struct sockaddr *)&s6, buf, sizeof(buf), &port),
	    "fd00:1:2:3::1");
	cr_assert_eq(port, 443);
	cr_assert_str_eq(addrfmt_sockaddr((struct sockaddr *)&ss, buf, sizeof(buf), &port), "?");
	cr_assert_eq(port, 0);
}
