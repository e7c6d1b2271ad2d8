/* Unit tests: VNAT keys (X25519, HKDF per connection) and update tags. */
#include <criterion/criterion.h>
#include <string.h>

#include "vnat/vkey.h"

static const uint8_t MOVER[4] = { 198, 18, 1, 10 }, PEER[4] = { 198, 18, 2, 20 };

Test(vkey, both_ends_derive_the_same_key_per_connection)
{
	struct vkey_pair a, b;
	uint8_t sa[VKEY_LEN], sb[VKEY_LEN], ka[VKEY_LEN], kb[VKEY_LEN], k2[VKEY_LEN];

	cr_assert_eq(vkey_pair_new(&a), 0);
	cr_assert_eq(vkey_pair_new(&b), 0);
	cr_assert_neq(memcmp(a.kp_pub, b.kp_pub, VKEY_LEN), 0);
	cr_assert_eq(vkey_shared(&a, b.kp_pub, sa), 0);
	cr_assert_eq(vkey_shared(&b, a.kp_pub, sb), 0);
	cr_assert_eq(memcmp(sa, sb, VKEY_LEN), 0);
	cr_assert_eq(vkey_conn(sa, 4, 6, MOVER, 40001, PEER, 5001, ka), 0);
	cr_assert_eq(vkey_conn(sb, 4, 6, MOVER, 40001, PEER, 5001, kb), 0);
	cr_assert_eq(memcmp(ka, kb, VKEY_LEN), 0);
	/* another connection of the same exchange: another key */
	cr_assert_eq(vkey_conn(sa, 4, 6, MOVER, 40002, PEER, 5001, k2), 0);
	cr_assert_neq(memcmp(ka, k2, VKEY_LEN), 0);
	cr_assert_eq(vkey_conn(sa, 4, 17, MOVER, 40001, PEER, 5001, k2), 0);
	cr_assert_neq(memcmp(ka, k2, VKEY_LEN), 0);
	vkey_pair_free(&a);
	vkey_pair_free(&b);
}

Test(vkey, a_low_order_peer_key_is_refused)
{
	struct vkey_pair a;
	uint8_t zero[VKEY_LEN] = { 0 }, s[VKEY_LEN];

	cr_assert_eq(vkey_pair_new(&a), 0);
	cr_assert_eq(vkey_shared(&a, zero, s), -1);
	vkey_pair_free(&a);
}

Test(vkey, tags_valid_tampered_replayed_wrong_key)
{
	uint8_t key[VKEY_LEN], other[VKEY_LEN], tag[VKEY_TAG_LEN];
	uint8_t msg[48];

	memset(key, 1, sizeof(key));
	memset(other, 2, sizeof(other));
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	cr_assert_eq(vkey_tag(key, msg, sizeof(msg), 0, 7, tag), 0);
	cr_assert(vkey_check(key, msg, sizeof(msg), 0, 7, tag));
	msg[20] ^= 1;					/* tampered: a new physical address */
	cr_assert_not(vkey_check(key, msg, sizeof(msg), 0, 7, tag));
	msg[20] ^= 1;
	cr_assert_not(vkey_check(key, msg, sizeof(msg), 0, 8, tag));	/* another counter */
	cr_assert_not(vkey_check(key, msg, sizeof(msg), 1, 7, tag));	/* another entry */
	cr_assert_not(vkey_check(other, msg, sizeof(msg), 0, 7, tag));	/* wrong key */
	tag[0] ^= 1;
	cr_assert_not(vkey_check(key, msg, sizeof(msg), 0, 7, tag));
}

Test(vkey, judge_counts_replays_and_keyless_updates)
{
	uint8_t key[VKEY_LEN], tag[VKEY_TAG_LEN], msg[28] = { 2, 1, 4, 4 };
	uint64_t last = 0;

	memset(key, 3, sizeof(key));
	cr_assert_eq(vkey_judge(NULL, &last, 0, msg, sizeof(msg), 0, 0, NULL), VKEY_OK_KEYLESS);
	cr_assert_eq(vkey_judge(NULL, &last, 1, msg, sizeof(msg), 0, 0, NULL), VKEY_NO_KEY_SECURE);
	cr_assert_eq(vkey_judge(key, &last, 0, msg, sizeof(msg), 0, 0, NULL), VKEY_KEY_MISSING);
	vkey_tag(key, msg, sizeof(msg), 0, 1, tag);
	cr_assert_eq(vkey_judge(key, &last, 1, msg, sizeof(msg), 0, 1, tag), VKEY_OK);
	cr_assert_eq(last, 1);
	/* the same message again: replayed */
	cr_assert_eq(vkey_judge(key, &last, 1, msg, sizeof(msg), 0, 1, tag), VKEY_REPLAY);
	/* a forged tag must not move the counter */
	tag[3] ^= 0x40;
	cr_assert_eq(vkey_judge(key, &last, 1, msg, sizeof(msg), 0, 9, tag), VKEY_BAD_TAG);
	cr_assert_eq(last, 1);
	vkey_tag(key, msg, sizeof(msg), 0, 2, tag);
	cr_assert_eq(vkey_judge(key, &last, 0, msg, sizeof(msg), 0, 2, tag), VKEY_OK);
	cr_assert_eq(last, 2);
}
