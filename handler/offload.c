/* offload: virtio-net header and checksum normalisation for injection. */
#include "handler/offload.h"

#include <string.h>

#include "common/bbuf.h"

#define ETH_HLEN_	14
#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define IPP_TCP		6
#define IPP_UDP		17

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += bbuf_peek_u16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

struct l34 {
	size_t	l3off, l4off, l4len;
	uint8_t	proto;
	uint32_t pseudo;	/* pseudo-header sum, unfolded */
	int	v6;
};

/* Finds an unfragmented TCP/UDP packet; 1 found, 0 not TCP/UDP, -1 cut short. */
static int
find_l4(const uint8_t *f, size_t len, struct l34 *o)
{
	size_t off = ETH_HLEN_;
	uint16_t et = bbuf_peek_u16(f + 12);
	int tags = 0;

	while ((et == ET_VLAN || et == ET_QINQ) && tags++ < 2) {
		if (len < off + 4)
			return 0;
		et = bbuf_peek_u16(f + off + 2);
		off += 4;
	}
	o->l3off = off;
	if (et == ET_IPV4) {
		size_t ihl, tot;
		if (len < off + 20 || (f[off] >> 4) != 4)
			return 0;
		ihl = (size_t)(f[off] & 0x0f) * 4;
		tot = bbuf_peek_u16(f + off + 2);
		if (ihl < 20 || tot < ihl || len < off + tot)
			return 0;
		if (bbuf_peek_u16(f + off + 6) & 0x3fff)	/* a fragment: leave it alone */
			return 0;
		o->proto = f[off + 9];
		o->l4off = off + ihl;
		o->l4len = tot - ihl;
		o->v6 = 0;
		o->pseudo = sum16(f + off + 12, 8, 0) + o->proto + (uint32_t)o->l4len;
	} else if (et == ET_IPV6) {
		if (len < off + 40 || (f[off] >> 4) != 6)
			return 0;
		o->proto = f[off + 6];
		o->l4off = off + 40;
		o->l4len = bbuf_peek_u16(f + off + 4);
		if (len < o->l4off + o->l4len)
			return 0;
		o->v6 = 1;
		o->pseudo = sum16(f + off + 8, 32, 0) + o->proto + (uint32_t)o->l4len;
	} else
		return 0;
	if (o->proto != IPP_TCP && o->proto != IPP_UDP)
		return 0;
	if (o->l4len < (o->proto == IPP_TCP ? 20u : 8u))
		return -1;
	return 1;
}

enum off_result
off_prepare(uint8_t *frame, size_t *lenp, unsigned mtu, struct virtio_net_hdr *vh)
{
	size_t len = *lenp;
	struct l34 l;
	size_t csum_at, hdrlen, l3len;
	uint16_t ps;
	int found;

	memset(vh, 0, sizeof(*vh));
	if (len < ETH_HLEN_)
		return OFF_MALFORMED;
	found = find_l4(frame, len, &l);
	if (found < 0)
		return OFF_MALFORMED;
	l3len = len - (found ? l.l3off : ETH_HLEN_);
	if (!found)
		return l3len > mtu ? OFF_TOO_BIG : OFF_PLAIN;
	if (l.proto == IPP_TCP) {
		size_t doff = (size_t)(frame[l.l4off + 12] >> 4) * 4;
		if (doff < 20 || doff > l.l4len)
			return OFF_MALFORMED;
		csum_at = l.l4off + 16;
		hdrlen = l.l4off + doff;
	} else {
		csum_at = l.l4off + 6;
		hdrlen = l.l4off + 8;
		/* IPv4 UDP without checksum stays without one */
		if (!l.v6 && bbuf_peek_u16(frame + csum_at) == 0)
			return (l.l4off - l.l3off + l.l4len) > mtu ? OFF_TOO_BIG : OFF_PLAIN;
	}
	/* Ethernet padding after the IP packet would enter the kernel's sum */
	*lenp = l.l4off + l.l4len;
	ps = fold(l.pseudo);
	bbuf_poke_u16(frame + csum_at, ps);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l.l4off;
	vh->csum_offset = (uint16_t)(csum_at - l.l4off);
	vh->hdr_len = (uint16_t)hdrlen;
	l3len = l.l4off - l.l3off + l.l4len;
	if (l3len <= mtu)
		return OFF_CSUM;
	if (l.proto != IPP_TCP || hdrlen - l.l3off >= mtu)
		return OFF_TOO_BIG;
	vh->gso_type = l.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	if (frame[l.l4off + 13] & 0x80)	/* CWR: only the first segment keeps it */
		vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	vh->gso_size = (uint16_t)(mtu - (hdrlen - l.l3off));
	return OFF_GSO;
}
