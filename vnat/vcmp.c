/* vcmp: validate, decode and encode the VCMP messages (vcmp.h), field by
 * field through common/bbuf: no offsets computed by hand. */
#include "vnat/vcmp.h"

#include <stdbool.h>
#include <string.h>

#include "common/bbuf.h"
#include "common/err.h"
#include "vnat/tuple.h"

/* a version-2 header (version 1 has the first two fields only) */
struct v2_hdr {
	uint8_t		h_version, h_cmd, h_family, h_flags;
	uint16_t	h_count, h_len;
};

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

/* the version-2 header after its version and command; 0 or VNET_ERR_SHORT */
static int
get_v2_rest(struct bbuf_rd *r, struct v2_hdr *h)
{
	bbuf_get_u8(r, &h->h_family);
	bbuf_get_u8(r, &h->h_flags);
	bbuf_get_u16(r, &h->h_count);
	bbuf_get_u16(r, &h->h_len);
	return bbuf_rd_err(r);
}

/* the header of a message vcmp_validate accepted (at least 8 bytes) */
static void
peek_hdr(const uint8_t *msg, struct v2_hdr *h)
{
	struct bbuf_rd r;

	bbuf_rd_init(&r, msg, VCMP_V2_HDR);
	bbuf_get_u8(&r, &h->h_version);
	bbuf_get_u8(&r, &h->h_cmd);
	get_v2_rest(&r, h);
}

size_t
vcmp_body_len(const uint8_t *msg)
{
	struct v2_hdr h;

	peek_hdr(msg, &h);
	return VCMP_V2_HDR + key_len(h.h_flags) + h.h_count * entry_len(h.h_family);
}

size_t
vcmp_tag_off(const uint8_t *msg, uint16_t i)
{
	return vcmp_body_len(msg) + (size_t)i * VCMP_AUTH_LEN + 8;
}

uint16_t
vcmp_count(const uint8_t *msg)
{
	struct v2_hdr h;

	peek_hdr(msg, &h);
	return h.h_version == VCMP_V1 ? 1 : h.h_count;
}

int
vcmp_validate(const uint8_t *buf, size_t len)
{
	struct bbuf_rd r;
	struct v2_hdr h;
	size_t i, el;

	bbuf_rd_init(&r, buf, len);
	bbuf_get_u8(&r, &h.h_version);
	if (bbuf_get_u8(&r, &h.h_cmd) != 0)
		return VNET_ERR_SHORT;
	if (h.h_cmd < VCMP_UPD || h.h_cmd > (h.h_version == VCMP_V1 ? VCMP_UPD_R : VCMP_SUS_R))
		return VNET_ERR_TYPE;
	if (h.h_version == VCMP_V1)
		return bbuf_skip(&r, VCMP_V1_LEN - 2) != 0 ? VNET_ERR_SHORT : VCMP_V1_LEN;
	if (h.h_version != VCMP_V2)
		return VNET_ERR_TYPE;
	if (get_v2_rest(&r, &h) != 0)
		return VNET_ERR_SHORT;
	if (h.h_family != 4 && h.h_family != 6)
		return VNET_ERR_VALUE;
	if ((h.h_flags & ~(VCMP_F_MORE | VCMP_F_KEY | VCMP_F_AUTH)) ||
	    ((h.h_flags & VCMP_F_KEY) && h.h_cmd != VCMP_SUS && h.h_cmd != VCMP_SUS_R) ||
	    ((h.h_flags & VCMP_F_AUTH) && h.h_cmd != VCMP_UPD))
		return VNET_ERR_VALUE;
	if (h.h_count == 0 || h.h_count > VCMP_V2_MAX_ENTRIES ||
	    h.h_len != v2_len(h.h_family, h.h_flags, h.h_count))
		return VNET_ERR_SIZE;
	if (bbuf_left(&r) < (size_t)h.h_len - VCMP_V2_HDR)
		return VNET_ERR_SHORT;
	/* the whole message is here: what follows cannot run short */
	bbuf_skip(&r, key_len(h.h_flags));
	el = entry_len(h.h_family);
	for (i = 0; i < h.h_count; i++) {
		uint8_t proto, pad;
		bbuf_get_u8(&r, &proto);
		bbuf_get_u8(&r, &pad);
		bbuf_skip(&r, el - 2);
		if ((proto != 6 && proto != 17) || pad != 0)
			return VNET_ERR_VALUE;
	}
	return h.h_len;
}

static int
v1_decode(struct bbuf_rd *r, struct vcmp_msg *m)
{
	struct vcmp_entry *e = m->vm_e;

	if (m->vm_cap < 1)
		return VNET_ERR_SIZE;
	memset(e, 0, sizeof(*e));
	m->vm_family = 4;
	m->vm_flags = 0;
	m->vm_count = 1;
	e->ve_proto = 6;
	bbuf_get_u16(r, &e->ve_rvir_port);
	bbuf_get_bytes(r, e->ve_rvir, 4);
	bbuf_get_bytes(r, e->ve_lvir, 4);
	bbuf_get_bytes(r, e->ve_lphy, 4);
	bbuf_get_u16(r, &e->ve_lvir_port);
	bbuf_get_u16(r, &e->ve_lphy_port);
	return bbuf_rd_done(r);
}

static void
get_entry(struct bbuf_rd *r, size_t al, struct vcmp_entry *e)
{
	memset(e, 0, sizeof(*e));
	bbuf_get_u8(r, &e->ve_proto);
	bbuf_skip(r, 1);
	bbuf_get_u16(r, &e->ve_rvir_port);
	bbuf_get_u16(r, &e->ve_lvir_port);
	bbuf_get_u16(r, &e->ve_lphy_port);
	bbuf_get_bytes(r, e->ve_rvir, al);
	bbuf_get_bytes(r, e->ve_lvir, al);
	bbuf_get_bytes(r, e->ve_lphy, al);
}

int
vcmp_decode(const uint8_t *buf, size_t len, struct vcmp_msg *m)
{
	int total = vcmp_validate(buf, len);
	struct bbuf_rd r;
	struct v2_hdr h;
	size_t i, al;

	if (total < 0)
		return total;
	/* the message alone: the decoder cannot read into the next one */
	bbuf_rd_init(&r, buf, (size_t)total);
	bbuf_get_u8(&r, &m->vm_version);
	bbuf_get_u8(&r, &m->vm_cmd);
	if (m->vm_version == VCMP_V1)
		return v1_decode(&r, m);
	get_v2_rest(&r, &h);
	m->vm_family = h.h_family;
	m->vm_flags = h.h_flags;
	m->vm_count = h.h_count;
	if (m->vm_count > m->vm_cap)
		return VNET_ERR_SIZE;
	al = tuple_alen(m->vm_family);
	memset(m->vm_key, 0, sizeof(m->vm_key));
	if (m->vm_flags & VCMP_F_KEY)
		bbuf_get_bytes(&r, m->vm_key, VCMP_KEY_LEN);
	for (i = 0; i < m->vm_count; i++)
		get_entry(&r, al, &m->vm_e[i]);
	/* VCMP_F_AUTH: per entry a counter and a tag, after all the entries */
	for (i = 0; (m->vm_flags & VCMP_F_AUTH) && i < m->vm_count; i++) {
		bbuf_get_u64(&r, &m->vm_e[i].ve_ctr);
		bbuf_get_bytes(&r, m->vm_e[i].ve_tag, sizeof(m->vm_e[i].ve_tag));
	}
	return bbuf_rd_done(&r);
}

/* VNAT_UPD_R leaves all but the physical end unused (0) */
static int
v1_encode(const struct vcmp_msg *m, struct bbuf_wr *w)
{
	static const uint8_t zero[4];
	const struct vcmp_entry *e = m->vm_e;
	bool upd = m->vm_cmd == VCMP_UPD;

	if (m->vm_family != 4 || m->vm_count != 1 || e->ve_proto != 6)
		return VNET_ERR_VALUE;
	bbuf_put_u8(w, VCMP_V1);
	bbuf_put_u8(w, m->vm_cmd);
	bbuf_put_u16(w, upd ? e->ve_rvir_port : 0);
	bbuf_put_bytes(w, upd ? e->ve_rvir : zero, 4);
	bbuf_put_bytes(w, upd ? e->ve_lvir : zero, 4);
	bbuf_put_bytes(w, e->ve_lphy, 4);
	bbuf_put_u16(w, upd ? e->ve_lvir_port : 0);
	bbuf_put_u16(w, e->ve_lphy_port);
	return bbuf_wr_done(w);
}

static void
put_entry(struct bbuf_wr *w, size_t al, const struct vcmp_entry *e)
{
	bbuf_put_u8(w, e->ve_proto);
	bbuf_put_u8(w, 0);
	bbuf_put_u16(w, e->ve_rvir_port);
	bbuf_put_u16(w, e->ve_lvir_port);
	bbuf_put_u16(w, e->ve_lphy_port);
	bbuf_put_bytes(w, e->ve_rvir, al);
	bbuf_put_bytes(w, e->ve_lvir, al);
	bbuf_put_bytes(w, e->ve_lphy, al);
}

int
vcmp_encode(const struct vcmp_msg *m, uint8_t *out, size_t cap)
{
	struct bbuf_wr w;
	size_t i, total;

	if (m->vm_cmd < VCMP_UPD || m->vm_cmd > (m->vm_version == VCMP_V1 ? VCMP_UPD_R :
	    VCMP_SUS_R) || (m->vm_family != 4 && m->vm_family != 6))
		return VNET_ERR_VALUE;
	bbuf_wr_init(&w, out, cap);
	if (m->vm_version == VCMP_V1)
		return v1_encode(m, &w);
	if (m->vm_version != VCMP_V2)
		return VNET_ERR_VALUE;
	if (m->vm_count == 0 || m->vm_count > VCMP_V2_MAX_ENTRIES)
		return VNET_ERR_SIZE;
	if ((m->vm_flags & ~(VCMP_F_MORE | VCMP_F_KEY | VCMP_F_AUTH)) ||
	    ((m->vm_flags & VCMP_F_KEY) && m->vm_cmd != VCMP_SUS && m->vm_cmd != VCMP_SUS_R) ||
	    ((m->vm_flags & VCMP_F_AUTH) && m->vm_cmd != VCMP_UPD))
		return VNET_ERR_VALUE;
	/* the 16-bit length field bounds it, whatever room the caller has */
	total = v2_len(m->vm_family, m->vm_flags, m->vm_count);
	if (total > VCMP_V2_MAX_LEN || cap < total)
		return VNET_ERR_SIZE;
	bbuf_put_u8(&w, VCMP_V2);
	bbuf_put_u8(&w, m->vm_cmd);
	bbuf_put_u8(&w, m->vm_family);
	bbuf_put_u8(&w, m->vm_flags);
	bbuf_put_u16(&w, m->vm_count);
	bbuf_put_u16(&w, (uint16_t)total);
	if (m->vm_flags & VCMP_F_KEY)
		bbuf_put_bytes(&w, m->vm_key, VCMP_KEY_LEN);
	for (i = 0; i < m->vm_count; i++) {
		if (m->vm_e[i].ve_proto != 6 && m->vm_e[i].ve_proto != 17)
			return VNET_ERR_VALUE;
		put_entry(&w, tuple_alen(m->vm_family), &m->vm_e[i]);
	}
	for (i = 0; (m->vm_flags & VCMP_F_AUTH) && i < m->vm_count; i++) {
		bbuf_put_u64(&w, m->vm_e[i].ve_ctr);
		bbuf_put_bytes(&w, m->vm_e[i].ve_tag, sizeof(m->vm_e[i].ve_tag));
	}
	return bbuf_wr_done(&w);
}
