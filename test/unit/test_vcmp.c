/* Unit tests: the VCMP codec (seed 001 figures 3-4 and 3-5, and version 2). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "common/err.h"
#include "vnat/vcmp.h"

static struct vcmp_entry ents[VCMP_V2_MAX_ENTRIES];

static struct vcmp_entry
v4entry(void)
{
	struct vcmp_entry e;

	memset(&e, 0, sizeof(e));
	e.ve_proto = 6;
	e.ve_rvir_port = 0x1f90;	/* 8080 */
	e.ve_lvir_port = 0xc000;
	e.ve_lphy_port = 0xc001;
	inet_pton(AF_INET, "198.18.1.10", e.ve_rvir);
	inet_pton(AF_INET, "198.18.2.20", e.ve_lvir);
	inet_pton(AF_INET, "198.18.3.30", e.ve_lphy);
	return e;
}

Test(vcmp, v1_upd_is_the_seeds_layout_byte_for_byte)
{
	struct vcmp_entry e = v4entry();
	struct vcmp_msg m = { .vm_version = VCMP_V1, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = 0 };
	uint8_t b[VCMP_V1_LEN];
	const uint8_t want[VCMP_V1_LEN] = {
		1, 1, 0x1f, 0x90,		/* Version, VNAT_UPD, R_Vir_Port */
		198, 18, 1, 10,			/* R_Vir_Addr */
		198, 18, 2, 20,			/* L_Vir_Addr */
		198, 18, 3, 30,			/* L_Phy_Addr */
		0xc0, 0x00, 0xc0, 0x01,		/* L_Vir_Port, L_Phy_Port */
	};

	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VCMP_V1_LEN);
	cr_assert_arr_eq(b, want, VCMP_V1_LEN);
	struct vcmp_entry d;
	struct vcmp_msg o = { .vm_e = &d, .vm_cap = 1 };
	cr_assert_eq(vcmp_decode(b, sizeof(b), &o), VCMP_V1_LEN);
	cr_assert_eq(o.vm_cmd, VCMP_UPD);
	cr_assert_eq(o.vm_count, 1);
	cr_assert_eq(d.ve_rvir_port, 8080);
	cr_assert_eq(d.ve_lvir_port, 0xc000);
	cr_assert_eq(d.ve_lphy_port, 0xc001);
	cr_assert_arr_eq(d.ve_lphy, e.ve_lphy, 4);
	cr_assert_arr_eq(d.ve_rvir, e.ve_rvir, 4);
}

Test(vcmp, v1_upd_r_leaves_identifying_fields_unused)
{
	struct vcmp_entry e = v4entry();
	struct vcmp_msg m = { .vm_version = VCMP_V1, .vm_cmd = VCMP_UPD_R, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = 0 };
	uint8_t b[VCMP_V1_LEN];
	const uint8_t want[VCMP_V1_LEN] = {
		1, 2, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,  198, 18, 3, 30,  0, 0, 0xc0, 0x01,
	};

	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VCMP_V1_LEN);
	cr_assert_arr_eq(b, want, VCMP_V1_LEN);
}

Test(vcmp, v2_batch_roundtrip_ipv4_and_ipv6)
{
	static uint8_t b[VCMP_V2_MAX_LEN];
	static struct vcmp_entry d[VCMP_V2_MAX_ENTRIES];
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 100, .vm_e = ents, .vm_cap = VCMP_V2_MAX_ENTRIES, .vm_flags = 0 };
	struct vcmp_msg o = { .vm_e = d, .vm_cap = VCMP_V2_MAX_ENTRIES };

	for (int i = 0; i < 100; i++) {
		ents[i] = v4entry();
		ents[i].ve_lvir_port = (uint16_t)(40000 + i);
		ents[i].ve_proto = i % 2 ? 17 : 6;
	}
	int n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(n, 8 + 100 * 20);
	cr_assert_eq(b[0], 2);
	cr_assert_eq(b[2], 4);
	cr_assert_eq((b[4] << 8 | b[5]), 100);
	cr_assert_eq((b[6] << 8 | b[7]), n);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(o.vm_count, 100);
	cr_assert_eq(d[99].ve_lvir_port, 40099);
	cr_assert_eq(d[99].ve_proto, 17);

	m.vm_family = 6;
	m.vm_count = 3;
	inet_pton(AF_INET6, "fd00::1", ents[2].ve_lphy);
	n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(n, 8 + 3 * 56);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(o.vm_family, 6);
	cr_assert_arr_eq(d[2].ve_lphy, ents[2].ve_lphy, 16);
}

Test(vcmp, truncated_everywhere)
{
	struct vcmp_entry e = v4entry();
	struct vcmp_msg m = { .vm_version = VCMP_V1, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = 0 };
	uint8_t b[VCMP_V2_HDR + 3 * 20];

	vcmp_encode(&m, b, sizeof(b));
	for (size_t n = 0; n < VCMP_V1_LEN; n++)
		cr_assert_eq(vcmp_validate(b, n), VNET_ERR_SHORT, "v1 cut at %zu", n);
	m.vm_version = VCMP_V2;
	ents[0] = ents[1] = ents[2] = e;
	m.vm_e = ents;
	m.vm_count = 3;
	int n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(n, (int)sizeof(b));
	for (size_t k = 2; k < (size_t)n; k++)
		cr_assert_eq(vcmp_validate(b, k), VNET_ERR_SHORT, "v2 cut at %zu", k);
	cr_assert_eq(vcmp_validate(b, (size_t)n), n);
}

Test(vcmp, wrong_version_command_family_count_length)
{
	struct vcmp_entry e = v4entry();
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = 0 };
	uint8_t b[64], x[64];
	int n = vcmp_encode(&m, b, sizeof(b));

	memcpy(x, b, sizeof(b)); x[0] = 3;
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_TYPE);
	memcpy(x, b, sizeof(b)); x[0] = 0;
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_TYPE);
	memcpy(x, b, sizeof(b)); x[1] = 9;
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_TYPE);
	memcpy(x, b, sizeof(b)); x[2] = 5;
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_VALUE);
	memcpy(x, b, sizeof(b)); x[3] = 2;	/* an unknown flag */
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_VALUE);
	memcpy(x, b, sizeof(b)); x[3] = 0x81;
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_VALUE);
	memcpy(x, b, sizeof(b)); x[5] = 0;	/* count 0 */
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_SIZE);
	memcpy(x, b, sizeof(b)); x[7]++;	/* length disagrees with count */
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_SIZE);
	memcpy(x, b, sizeof(b)); x[4] = 0xff;	/* count over the maximum */
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_SIZE);
	memcpy(x, b, sizeof(b)); x[8] = 1;	/* protocol ICMP */
	cr_assert_eq(vcmp_validate(x, (size_t)n), VNET_ERR_VALUE);
	/* version 1 only knows IPv4 TCP, one connection */
	m.vm_version = VCMP_V1;
	m.vm_family = 6;
	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VNET_ERR_VALUE);
	m.vm_family = 4;
	cr_assert_eq(vcmp_encode(&m, b, 10), VNET_ERR_SIZE);
}

Test(vcmp, decode_respects_capacity)
{
	struct vcmp_entry e = v4entry();
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 2, .vm_e = ents, .vm_cap = 2, .vm_flags = 0 };
	uint8_t b[128];
	struct vcmp_entry one;
	struct vcmp_msg o = { .vm_e = &one, .vm_cap = 1 };

	ents[0] = ents[1] = e;
	int n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), VNET_ERR_SIZE);
}

Test(vcmp, more_flag_travels_and_is_decoded)
{
	struct vcmp_entry e = v4entry(), d;
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = VCMP_F_MORE };
	struct vcmp_msg o = { .vm_e = &d, .vm_cap = 1 };
	uint8_t b[64];
	int n = vcmp_encode(&m, b, sizeof(b));

	cr_assert_eq(n, 8 + 20);
	cr_assert_eq(b[3], VCMP_F_MORE);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(o.vm_flags, VCMP_F_MORE);
	m.vm_flags = 0;
	vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(b[3], 0);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(o.vm_flags, 0);
	m.vm_flags = 8;
	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VNET_ERR_VALUE);
	m.vm_flags = VCMP_F_KEY;	/* a key only with VNAT_SUS(_R) */
	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VNET_ERR_VALUE);
}

Test(vcmp, key_and_auth_trailers)
{
	struct vcmp_entry e[2] = { v4entry(), v4entry() }, d[2];
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_SUS, .vm_family = 4,
	    .vm_count = 2, .vm_e = e, .vm_cap = 2, .vm_flags = VCMP_F_KEY };
	struct vcmp_msg o = { .vm_e = d, .vm_cap = 2 };
	uint8_t b[256];

	memset(m.vm_key, 0xab, sizeof(m.vm_key));
	int n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(n, 8 + 32 + 2 * 20);
	cr_assert_eq(b[8], 0xab);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(o.vm_key[31], 0xab);
	cr_assert_eq(d[1].ve_lphy_port, 0xc001);
	/* AUTH: a counter and a tag per entry after the entries */
	m.vm_cmd = VCMP_UPD;
	m.vm_flags = VCMP_F_AUTH;
	e[0].ve_ctr = 0x0102030405060708ull;
	memset(e[1].ve_tag, 0x5a, sizeof(e[1].ve_tag));
	n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(n, 8 + 2 * 20 + 2 * 40);
	cr_assert_eq(vcmp_body_len(b), 48u);
	cr_assert_eq(b[48], 1);
	cr_assert_eq(b[55], 8);
	cr_assert_eq(vcmp_tag_off(b, 1), 48u + 40 + 8);
	cr_assert_eq(b[vcmp_tag_off(b, 1)], 0x5a);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(d[0].ve_ctr, 0x0102030405060708ull);
	cr_assert_eq(d[1].ve_tag[31], 0x5a);
	/* truncated in the trailer; AUTH on an answer; KEY on an update */
	cr_assert_eq(vcmp_validate(b, (size_t)n - 1), VNET_ERR_SHORT);
	b[1] = VCMP_UPD_R;
	cr_assert_eq(vcmp_validate(b, (size_t)n), VNET_ERR_VALUE);
	b[1] = VCMP_UPD;
	b[3] = VCMP_F_KEY;
	cr_assert_eq(vcmp_validate(b, (size_t)n), VNET_ERR_VALUE);
}

Test(vcmp, suspend_commands_are_version_2_only)
{
	struct vcmp_entry e = v4entry(), d;
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_SUS, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = 0 };
	struct vcmp_msg o = { .vm_e = &d, .vm_cap = 1 };
	uint8_t b[64];
	int n = vcmp_encode(&m, b, sizeof(b));

	cr_assert_eq(n, 28);
	cr_assert_eq(b[1], 3);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	cr_assert_eq(o.vm_cmd, VCMP_SUS);
	b[1] = 4;
	cr_assert_eq(vcmp_validate(b, (size_t)n), n);
	b[1] = 5;
	cr_assert_eq(vcmp_validate(b, (size_t)n), VNET_ERR_TYPE);
	m.vm_version = VCMP_V1;
	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VNET_ERR_VALUE);
	uint8_t v1[20] = { 1, 3 };
	cr_assert_eq(vcmp_validate(v1, sizeof(v1)), VNET_ERR_TYPE);
}

/* a version-2 VNAT_UPD with AUTH, IPv6, one entry, byte for byte */
Test(vcmp, v2_auth_ipv6_layout_byte_for_byte)
{
	struct vcmp_entry e = { .ve_proto = 17, .ve_rvir_port = 0x0102, .ve_lvir_port = 0x0304,
	    .ve_lphy_port = 0x0506, .ve_ctr = 0x1112131415161718ull };
	struct vcmp_msg m = { .vm_version = VCMP_V2, .vm_cmd = VCMP_UPD, .vm_family = 6,
	    .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = VCMP_F_AUTH | VCMP_F_MORE };
	uint8_t b[8 + 56 + 40], want[sizeof(b)];

	for (int i = 0; i < 16; i++) {
		e.ve_rvir[i] = (uint8_t)(0x20 + i);
		e.ve_lvir[i] = (uint8_t)(0x40 + i);
		e.ve_lphy[i] = (uint8_t)(0x60 + i);
	}
	memset(e.ve_tag, 0xcd, sizeof(e.ve_tag));
	memcpy(want, (const uint8_t[]){ 2, 1, 6, 5, 0, 1, 0, sizeof(b),
	    17, 0, 1, 2, 3, 4, 5, 6 }, 16);
	memcpy(want + 16, e.ve_rvir, 16);
	memcpy(want + 32, e.ve_lvir, 16);
	memcpy(want + 48, e.ve_lphy, 16);
	memcpy(want + 64, (const uint8_t[]){ 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 }, 8);
	memset(want + 72, 0xcd, 32);
	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), (int)sizeof(b));
	cr_assert_arr_eq(b, want, sizeof(b));
	cr_assert_eq(vcmp_body_len(b), 64u);
	cr_assert_eq(vcmp_tag_off(b, 0), 72u);
	cr_assert_eq(vcmp_count(b), 1);
	/* one byte less of room: nothing but VNET_ERR_SIZE */
	cr_assert_eq(vcmp_encode(&m, b, sizeof(b) - 1), VNET_ERR_SIZE);
}

Test(vcmp, count_is_what_decoding_needs)
{
	struct vcmp_entry e = v4entry();
	struct vcmp_msg m = { .vm_version = VCMP_V1, .vm_cmd = VCMP_UPD, .vm_family = 4, .vm_count = 1, .vm_e = &e, .vm_cap = 1, .vm_flags = 0 };
	static uint8_t b[VCMP_V2_MAX_LEN];
	static struct vcmp_entry d[VCMP_V2_MAX_ENTRIES];

	cr_assert_eq(vcmp_encode(&m, b, sizeof(b)), VCMP_V1_LEN);
	cr_assert_eq(vcmp_count(b), 1);
	for (int i = 0; i < VCMP_V2_MAX_ENTRIES; i++)
		ents[i] = e;
	m = (struct vcmp_msg){ .vm_version = VCMP_V2, .vm_cmd = VCMP_SUS, .vm_family = 4,
	    .vm_count = VCMP_V2_MAX_ENTRIES, .vm_e = ents, .vm_cap = VCMP_V2_MAX_ENTRIES };
	int n = vcmp_encode(&m, b, sizeof(b));
	cr_assert_eq(n, 8 + VCMP_V2_MAX_ENTRIES * 20);
	cr_assert_eq(vcmp_count(b), VCMP_V2_MAX_ENTRIES);
	struct vcmp_msg o = { .vm_e = d, .vm_cap = vcmp_count(b) };
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), n);
	o.vm_cap = (uint16_t)(vcmp_count(b) - 1);
	cr_assert_eq(vcmp_decode(b, (size_t)n, &o), VNET_ERR_SIZE);
}
