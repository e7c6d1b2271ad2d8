/* Unit tests: the binary frame header. */
#include <criterion/criterion.h>

#include "common/err.h"
#include "common/frame.h"

Test(frame, roundtrip_bounds)
{
	uint8_t h[FRAME_HDR_LEN];
	size_t lens[] = { FRAME_MIN, 60, 1514, 65535, FRAME_MAX };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		frame_hdr_encode(h, lens[i]);
		cr_assert_eq(h[0], FRAME_T_ETH);
		cr_assert_eq(frame_hdr_decode(h, sizeof(h)), (int)lens[i]);
	}
}

Test(frame, byte_order_is_big_endian)
{
	uint8_t h[FRAME_HDR_LEN];

	frame_hdr_encode(h, 0x010203);
	cr_assert_eq(h[1], 0x01);
	cr_assert_eq(h[2], 0x02);
	cr_assert_eq(h[3], 0x03);
}

Test(frame, truncated)
{
	uint8_t h[FRAME_HDR_LEN] = { 1, 0, 0, 60 };

	for (size_t n = 0; n < FRAME_HDR_LEN; n++)
		cr_assert_eq(frame_hdr_decode(h, n), VNET_ERR_SHORT);
}

Test(frame, oversized_undersized_wrong_type)
{
	uint8_t big[FRAME_HDR_LEN], small[FRAME_HDR_LEN] = { 1, 0, 0, 13 };
	uint8_t zero[FRAME_HDR_LEN] = { 1, 0, 0, 0 }, type[FRAME_HDR_LEN] = { 2, 0, 0, 60 };
	uint8_t huge[FRAME_HDR_LEN] = { 1, 0xff, 0xff, 0xff };

	frame_hdr_encode(big, FRAME_MAX + 1);
	cr_assert_eq(frame_hdr_decode(big, sizeof(big)), VNET_ERR_SIZE);
	cr_assert_eq(frame_hdr_decode(small, sizeof(small)), VNET_ERR_SIZE);
	cr_assert_eq(frame_hdr_decode(zero, sizeof(zero)), VNET_ERR_SIZE);
	cr_assert_eq(frame_hdr_decode(huge, sizeof(huge)), VNET_ERR_SIZE);
	cr_assert_eq(frame_hdr_decode(type, sizeof(type)), VNET_ERR_TYPE);
	/* text arriving where a frame should be */
	cr_assert_eq(frame_hdr_decode((const uint8_t *)"OK\n", 4), VNET_ERR_TYPE);
}

Test(frame, keepalive_and_goodbye_only_when_announced)
{
	uint8_t h[FRAME_HDR_LEN], t = 0;

	frame_rec_encode(h, FRAME_T_KEEPALIVE, 0);
	cr_assert_eq(frame_rec_decode(h, sizeof(h), false, &t), VNET_ERR_TYPE);
	cr_assert_eq(frame_hdr_decode(h, sizeof(h)), VNET_ERR_TYPE);
	cr_assert_eq(frame_rec_decode(h, sizeof(h), true, &t), 0);
	cr_assert_eq(t, FRAME_T_KEEPALIVE);
	frame_rec_encode(h, FRAME_T_GOODBYE, 0);
	cr_assert_eq(frame_rec_decode(h, sizeof(h), true, &t), 0);
	cr_assert_eq(t, FRAME_T_GOODBYE);
	/* they carry nothing */
	frame_rec_encode(h, FRAME_T_KEEPALIVE, 1);
	cr_assert_eq(frame_rec_decode(h, sizeof(h), true, &t), VNET_ERR_SIZE);
	frame_rec_encode(h, 0x04, 0);
	cr_assert_eq(frame_rec_decode(h, sizeof(h), true, &t), VNET_ERR_TYPE);
	frame_rec_encode(h, FRAME_T_ETH, 60);
	cr_assert_eq(frame_rec_decode(h, sizeof(h), true, &t), 60);
	cr_assert_eq(t, FRAME_T_ETH);
	cr_assert_eq(frame_rec_decode(h, 3, true, &t), VNET_ERR_SHORT);
}
