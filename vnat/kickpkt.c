/* kickpkt: the bytes of vnat/kick's ICMP errors. */
#include "vnat/kickpkt.h"

#include <netinet/in.h>
#include <string.h>

/* the sum of n bytes, big-endian 16-bit words, added to sum, not folded */
static uint32_t
add(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

uint16_t
kickpkt_csum(const uint8_t *p, size_t n, uint32_t sum)
{
	sum = add(p, n, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* the first 8 bytes of the segment's TCP header: ports and sequence */
static void
quote_tcp(uint8_t *p, const struct vnat_tuple *t, uint32_t seq)
{
	put16(p, t->t_lvir_port);
	put16(p + 2, t->t_rvir_port);
	put32(p + 4, seq);
}

/* an IPv4 header of total length tot, its checksum made */
static void
ip4(uint8_t *p, uint8_t tos, uint16_t tot, uint16_t frag, uint8_t proto, const uint8_t *src,
    const uint8_t *dst)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = tos;
	put16(p + 2, tot);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	put16(p + 10, kickpkt_csum(p, 20, 0));
}

static void
ip6(uint8_t *p, uint16_t plen, uint8_t nh, const uint8_t *src, const uint8_t *dst)
{
	memset(p, 0, 8);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

int
kickpkt_build(const struct vnat_tuple *t, uint32_t seq, uint8_t *out, size_t len)
{
	if (t->t_proto != IPPROTO_TCP)
		return -1;
	if (t->t_family == 4) {
		if (len < 56)
			return -1;
		/* as Linux sends its own errors: precedence "internetwork control";
		 * the quoted segment: a bare header, Don't Fragment as TCP sends */
		ip4(out, 0xc0, 56, 0, IPPROTO_ICMP, t->t_lvir, t->t_lvir);
		memset(out + 20, 0, 8);
		out[20] = 3;		/* destination unreachable */
		out[21] = 1;		/* host unreachable */
		ip4(out + 28, 0, 40, 0x4000, IPPROTO_TCP, t->t_lvir, t->t_rvir);
		quote_tcp(out + 48, t, seq);
		put16(out + 22, kickpkt_csum(out + 20, 36, 0));
		return 56;
	}
	if (len < 96)
		return -1;
	ip6(out, 56, IPPROTO_ICMPV6, t->t_lvir, t->t_lvir);
	memset(out + 40, 0, 8);
	out[40] = 1;			/* destination unreachable */
	out[41] = 0;			/* no route to destination */
	ip6(out + 48, 20, IPPROTO_TCP, t->t_lvir, t->t_rvir);
	quote_tcp(out + 88, t, seq);
	/* the pseudo-header: source, destination, length 56, next header 58 */
	uint32_t ph = add(out + 8, 32, 0) + 56 + IPPROTO_ICMPV6;
	put16(out + 42, kickpkt_csum(out + 40, 56, ph));
	return 96;
}
