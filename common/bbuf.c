/* bbuf: the runs of bytes; the fixed-width calls are inline in bbuf.h. */
#include "common/bbuf.h"

#include <string.h>

int
bbuf_get_bytes(struct bbuf_rd *r, void *dst, size_t n)
{
	const uint8_t *p;
	int e = bbuf_take(r, n, &p);

	/* memcpy and memset want a pointer even for 0 bytes: none is made */
	if (n > 0) {
		if (e == 0)
			memcpy(dst, p, n);
		else
			memset(dst, 0, n);
	}
	return e;
}

int
bbuf_put_bytes(struct bbuf_wr *w, const void *src, size_t n)
{
	uint8_t *p;
	int e = bbuf_reserve(w, n, &p);

	if (e == 0 && n > 0)
		memcpy(p, src, n);
	return e;
}

int
bbuf_put_zero(struct bbuf_wr *w, size_t n)
{
	uint8_t *p;
	int e = bbuf_reserve(w, n, &p);

	if (e == 0 && n > 0)
		memset(p, 0, n);
	return e;
}
