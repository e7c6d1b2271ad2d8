/* mac: Ethernet addresses and address prefixes as handlers take them. */
#ifndef VNET_MAC_H
#define VNET_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAC_LEN		6
#define MAC_LIST_MAX	64
#define MAC_STRLEN	24	/* "aa:bb:cc:dd:ee:ff/48" + NUL, rounded up */

struct mac_entry {
	uint8_t	me_addr[MAC_LEN];
	uint8_t	me_plen;	/* 48 = one address; 1..47 = a prefix */
};

struct mac_list {
	size_t			ml_n;
	struct mac_entry	ml_e[MAC_LIST_MAX];
};

/* Parses "aa:bb:cc:dd:ee:ff" or "aa:bb:cc:dd:ee:ff/N" (1<=N<=48); bits past
 * the prefix must be zero.  Returns 0 or a VNET_ERR_* code. */
int mac_parse(const char *s, struct mac_entry *out);
/* Writes the canonical text of an entry ("/N" only for prefixes). */
void mac_format(const struct mac_entry *e, char *buf, size_t len);
/* True when the entry is a group (multicast or broadcast) address or prefix. */
bool mac_is_group(const struct mac_entry *e);
/* True when addr falls inside the entry. */
bool mac_match(const struct mac_entry *e, const uint8_t addr[MAC_LEN]);
/* True when some address falls inside both entries. */
bool mac_overlap(const struct mac_entry *a, const struct mac_entry *b);
/* The first unicast entry of a that shares an address with a unicast entry
 * of b, or NULL (group entries never make two handlers overlap). */
const struct mac_entry *mac_lists_overlap(const struct mac_list *a, const struct mac_list *b);
/* True when the entry is the all-zero address 00:00:00:00:00:00 (no
 * device has it: refused in lists). */
bool mac_is_zero(const struct mac_entry *e);
/* Parses a handler's address list; the first entry must be one unicast
 * address (the VM's); the all-zero address is refused.  On failure returns a VNET_ERR_* code and writes why
 * into err. */
int mac_list_parse(char *const *tok, size_t n, struct mac_list *out,
    char *err, size_t errlen);
/* Writes the list as space-separated canonical text; returns 0, or -1 if
 * buf is too small. */
int mac_list_format(const struct mac_list *l, char *buf, size_t len);

#endif
