/* bbuf: a binary reader and writer over a caller's buffer, integers in
 * network byte order, after OpenSSH's sshbuf (beside our text sbuf).
 *
 * A get consumes what it reads or fails; a put fits or fails.  The first
 * failure is kept (sticky): every later get or put of the same buffer fails
 * with it, so that a sequence can be checked once, at its end, by
 * bbuf_rd_done / bbuf_wr_done.  A failed get stores 0 (or zero bytes), so
 * the values of such a sequence are never indeterminate.  Calls return 0
 * or a negative VNET_ERR_* (common/err.h): VNET_ERR_SHORT for a read past
 * the end, VNET_ERR_SIZE for a write past it.
 *
 * Nothing allocates.  The fixed-width calls are inline: the frame path
 * encodes and decodes a header with them for every Ethernet frame, and
 * inlined over a buffer of known size their checks fold away. */
#ifndef VNET_BBUF_H
#define VNET_BBUF_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct bbuf_rd {
	const uint8_t	*br_p;
	size_t		 br_len, br_off;	/* bytes in br_p, bytes consumed */
	int		 br_err;		/* the first failure, or 0 */
};

struct bbuf_wr {
	uint8_t		*bw_p;
	size_t		 bw_cap, bw_off;	/* room in bw_p, bytes written */
	int		 bw_err;		/* the first failure, or 0 */
};

/* Integers at p, for headers read or patched in place (no bounds: the
 * caller has checked them). */
static inline uint16_t
bbuf_peek_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
bbuf_peek_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
bbuf_peek_u64(const uint8_t *p)
{
	return (uint64_t)bbuf_peek_u32(p) << 32 | bbuf_peek_u32(p + 4);
}

static inline void
bbuf_poke_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
bbuf_poke_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
bbuf_poke_u64(uint8_t *p, uint64_t v)
{
	bbuf_poke_u32(p, (uint32_t)(v >> 32));
	bbuf_poke_u32(p + 4, (uint32_t)v);
}

/* Starts reading the len bytes at p. */
static inline void
bbuf_rd_init(struct bbuf_rd *r, const void *p, size_t len)
{
	r->br_p = p;
	r->br_len = len;
	r->br_off = 0;
	r->br_err = 0;
}

/* The bytes not yet consumed. */
static inline size_t
bbuf_left(const struct bbuf_rd *r)
{
	return r->br_len - r->br_off;
}

/* The first failure of r, or 0. */
static inline int
bbuf_rd_err(const struct bbuf_rd *r)
{
	return r->br_err;
}

/* Consumes n bytes and points *p at them in r's buffer (NULL when n is 0
 * or on failure); 0 or VNET_ERR_SHORT. */
static inline int
bbuf_take(struct bbuf_rd *r, size_t n, const uint8_t **p)
{
	*p = NULL;
	/* compared with what is left, never by adding to the offset */
	if (r->br_err == 0 && n > r->br_len - r->br_off)
		r->br_err = VNET_ERR_SHORT;
	if (r->br_err != 0)
		return r->br_err;
	if (n > 0) {
		*p = r->br_p + r->br_off;
		r->br_off += n;
	}
	return 0;
}

/* Consumes n bytes unread; 0 or VNET_ERR_SHORT. */
static inline int
bbuf_skip(struct bbuf_rd *r, size_t n)
{
	const uint8_t *p;

	return bbuf_take(r, n, &p);
}

/* Consume 1, 2, 4 or 8 bytes into *v (v may be NULL: skipped); 0 or
 * VNET_ERR_SHORT, *v then 0. */
static inline int
bbuf_get_u8(struct bbuf_rd *r, uint8_t *v)
{
	const uint8_t *p;
	int e = bbuf_take(r, 1, &p);

	if (v != NULL)
		*v = e == 0 ? p[0] : 0;
	return e;
}

static inline int
bbuf_get_u16(struct bbuf_rd *r, uint16_t *v)
{
	const uint8_t *p;
	int e = bbuf_take(r, 2, &p);

	if (v != NULL)
		*v = e == 0 ? bbuf_peek_u16(p) : 0;
	return e;
}

static inline int
bbuf_get_u32(struct bbuf_rd *r, uint32_t *v)
{
	const uint8_t *p;
	int e = bbuf_take(r, 4, &p);

	if (v != NULL)
		*v = e == 0 ? bbuf_peek_u32(p) : 0;
	return e;
}

static inline int
bbuf_get_u64(struct bbuf_rd *r, uint64_t *v)
{
	const uint8_t *p;
	int e = bbuf_take(r, 8, &p);

	if (v != NULL)
		*v = e == 0 ? bbuf_peek_u64(p) : 0;
	return e;
}

/* Consumes n bytes into dst; 0 or VNET_ERR_SHORT, dst then zeroed. */
int bbuf_get_bytes(struct bbuf_rd *r, void *dst, size_t n);

/* The bytes consumed, or r's first failure (VNET_ERR_SIZE past INT_MAX). */
static inline int
bbuf_rd_done(const struct bbuf_rd *r)
{
	if (r->br_err != 0)
		return r->br_err;
	return r->br_off > INT_MAX ? VNET_ERR_SIZE : (int)r->br_off;
}

/* Starts writing into the cap bytes at p. */
static inline void
bbuf_wr_init(struct bbuf_wr *w, void *p, size_t cap)
{
	w->bw_p = p;
	w->bw_cap = cap;
	w->bw_off = 0;
	w->bw_err = 0;
}

/* The bytes written so far. */
static inline size_t
bbuf_wr_len(const struct bbuf_wr *w)
{
	return w->bw_off;
}

/* The first failure of w, or 0. */
static inline int
bbuf_wr_err(const struct bbuf_wr *w)
{
	return w->bw_err;
}

/* Claims the next n bytes of w for the caller to fill and points *p at
 * them (NULL when n is 0 or on failure); 0 or VNET_ERR_SIZE. */
static inline int
bbuf_reserve(struct bbuf_wr *w, size_t n, uint8_t **p)
{
	*p = NULL;
	if (w->bw_err == 0 && n > w->bw_cap - w->bw_off)
		w->bw_err = VNET_ERR_SIZE;
	if (w->bw_err != 0)
		return w->bw_err;
	if (n > 0) {
		*p = w->bw_p + w->bw_off;
		w->bw_off += n;
	}
	return 0;
}

/* Append v in 1, 2, 4 or 8 bytes; 0 or VNET_ERR_SIZE (nothing written). */
static inline int
bbuf_put_u8(struct bbuf_wr *w, uint8_t v)
{
	uint8_t *p;
	int e = bbuf_reserve(w, 1, &p);

	if (e == 0)
		p[0] = v;
	return e;
}

static inline int
bbuf_put_u16(struct bbuf_wr *w, uint16_t v)
{
	uint8_t *p;
	int e = bbuf_reserve(w, 2, &p);

	if (e == 0)
		bbuf_poke_u16(p, v);
	return e;
}

static inline int
bbuf_put_u32(struct bbuf_wr *w, uint32_t v)
{
	uint8_t *p;
	int e = bbuf_reserve(w, 4, &p);

	if (e == 0)
		bbuf_poke_u32(p, v);
	return e;
}

static inline int
bbuf_put_u64(struct bbuf_wr *w, uint64_t v)
{
	uint8_t *p;
	int e = bbuf_reserve(w, 8, &p);

	if (e == 0)
		bbuf_poke_u64(p, v);
	return e;
}

/* Appends the n bytes at src; 0 or VNET_ERR_SIZE (nothing written). */
int bbuf_put_bytes(struct bbuf_wr *w, const void *src, size_t n);
/* Appends n zero bytes; 0 or VNET_ERR_SIZE (nothing written). */
int bbuf_put_zero(struct bbuf_wr *w, size_t n);

/* The bytes written, or w's first failure (VNET_ERR_SIZE past INT_MAX). */
static inline int
bbuf_wr_done(const struct bbuf_wr *w)
{
	if (w->bw_err != 0)
		return w->bw_err;
	return w->bw_off > INT_MAX ? VNET_ERR_SIZE : (int)w->bw_off;
}

#endif
