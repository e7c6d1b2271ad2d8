/* vcmp: validate, decode and encode VNAT_UPD / VNAT_UPD_R. */
#include "vnat/vcmp.h"

#include <string.h>

#include "common/err.h"
#include "vnat/tuple.h"

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t
entry_len(uint8_t family)
{
	return 8 + 3 * (tuple_alen(family));
}

static size_t
key_len(uint8_t flags)
{
	return flags & VCMP_F_KEY ? VCMP_KEY_LEN : 0;
}

/* the whole length a version-2 header announces, from its fields */
static size_t
v2_len(uint8_t family, uint8_t flags, size_t count)
{
	return VCMP_V2_HDR + key_len(flags) + count * (entry_len(family) +
	    (flags & VCMP_F_AUTH ? VCMP_AUTH_LEN : 0));
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
wr64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

size_t
vcmp_body_len(const uint8_t *msg)
{
	return VCMP_V2_HDR + key_len(msg[3]) + rd16(msg + 4) * entry_len(msg[2]);
}

size_t
vcmp_tag_off(const uint8_t *msg, uint16_t i)
{
	return vcmp_body_len(msg) + (size_t)i * VCMP_AUTH_LEN + 8;
}

int
vcmp_validate(const uint8_t *buf, size_t len)
{
	size_t total, i, el;
	uint16_t count;

	if (len < 2)
		return VNET_ERR_SHORT;
	if (buf[1] < VCMP_UPD || buf[1] > (buf[0] == VCMP_V1 ? VCMP_UPD_R : VCMP_SUS_R))
		return VNET_ERR_TYPE;
	if (buf[0] == VCMP_V1)
		return len < VCMP_V1_LEN ? VNET_ERR_SHORT : VCMP_V1_LEN;
	if (buf[0] != VCMP_V2)
		return VNET_ERR_TYPE;
	if (len < VCMP_V2_HDR)
		return VNET_ERR_SHORT;
	if (buf[2] != 4 && buf[2] != 6)
		return VNET_ERR_VALUE;
	if ((buf[3] & ~(VCMP_F_MORE | VCMP_F_KEY | VCMP_F_AUTH)) ||
	    ((buf[3] & VCMP_F_KEY) && buf[1] != VCMP_SUS && buf[1] != VCMP_SUS_R) ||
	    ((buf[3] & VCMP_F_AUTH) && buf[1] != VCMP_UPD))
		return VNET_ERR_VALUE;
	count = rd16(buf + 4);
	total = rd16(buf + 6);
	el = entry_len(buf[2]);
	if (count == 0 || count > VCMP_V2_MAX_ENTRIES || total != v2_len(buf[2], buf[3], count))
		return VNET_ERR_SIZE;
	if (len < total)
		return VNET_ERR_SHORT;
	for (i = 0; i < count; i++) {
		const uint8_t *e = buf + VCMP_V2_HDR + key_len(buf[3]) + i * el;
		if ((e[0] != 6 && e[0] != 17) || e[1] != 0)
			return VNET_ERR_VALUE;
	}
	return (int)total;
}

int
vcmp_decode(const uint8_t *buf, size_t len, struct vcmp_msg *m)
{
	int total = vcmp_validate(buf, len);
	size_t i, al, el;

	if (total < 0)
		return total;
	m->vm_version = buf[0];
	m->vm_cmd = buf[1];
	if (buf[0] == VCMP_V1) {
		struct vcmp_entry *e = m->vm_e;
		if (m->vm_cap < 1)
			return VNET_ERR_SIZE;
		memset(e, 0, sizeof(*e));
		m->vm_family = 4;
		m->vm_flags = 0;
		m->vm_count = 1;
		e->ve_proto = 6;
		e->ve_rvir_port = rd16(buf + 2);
		memcpy(e->ve_rvir, buf + 4, 4);
		memcpy(e->ve_lvir, buf + 8, 4);
		memcpy(e->ve_lphy, buf + 12, 4);
		e->ve_lvir_port = rd16(buf + 16);
		e->ve_lphy_port = rd16(buf + 18);
		return total;
	}
	m->vm_family = buf[2];
	m->vm_flags = buf[3];
	m->vm_count = rd16(buf + 4);
	if (m->vm_count > m->vm_cap)
		return VNET_ERR_SIZE;
	al = tuple_alen(m->vm_family);
	el = entry_len(m->vm_family);
	memset(m->vm_key, 0, sizeof(m->vm_key));
	if (m->vm_flags & VCMP_F_KEY)
		memcpy(m->vm_key, buf + VCMP_V2_HDR, VCMP_KEY_LEN);
	for (i = 0; i < m->vm_count; i++) {
		const uint8_t *p = buf + VCMP_V2_HDR + key_len(m->vm_flags) + i * el;
		struct vcmp_entry *e = &m->vm_e[i];
		memset(e, 0, sizeof(*e));
		if (m->vm_flags & VCMP_F_AUTH) {
			const uint8_t *a = buf + vcmp_body_len(buf) + i * VCMP_AUTH_LEN;
			e->ve_ctr = rd64(a);
			memcpy(e->ve_tag, a + 8, sizeof(e->ve_tag));
		}
		e->ve_proto = p[0];
		e->ve_rvir_port = rd16(p + 2);
		e->ve_lvir_port = rd16(p + 4);
		e->ve_lphy_port = rd16(p + 6);
		memcpy(e->ve_rvir, p + 8, al);
		memcpy(e->ve_lvir, p + 8 + al, al);
		memcpy(e->ve_lphy, p + 8 + 2 * al, al);
	}
	return total;
}

int
vcmp_encode(const struct vcmp_msg *m, uint8_t *out, size_t cap)
{
	size_t i, al, el, total;

	if (m->vm_cmd < VCMP_UPD || m->vm_cmd > (m->vm_version == VCMP_V1 ? VCMP_UPD_R :
	    VCMP_SUS_R) || (m->vm_family != 4 && m->vm_family != 6))
		return VNET_ERR_VALUE;
	if (m->vm_version == VCMP_V1) {
		const struct vcmp_entry *e = m->vm_e;
		if (m->vm_family != 4 || m->vm_count != 1 || e->ve_proto != 6)
			return VNET_ERR_VALUE;
		if (cap < VCMP_V1_LEN)
			return VNET_ERR_SIZE;
		memset(out, 0, VCMP_V1_LEN);
		out[0] = VCMP_V1;
		out[1] = m->vm_cmd;
		wr16(out + 18, e->ve_lphy_port);
		memcpy(out + 12, e->ve_lphy, 4);
		if (m->vm_cmd == VCMP_UPD) {	/* VNAT_UPD_R leaves the rest unused */
			wr16(out + 2, e->ve_rvir_port);
			memcpy(out + 4, e->ve_rvir, 4);
			memcpy(out + 8, e->ve_lvir, 4);
			wr16(out + 16, e->ve_lvir_port);
		}
		return VCMP_V1_LEN;
	}
	if (m->vm_version != VCMP_V2)
		return VNET_ERR_VALUE;
	al = tuple_alen(m->vm_family);
	el = entry_len(m->vm_family);
	if (m->vm_count == 0 || m->vm_count > VCMP_V2_MAX_ENTRIES)
		return VNET_ERR_SIZE;
	out[0] = VCMP_V2;
	out[1] = m->vm_cmd;
	out[2] = m->vm_family;
	if ((m->vm_flags & ~(VCMP_F_MORE | VCMP_F_KEY | VCMP_F_AUTH)) ||
	    ((m->vm_flags & VCMP_F_KEY) && m->vm_cmd != VCMP_SUS && m->vm_cmd != VCMP_SUS_R) ||
	    ((m->vm_flags & VCMP_F_AUTH) && m->vm_cmd != VCMP_UPD))
		return VNET_ERR_VALUE;
	total = v2_len(m->vm_family, m->vm_flags, m->vm_count);
	if (total > VCMP_V2_MAX_LEN || cap < total)
		return VNET_ERR_SIZE;
	out[3] = m->vm_flags;
	if (m->vm_flags & VCMP_F_KEY)
		memcpy(out + VCMP_V2_HDR, m->vm_key, VCMP_KEY_LEN);
	wr16(out + 4, m->vm_count);
	wr16(out + 6, (uint16_t)total);
	for (i = 0; i < m->vm_count; i++) {
		const struct vcmp_entry *e = &m->vm_e[i];
		uint8_t *p = out + VCMP_V2_HDR + key_len(m->vm_flags) + i * el;
		if (e->ve_proto != 6 && e->ve_proto != 17)
			return VNET_ERR_VALUE;
		p[0] = e->ve_proto;
		p[1] = 0;
		wr16(p + 2, e->ve_rvir_port);
		wr16(p + 4, e->ve_lvir_port);
		wr16(p + 6, e->ve_lphy_port);
		memcpy(p + 8, e->ve_rvir, al);
		memcpy(p + 8 + al, e->ve_lvir, al);
		memcpy(p + 8 + 2 * al, e->ve_lphy, al);
		if (m->vm_flags & VCMP_F_AUTH) {
			uint8_t *a = out + VCMP_V2_HDR + key_len(m->vm_flags) + m->vm_count * el +
			    i * VCMP_AUTH_LEN;
			wr64(a, e->ve_ctr);
			memcpy(a + 8, e->ve_tag, sizeof(e->ve_tag));
		}
	}
	return (int)total;
}
