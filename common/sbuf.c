/* sbuf: bounded appends. */
#include "common/sbuf.h"

#include <stdarg.h>
#include <stdio.h>

void
sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->s_err || b->s_off >= b->s_len) {
		b->s_err = 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(b->s_buf + b->s_off, b->s_len - b->s_off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->s_len - b->s_off)
		b->s_err = 1;
	else
		b->s_off += (size_t)n;
}

int
sbuf_done(const struct sbuf *b)
{
	return b->s_err ? -1 : (int)b->s_off;
}
