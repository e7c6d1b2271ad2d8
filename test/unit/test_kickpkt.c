/* Unit tests: vnat/kickpkt, the ICMP errors of the kick, byte for byte (the
 * expected bytes written by an independent implementation), checksums
 * checked by summing again, and the refusals. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <criterion/criterion.h>
#include <string.h>

#include "test/unit/fixture.h"
#include "vnat/kick.h"
#include "vnat/kickpkt.h"

/* the socket's view after a move: its virtual ends are quoted, never the
 * physical ones (198.18.3.10 is the new address) */
static struct vnat_tuple
moved4(void)
{
	return fx_tr4("198.18.1.10", 40001, "198.18.3.10", "198.18.2.20", 5001, "198.18.2.20");
}

static struct vnat_tuple
moved6(void)
{
	struct vnat_tuple t;

	memset(&t, 0, sizeof(t));
	t.t_family = 6;
	t.t_proto = 6;
	inet_pton(AF_INET6, "fd00:1::10", t.t_lvir);
	inet_pton(AF_INET6, "fd00:3::10", t.t_lphy);
	inet_pton(AF_INET6, "fd00:2::20", t.t_rvir);
	inet_pton(AF_INET6, "fd00:2::20", t.t_rphy);
	t.t_lvir_port = 40001;
	t.t_lphy_port = 40001;
	t.t_rvir_port = t.t_rphy_port = 5001;
	return t;
}

Test(kickpkt, rfc1071_example)
{
	/* RFC 1071, 3: the sum of these is ddf2, the checksum its complement */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	cr_assert_eq(kickpkt_csum(b, sizeof(b), 0), 0x220d);
	cr_assert_eq(kickpkt_csum(b, 3, 0), (uint16_t)~0xf201u);	/* odd length: padded */
	cr_assert_eq(kickpkt_csum(b + 4, 4, 0x00010000u), (uint16_t)~0xebeeu);	/* carries folded */
}

Test(kickpkt, ipv4_host_unreachable_quoting_the_virtual_tuple)
{
	static const uint8_t want[56] = {
		0x45, 0xc0, 0x00, 0x38, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0xeb, 0xcc,
		0xc6, 0x12, 0x01, 0x0a, 0xc6, 0x12, 0x01, 0x0a,		/* 198.18.1.10 to itself */
		0x03, 0x01, 0xaf, 0x96, 0x00, 0x00, 0x00, 0x00,		/* type 3 code 1 */
		0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xab, 0x8d,
		0xc6, 0x12, 0x01, 0x0a, 0xc6, 0x12, 0x02, 0x14,		/* quoted: 1.10 -> 2.20 */
		0x9c, 0x41, 0x13, 0x89, 0xde, 0xad, 0xbe, 0xef,		/* 40001 -> 5001, seq */
	};
	struct vnat_tuple t = moved4();
	uint8_t out[KICKPKT_MAX];

	memset(out, 0xaa, sizeof(out));
	cr_assert_eq(kickpkt_build(&t, 0xdeadbeef, out, sizeof(out)), 56);
	cr_assert_arr_eq(out, want, sizeof(want));
	/* each checksum, summed with what it covers, gives 0 */
	cr_assert_eq(kickpkt_csum(out, 20, 0), 0);
	cr_assert_eq(kickpkt_csum(out + 20, 36, 0), 0);
	cr_assert_eq(kickpkt_csum(out + 28, 20, 0), 0);
	cr_assert_eq(out[56], 0xaa, "nothing written past the packet");
}

Test(kickpkt, ipv6_no_route_with_the_pseudo_header)
{
	static const uint8_t want[96] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x38, 0x3a, 0x40,
		0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
		0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
		0x01, 0x00, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,		/* type 1 code 0 */
		0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40,
		0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
		0xfd, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
		0x9c, 0x41, 0x13, 0x89, 0xde, 0xad, 0xbe, 0xef,
	};
	struct vnat_tuple t = moved6();
	uint8_t out[KICKPKT_MAX], ph[40];

	cr_assert_eq(kickpkt_build(&t, 0xdeadbeef, out, sizeof(out)), 96);
	cr_assert_arr_eq(out, want, sizeof(want));
	/* the pseudo-header (RFC 8200, 8.1) and the message sum to 0 */
	memcpy(ph, out + 8, 32);
	memcpy(ph + 32, "\0\0\0\x38\0\0\0\x3a", 8);
	uint32_t s = 0;
	for (size_t i = 0; i < sizeof(ph); i += 2)
		s += (uint32_t)ph[i] << 8 | ph[i + 1];
	cr_assert_eq(kickpkt_csum(out + 40, 56, s), 0);
}

Test(kickpkt, refusals)
{
	struct vnat_tuple t4 = moved4(), t6 = moved6(), udp = moved4();
	uint8_t out[KICKPKT_MAX];

	udp.t_proto = 17;
	cr_assert_eq(kickpkt_build(&udp, 1, out, sizeof(out)), -1, "UDP has no back-off");
	cr_assert_eq(kickpkt_build(&t4, 1, out, 55), -1);
	cr_assert_eq(kickpkt_build(&t4, 1, out, 56), 56);
	cr_assert_eq(kickpkt_build(&t6, 1, out, 95), -1);
	cr_assert_eq(kickpkt_build(&t6, 1, out, 96), 96);
}

Test(kick, worth_only_tcp_backed_off_twice)
{
	struct sd_conn c;

	memset(&c, 0, sizeof(c));
	c.sc_proto = IPPROTO_TCP;
	cr_assert_not(kick_worth(&c), "an idle connection");
	c.sc_retrans = 1;
	cr_assert_not(kick_worth(&c), "one step: due again within two RTOs");
	c.sc_retrans = 2;
	cr_assert(kick_worth(&c));
	c.sc_proto = IPPROTO_UDP;
	cr_assert_not(kick_worth(&c), "UDP");
}
