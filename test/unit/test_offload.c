/* Unit tests: checksum normalisation and GSO headers for injected frames.
 * The kernel's part is simulated: sum from csum_start to the end, fold,
 * complement, store at csum_start + csum_offset. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "handler/offload.h"

static uint32_t
sum(const uint8_t *p, size_t n, uint32_t a)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		a += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		a += (uint32_t)p[n - 1] << 8;
	return a;
}

static uint16_t
fold(uint32_t a)
{
	while (a >> 16)
		a = (a & 0xffff) + (a >> 16);
	return (uint16_t)a;
}

/* a TCP/IPv4 frame with payload n and a correct checksum; returns its length */
static size_t
tcp4(uint8_t *f, size_t n, int vlan)
{
	size_t o = 14 + (vlan ? 4 : 0), l4len = 32 + n;
	memset(f, 0, o + 20 + l4len);
	memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	if (vlan) {
		f[12] = 0x81; f[13] = 0x00; f[14] = 0; f[15] = 7;
		f[16] = 0x08; f[17] = 0x00;
	} else {
		f[12] = 0x08; f[13] = 0x00;
	}
	uint8_t *ip = f + o, *th = ip + 20;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + l4len) >> 8); ip[3] = (uint8_t)(20 + l4len);
	ip[6] = 0x40;	/* DF */
	ip[8] = 64; ip[9] = 6;
	memcpy(ip + 12, "\xc6\x12\x2a\x0a\xc6\x12\x2a\x14", 8);
	th[0] = 0x9c; th[1] = 0x40; th[2] = 0x14; th[3] = 0x51;
	th[12] = 0x80;	/* data offset 8 words = 32 bytes */
	th[13] = 0x18;
	for (size_t i = 0; i < n; i++)
		th[32 + i] = (uint8_t)(i * 7 + 3);
	uint32_t ps = sum(ip + 12, 8, 0) + 6 + (uint32_t)l4len;
	uint16_t c = (uint16_t)~fold(sum(th, l4len, ps));
	th[16] = (uint8_t)(c >> 8); th[17] = (uint8_t)c;
	return o + 20 + l4len;
}

static void
kernel_complete(uint8_t *f, size_t len, const struct virtio_net_hdr *vh)
{
	uint32_t a = sum(f + vh->csum_start, len - vh->csum_start, 0);
	uint16_t c = (uint16_t)~fold(a);
	f[vh->csum_start + vh->csum_offset] = (uint8_t)(c >> 8);
	f[vh->csum_start + vh->csum_offset + 1] = (uint8_t)c;
}

Test(offload, complete_checksum_survives_normalisation)
{
	uint8_t f[2000], ref[2000];
	struct virtio_net_hdr vh;
	size_t len = tcp4(f, 1000, 0), l2 = len;

	memcpy(ref, f, len);
	cr_assert_eq(off_prepare(f, &l2, 1500, &vh), OFF_CSUM);
	cr_assert_eq(l2, len);
	cr_assert_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	cr_assert_eq(vh.csum_start, 34);
	cr_assert_eq(vh.csum_offset, 16);
	cr_assert_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	kernel_complete(f, l2, &vh);
	cr_assert_eq(memcmp(f, ref, len), 0, "checksum differs after completion");
}

Test(offload, partial_checksum_gets_completed)
{
	uint8_t f[2000], ref[2000];
	struct virtio_net_hdr vh;
	size_t len = tcp4(f, 777, 0), l2 = len;

	memcpy(ref, f, len);
	/* what a capture shows with tx checksum offload: the pseudo-header sum */
	uint32_t ps = sum(f + 26, 8, 0) + 6 + 32 + 777;
	f[34 + 16] = (uint8_t)(fold(ps) >> 8);
	f[34 + 17] = (uint8_t)fold(ps);
	cr_assert_eq(off_prepare(f, &l2, 1500, &vh), OFF_CSUM);
	kernel_complete(f, l2, &vh);
	cr_assert_eq(memcmp(f, ref, len), 0);
}

Test(offload, super_frame_gets_gso)
{
	static uint8_t f[70000];
	struct virtio_net_hdr vh;
	size_t len = tcp4(f, 60000, 0), l2 = len;

	cr_assert_eq(off_prepare(f, &l2, 1500, &vh), OFF_GSO);
	cr_assert_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	cr_assert_eq(vh.gso_size, 1500 - 20 - 32);
	cr_assert_eq(vh.hdr_len, 14 + 20 + 32);
	cr_assert_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	/* CWR set: ECN flag so only the first segment keeps it */
	l2 = len;
	f[34 + 13] |= 0x80;
	cr_assert_eq(off_prepare(f, &l2, 9000, &vh), OFF_GSO);
	cr_assert_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	cr_assert_eq(vh.gso_size, 9000 - 52);
}

Test(offload, vlan_tagged)
{
	uint8_t f[2000];
	struct virtio_net_hdr vh;
	size_t len = tcp4(f, 100, 1);

	cr_assert_eq(off_prepare(f, &len, 1500, &vh), OFF_CSUM);
	cr_assert_eq(vh.csum_start, 38);
}

Test(offload, padding_trimmed)
{
	uint8_t f[100];
	struct virtio_net_hdr vh;
	size_t len = tcp4(f, 0, 0);	/* 14+20+32 = 66: no padding */

	cr_assert_eq(len, 66);
	/* a tiny UDP/IPv6-free case: IPv4 UDP of 8+2 bytes padded to 60 */
	memset(f, 0xee, sizeof(f));
	memset(f + 12, 0, 30);
	f[12] = 0x08; f[14] = 0x45; f[17] = 30; f[22] = 64; f[23] = 17;
	f[42 - 8 + 4] = 0; f[34 + 5] = 10;	/* UDP length 10 */
	f[34 + 6] = 0x12; f[34 + 7] = 0x34;	/* a non-zero checksum */
	len = 60;
	cr_assert_eq(off_prepare(f, &len, 1500, &vh), OFF_CSUM);
	cr_assert_eq(len, 14 + 30);
	cr_assert_eq(vh.csum_offset, 6);
}

Test(offload, udp_without_checksum_and_non_ip)
{
	uint8_t f[2000];
	struct virtio_net_hdr vh;
	size_t len;

	memset(f, 0, sizeof(f));
	f[12] = 0x08; f[14] = 0x45; f[16] = 0x00; f[17] = 28; f[22] = 64; f[23] = 17;
	f[34 + 5] = 8;
	len = 42;
	cr_assert_eq(off_prepare(f, &len, 1500, &vh), OFF_PLAIN);
	cr_assert_eq(vh.flags, 0);
	/* a non-IP ethertype passes untouched, unless it is too big */
	f[12] = 0x88; f[13] = 0xb5;
	len = 100;
	cr_assert_eq(off_prepare(f, &len, 1500, &vh), OFF_PLAIN);
	len = 1600;
	cr_assert_eq(off_prepare(f, &len, 1500, &vh), OFF_TOO_BIG);
}

Test(offload, fragments_untouched_and_truncated_refused)
{
	uint8_t f[2000];
	struct virtio_net_hdr vh;
	size_t len = tcp4(f, 100, 0), l2 = len;
	uint8_t keep = f[50];

	f[14 + 6] = 0x20;	/* MF: a first fragment */
	cr_assert_eq(off_prepare(f, &l2, 1500, &vh), OFF_PLAIN);
	cr_assert_eq(f[50], keep);
	/* IP says TCP, but only 10 bytes of it */
	len = tcp4(f, 0, 0);
	f[16] = 0; f[17] = 30;
	l2 = 44;
	cr_assert_eq(off_prepare(f, &l2, 1500, &vh), OFF_MALFORMED);
	/* too short for Ethernet */
	l2 = 10;
	cr_assert_eq(off_prepare(f, &l2, 1500, &vh), OFF_MALFORMED);
}

Test(offload, big_udp_cannot_be_segmented)
{
	static uint8_t f[9000];
	struct virtio_net_hdr vh;
	size_t len = 14 + 20 + 8 + 3000;

	memset(f, 0, sizeof(f));
	f[12] = 0x08; f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8); f[17] = (uint8_t)(len - 14);
	f[22] = 64; f[23] = 17;
	f[34 + 4] = (uint8_t)((len - 34) >> 8); f[34 + 5] = (uint8_t)(len - 34);
	f[34 + 6] = 1;
	cr_assert_eq(off_prepare(f, &len, 1500, &vh), OFF_TOO_BIG);
}
