/* filter: build pcap filter expressions from address lists. */
#include "handler/filter.h"

#include <stdio.h>

#include "common/sbuf.h"

/* one entry as a match on the address at offset off (0 = dst, 6 = src) */
static void
sb_entry(struct sbuf *b, const struct mac_entry *e, unsigned off)
{
	unsigned full = e->me_plen / 8, rest = e->me_plen % 8, i;

	if (e->me_plen == 48) {
		char m[MAC_STRLEN];
		mac_format(e, m, sizeof(m));
		sbuf_add(b, "ether %s %s", off ? "src" : "dst", m);
		return;
	}
	sbuf_add(b, "(");
	for (i = 0; i < full; i++)
		sbuf_add(b, "%sether[%u] = 0x%02x", i ? " and " : "", off + i, e->me_addr[i]);
	if (rest)
		sbuf_add(b, "%sether[%u] & 0x%02x = 0x%02x", full ? " and " : "", off + full,
		    (0xff << (8 - rest)) & 0xff, e->me_addr[full]);
	sbuf_add(b, ")");
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
			sbuf_add(&b, "%s", n++ ? " or " : "");
			sb_entry(&b, &l->ml_e[i], 6);
		}
		return sbuf_done(&b) < 0 ? -1 : 0;
	}
	sbuf_add(&b, "(");
	for (i = 0; i < l->ml_n; i++) {
		sbuf_add(&b, "%s", i ? " or " : "");
		sb_entry(&b, &l->ml_e[i], 0);
	}
	sbuf_add(&b, ") and not (");
	for (i = 0; i < l->ml_n; i++) {
		if (mac_is_group(&l->ml_e[i]))
			continue;
		sbuf_add(&b, "%s", n++ ? " or " : "");
		sb_entry(&b, &l->ml_e[i], 6);
	}
	sbuf_add(&b, ")");
	return sbuf_done(&b) < 0 ? -1 : 0;
}

/* the list's unicast entries hold addr */
static bool
unicast_has(const struct mac_list *l, const uint8_t *addr)
{
	for (size_t i = 0; i < l->ml_n; i++)
		if (!mac_is_group(&l->ml_e[i]) && mac_match(&l->ml_e[i], addr))
			return true;
	return false;
}

bool
filt_match(const struct mac_list *l, enum proto_role role, const uint8_t *frame)
{
	size_t i;

	if (role == PROTO_REMOTE)
		return unicast_has(l, frame + MAC_LEN);
	for (i = 0; i < l->ml_n; i++)
		if (mac_match(&l->ml_e[i], frame))
			break;
	return i < l->ml_n && !unicast_has(l, frame + MAC_LEN);
}
