/* sbuf: a bounded text appender over a caller's buffer; an overflow is
 * remembered, never written past the end. */
#ifndef VNET_SBUF_H
#define VNET_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*s_buf;
	size_t	 s_len, s_off;
	int	 s_err;
};

/* Appends printf-style text (nothing once the buffer has overflowed). */
void sbuf_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The length written, or -1 if anything did not fit. */
int sbuf_done(const struct sbuf *b);

#endif
