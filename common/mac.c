/* mac: parse, print and match Ethernet addresses and prefixes. */
#include "common/mac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mac_parse(const char *s, struct mac_entry *out)
{
	struct mac_entry e = { .me_plen = 48 };
	size_t i;

	for (i = 0; i < MAC_LEN; i++) {
		int hi = hexval(s[0]), lo;
		if (hi < 0)
			return VNET_ERR_SYNTAX;
		lo = hexval(s[1]);
		if (lo < 0) {		/* one-digit octet, as in "0:1:2:3:4:5" */
			e.me_addr[i] = (uint8_t)hi;
			s += 1;
		} else {
			e.me_addr[i] = (uint8_t)(hi << 4 | lo);
			s += 2;
		}
		if (i < MAC_LEN - 1) {
			if (*s != ':' && *s != '-')
				return VNET_ERR_SYNTAX;
			s++;
		}
	}
	if (*s == '/') {
		char *end;
		unsigned long n;
		if (s[1] < '0' || s[1] > '9')
			return VNET_ERR_SYNTAX;
		n = strtoul(s + 1, &end, 10);
		if (*end != '\0')
			return VNET_ERR_SYNTAX;
		if (n < 1 || n > 48)
			return VNET_ERR_VALUE;
		e.me_plen = (uint8_t)n;
		for (i = 0; i < 48; i++)	/* host bits must be zero */
			if (i >= n && (e.me_addr[i / 8] & (0x80 >> (i % 8))))
				return VNET_ERR_VALUE;
	} else if (*s != '\0')
		return VNET_ERR_SYNTAX;
	*out = e;
	return VNET_OK;
}

void
mac_format(const struct mac_entry *e, char *buf, size_t len)
{
	const uint8_t *a = e->me_addr;

	if (e->me_plen == 48)
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		    a[0], a[1], a[2], a[3], a[4], a[5]);
	else
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x/%u",
		    a[0], a[1], a[2], a[3], a[4], a[5], e->me_plen);
}

bool
mac_is_group(const struct mac_entry *e)
{
	/* a prefix shorter than 8 bits does not fix the group bit: it may
	 * cover group addresses, so it counts as one */
	return (e->me_addr[0] & 0x01) || e->me_plen < 8;
}

bool
mac_match(const struct mac_entry *e, const uint8_t addr[MAC_LEN])
{
	unsigned full = e->me_plen / 8, rest = e->me_plen % 8;

	if (memcmp(e->me_addr, addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((addr[full] & mask) != e->me_addr[full])
			return false;
	}
	return true;
}

bool
mac_overlap(const struct mac_entry *a, const struct mac_entry *b)
{
	/* two prefixes share an address exactly when the shorter one holds
	 * the longer one's first address */
	return a->me_plen <= b->me_plen ? mac_match(a, b->me_addr) : mac_match(b, a->me_addr);
}

const struct mac_entry *
mac_lists_overlap(const struct mac_list *a, const struct mac_list *b)
{
	for (size_t i = 0; i < a->ml_n; i++) {
		if (mac_is_group(&a->ml_e[i]))
			continue;
		for (size_t j = 0; j < b->ml_n; j++)
			if (!mac_is_group(&b->ml_e[j]) && mac_overlap(&a->ml_e[i], &b->ml_e[j]))
				return &a->ml_e[i];
	}
	return NULL;
}

bool
mac_is_zero(const struct mac_entry *e)
{
	static const uint8_t zero[MAC_LEN];

	return e->me_plen == 48 && memcmp(e->me_addr, zero, MAC_LEN) == 0;
}

int
mac_list_parse(char *const *tok, size_t n, struct mac_list *out,
    char *err, size_t errlen)
{
	size_t i;
	int rc;

	if (n == 0) {
		snprintf(err, errlen, "no addresses given");
		return VNET_ERR_SHORT;
	}
	if (n > MAC_LIST_MAX) {
		snprintf(err, errlen, "too many addresses (%zu, at most %d)", n, MAC_LIST_MAX);
		return VNET_ERR_SIZE;
	}
	for (i = 0; i < n; i++) {
		if ((rc = mac_parse(tok[i], &out->ml_e[i])) != VNET_OK) {
			snprintf(err, errlen, "bad address '%.40s': %s", tok[i],
			    rc == VNET_ERR_VALUE ? "prefix length must be 1-48 with host bits zero" :
			    "expected aa:bb:cc:dd:ee:ff or aa:bb:cc:dd:ee:ff/N");
			return rc;
		}
		if (mac_is_zero(&out->ml_e[i])) {
			snprintf(err, errlen, "bad address '%.40s': the all-zero address is no "
			    "device's address", tok[i]);
			return VNET_ERR_VALUE;
		}
	}
	if (out->ml_e[0].me_plen != 48 || mac_is_group(&out->ml_e[0])) {
		char m[MAC_STRLEN];
		mac_format(&out->ml_e[0], m, sizeof(m));
		snprintf(err, errlen, "first address %s is %s: list the VM's own unicast MAC "
		    "first, or frames may loop (ARP storm)", m,
		    out->ml_e[0].me_plen != 48 ? "a prefix" :
		    (out->ml_e[0].me_addr[0] == 0xff ? "broadcast" : "multicast"));
		return VNET_ERR_VALUE;
	}
	out->ml_n = n;
	return VNET_OK;
}

int
mac_list_format(const struct mac_list *l, char *buf, size_t len)
{
	size_t off = 0, i;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < l->ml_n; i++) {
		char m[MAC_STRLEN];
		int w;
		mac_format(&l->ml_e[i], m, sizeof(m));
		w = snprintf(buf + off, len - off, "%s%s", i ? " " : "", m);
		if (w < 0 || (size_t)w >= len - off)
			return -1;
		off += (size_t)w;
	}
	return 0;
}
