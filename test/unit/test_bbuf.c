/* Unit tests: the binary reader and writer. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/bbuf.h"
#include "common/err.h"

Test(bbuf, big_values_round_trip_in_network_order)
{
	uint8_t b[15];
	struct bbuf_wr w;
	struct bbuf_rd r;
	const uint8_t want[15] = { 0xff, 0xfe, 0xdc, 0xff, 0xff, 0xff, 0xfe,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd };
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	bbuf_wr_init(&w, b, sizeof(b));
	cr_assert_eq(bbuf_put_u8(&w, 0xff), 0);
	cr_assert_eq(bbuf_put_u16(&w, 0xfedc), 0);
	cr_assert_eq(bbuf_put_u32(&w, 0xfffffffe), 0);
	cr_assert_eq(bbuf_put_u64(&w, UINT64_MAX - 2), 0);
	cr_assert_eq(bbuf_wr_done(&w), 15);
	cr_assert_arr_eq(b, want, sizeof(want));

	bbuf_rd_init(&r, b, sizeof(b));
	cr_assert_eq(bbuf_get_u8(&r, &v8), 0);
	cr_assert_eq(bbuf_get_u16(&r, &v16), 0);
	cr_assert_eq(bbuf_get_u32(&r, &v32), 0);
	cr_assert_eq(bbuf_get_u64(&r, &v64), 0);
	cr_assert_eq(v8, 0xff);
	cr_assert_eq(v16, 0xfedc);
	cr_assert_eq(v32, 0xfffffffeu);
	cr_assert_eq(v64, UINT64_MAX - 2);
	cr_assert_eq(bbuf_left(&r), 0);
	cr_assert_eq(bbuf_rd_done(&r), 15);
}

Test(bbuf, byte_order_of_each_width)
{
	uint8_t b[8];
	struct bbuf_wr w;

	bbuf_wr_init(&w, b, sizeof(b));
	bbuf_put_u64(&w, 0x0102030405060708ull);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(b[i], i + 1);
	cr_assert_eq(bbuf_peek_u16(b), 0x0102);
	cr_assert_eq(bbuf_peek_u32(b + 4), 0x05060708u);
	cr_assert_eq(bbuf_peek_u64(b), 0x0102030405060708ull);
	bbuf_poke_u16(b, 0xa0b0);
	bbuf_poke_u32(b + 2, 0xc0d0e0f0u);
	cr_assert_eq(b[0], 0xa0);
	cr_assert_eq(b[1], 0xb0);
	cr_assert_eq(b[2], 0xc0);
	cr_assert_eq(b[5], 0xf0);
}

/* every width, one byte short: the get fails, stores 0, consumes
 * nothing, and the error stays for every later get */
Test(bbuf, every_get_past_the_end_fails_and_the_error_stays)
{
	const uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct bbuf_rd r;
	uint8_t v8 = 9, d[8];
	uint16_t v16 = 9;
	uint32_t v32 = 9;
	uint64_t v64 = 9;
	const uint8_t *p = b;

	bbuf_rd_init(&r, b, 0);
	cr_assert_eq(bbuf_get_u8(&r, &v8), VNET_ERR_SHORT);
	cr_assert_eq(v8, 0);
	bbuf_rd_init(&r, b, 1);
	cr_assert_eq(bbuf_get_u16(&r, &v16), VNET_ERR_SHORT);
	cr_assert_eq(v16, 0);
	cr_assert_eq(bbuf_left(&r), 1);
	/* sticky: the byte that is there is not handed out any more */
	cr_assert_eq(bbuf_get_u8(&r, &v8), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_get_bytes(&r, d, 0), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_skip(&r, 0), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_rd_err(&r), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_rd_done(&r), VNET_ERR_SHORT);
	bbuf_rd_init(&r, b, 3);
	cr_assert_eq(bbuf_get_u32(&r, &v32), VNET_ERR_SHORT);
	cr_assert_eq(v32, 0);
	bbuf_rd_init(&r, b, 7);
	cr_assert_eq(bbuf_get_u64(&r, &v64), VNET_ERR_SHORT);
	cr_assert_eq(v64, 0);
	bbuf_rd_init(&r, b, 7);
	memset(d, 0xaa, sizeof(d));
	cr_assert_eq(bbuf_get_bytes(&r, d, 8), VNET_ERR_SHORT);
	for (size_t i = 0; i < sizeof(d); i++)
		cr_assert_eq(d[i], 0);
	cr_assert_eq(bbuf_take(&r, 1, &p), VNET_ERR_SHORT);
	cr_assert_null(p);
	bbuf_rd_init(&r, b, 7);
	cr_assert_eq(bbuf_skip(&r, 8), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_left(&r), 7);
}

/* a sequence checked once at its end */
Test(bbuf, a_sequence_is_checked_once)
{
	const uint8_t b[5] = { 0, 1, 0, 0, 0 };
	struct bbuf_rd r;
	uint16_t a, c;
	uint32_t x;

	bbuf_rd_init(&r, b, sizeof(b));
	bbuf_get_u16(&r, &a);
	bbuf_get_u32(&r, &x);	/* fails: 3 left */
	bbuf_get_u16(&r, &c);	/* would fit, fails all the same */
	cr_assert_eq(a, 1);
	cr_assert_eq(x, 0);
	cr_assert_eq(c, 0);
	cr_assert_eq(bbuf_rd_done(&r), VNET_ERR_SHORT);
}

Test(bbuf, reads_exactly_to_the_end_and_skips)
{
	const uint8_t b[6] = { 0xaa, 1, 2, 3, 4, 0xbb };
	struct bbuf_rd r;
	uint8_t d[4], t;
	const uint8_t *p;

	bbuf_rd_init(&r, b, sizeof(b));
	cr_assert_eq(bbuf_skip(&r, 1), 0);
	cr_assert_eq(bbuf_get_bytes(&r, d, 4), 0);
	cr_assert_eq(d[0], 1);
	cr_assert_eq(d[3], 4);
	cr_assert_eq(bbuf_take(&r, 1, &p), 0);
	cr_assert_eq(p, b + 5);
	cr_assert_eq(bbuf_left(&r), 0);
	/* nothing at the very end is still fine, one more byte is not */
	cr_assert_eq(bbuf_get_bytes(&r, d, 0), 0);
	cr_assert_eq(bbuf_get_u8(&r, NULL), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_get_u8(&r, &t), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_rd_done(&r), VNET_ERR_SHORT);
}

Test(bbuf, zero_length_buffers_and_runs)
{
	struct bbuf_rd r;
	struct bbuf_wr w;
	const uint8_t *p = (const uint8_t *)"x";
	uint8_t *q = (uint8_t *)&r;

	bbuf_rd_init(&r, NULL, 0);
	cr_assert_eq(bbuf_left(&r), 0);
	cr_assert_eq(bbuf_get_bytes(&r, NULL, 0), 0);
	cr_assert_eq(bbuf_take(&r, 0, &p), 0);
	cr_assert_null(p);
	cr_assert_eq(bbuf_rd_done(&r), 0);
	bbuf_wr_init(&w, NULL, 0);
	cr_assert_eq(bbuf_put_bytes(&w, NULL, 0), 0);
	cr_assert_eq(bbuf_put_zero(&w, 0), 0);
	cr_assert_eq(bbuf_reserve(&w, 0, &q), 0);
	cr_assert_null(q);
	cr_assert_eq(bbuf_wr_done(&w), 0);
	cr_assert_eq(bbuf_put_u8(&w, 1), VNET_ERR_SIZE);
	cr_assert_eq(bbuf_wr_done(&w), VNET_ERR_SIZE);
}

/* writes that fill the buffer to its last byte fit; one more does not,
 * writes nothing, and the overflow stays */
Test(bbuf, exact_fit_then_overflow_is_remembered)
{
	uint8_t b[16];
	struct bbuf_wr w;
	const uint8_t tail[3] = { 7, 8, 9 };

	memset(b, 0xee, sizeof(b));
	bbuf_wr_init(&w, b, 15);
	cr_assert_eq(bbuf_put_u32(&w, 1), 0);
	cr_assert_eq(bbuf_put_u64(&w, 2), 0);
	cr_assert_eq(bbuf_put_zero(&w, 1), 0);
	cr_assert_eq(bbuf_put_u16(&w, 3), 0);
	cr_assert_eq(bbuf_wr_len(&w), 15);
	cr_assert_eq(bbuf_wr_done(&w), 15);
	cr_assert_eq(bbuf_put_u8(&w, 4), VNET_ERR_SIZE);
	cr_assert_eq(b[15], 0xee);
	cr_assert_eq(bbuf_wr_len(&w), 15);
	/* sticky: even what would fit (nothing) fails now */
	cr_assert_eq(bbuf_put_bytes(&w, tail, 0), VNET_ERR_SIZE);
	cr_assert_eq(bbuf_wr_err(&w), VNET_ERR_SIZE);
	cr_assert_eq(bbuf_wr_done(&w), VNET_ERR_SIZE);
	cr_assert_eq(b[12], 0);
	cr_assert_eq(b[14], 3);
}

/* the put of each width alone, into 0 to 7 bytes of room */
static int
put_one(struct bbuf_wr *w, int kind)
{
	static const uint8_t src[4] = { 1, 2, 3, 4 };

	switch (kind) {
	case 0: return bbuf_put_u8(w, 1);
	case 1: return bbuf_put_u16(w, 1);
	case 2: return bbuf_put_u32(w, 1);
	case 3: return bbuf_put_u64(w, 1);
	case 4: return bbuf_put_bytes(w, src, 4);
	default: return bbuf_put_zero(w, 4);
	}
}

Test(bbuf, each_put_overflows_alone_and_writes_nothing)
{
	const size_t need[6] = { 1, 2, 4, 8, 4, 4 };
	uint8_t b[16], *q = b;
	struct bbuf_wr w;

	for (size_t cap = 0; cap < 8; cap++)
		for (int kind = 0; kind < 6; kind++) {
			memset(b, 0xee, sizeof(b));
			bbuf_wr_init(&w, b, cap);
			int e = put_one(&w, kind);
			cr_assert_eq(e, cap >= need[kind] ? 0 : VNET_ERR_SIZE, "kind %d cap %zu", kind,
			    cap);
			cr_assert_eq(bbuf_wr_len(&w), e == 0 ? need[kind] : 0);
			for (size_t i = 0; e != 0 && i < sizeof(b); i++)
				cr_assert_eq(b[i], 0xee);
		}
	bbuf_wr_init(&w, b, 3);
	cr_assert_eq(bbuf_reserve(&w, 4, &q), VNET_ERR_SIZE);
	cr_assert_null(q);
	cr_assert_eq(bbuf_wr_len(&w), 0);
}

/* a length near SIZE_MAX is compared with what is left, never added */
Test(bbuf, huge_lengths_do_not_wrap)
{
	const uint8_t b[4] = { 0 };
	uint8_t o[4];
	struct bbuf_rd r;
	struct bbuf_wr w;

	bbuf_rd_init(&r, b, sizeof(b));
	cr_assert_eq(bbuf_skip(&r, 2), 0);
	cr_assert_eq(bbuf_skip(&r, SIZE_MAX), VNET_ERR_SHORT);
	cr_assert_eq(bbuf_left(&r), 2);
	bbuf_wr_init(&w, o, sizeof(o));
	cr_assert_eq(bbuf_put_u8(&w, 0), 0);
	cr_assert_eq(bbuf_put_zero(&w, SIZE_MAX), VNET_ERR_SIZE);
	cr_assert_eq(bbuf_wr_len(&w), 1);
}
