/* filter: build pcap filter expressions from address lists. */
#include "handler/filter.h"

#include <stdarg.h>
#include <stdio.h>

struct sbuf {
	char	*s_buf;
	size_t	 s_len, s_off;
	int	 s_err;
};

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->s_err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s_buf + b->s_off, b->s_len - b->s_off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->s_len - b->s_off)
		b->s_err = 1;
	else
		b->s_off += (size_t)n;
}

/* one entry as a match on the address at offset off (0 = dst, 6 = src) */
static void
sb_entry(struct sbuf *b, const struct mac_entry *e, unsigned off)
{
	unsigned full = e->me_plen / 8, rest = e->me_plen % 8, i;

	if (e->me_plen == 48) {
		char m[MAC_STRLEN];
		mac_format(e, m, sizeof(m));
		sb_add(b, "ether %s %s", off ? "src" : "dst", m);
		return;
	}
	sb_add(b, "(");
	for (i = 0; i < full; i++)
		sb_add(b, "%sether[%u] = 0x%02x", i ? " and " : "", off + i, e->me_addr[i]);
	if (rest)
		sb_add(b, "%sether[%u] & 0x%02x = 0x%02x", full ? " and " : "", off + full,
		    (0xff << (8 - rest)) & 0xff, e->me_addr[full]);
	sb_add(b, ")");
}

int
filt_build(const struct mac_list *l, enum proto_role role, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };
	size_t i, n = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (role == PROTO_REMOTE) {
		/* a source address is never a group address: leave those out */
		for (i = 0; i < l->ml_n; i++) {
			if (mac_is_group(&l->ml_e[i]))
				continue;
			sb_add(&b, "%s", n++ ? " or " : "");
			sb_entry(&b, &l->ml_e[i], 6);
		}
		return b.s_err ? -1 : 0;
	}
	sb_add(&b, "(");
	for (i = 0; i < l->ml_n; i++) {
		sb_add(&b, "%s", i ? " or " : "");
		sb_entry(&b, &l->ml_e[i], 0);
	}
	sb_add(&b, ") and not (");
	for (i = 0; i < l->ml_n; i++) {
		if (mac_is_group(&l->ml_e[i]))
			continue;
		sb_add(&b, "%s", n++ ? " or " : "");
		sb_entry(&b, &l->ml_e[i], 6);
	}
	sb_add(&b, ")");
	return b.s_err ? -1 : 0;
}
