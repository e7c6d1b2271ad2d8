/* kickpkt: the ICMP error that makes a backed-off TCP retransmit at once
 * (RFC 6069, "TCP-LD": Linux's tcp_ld_RTO_revert undoes one step of the
 * retransmission back-off for each destination unreachable that quotes the
 * segment at snd_una, and retransmits once the timer so shortened has run
 * out).  Pure: the bytes only; vnat/kick sends them. */
#ifndef VNET_KICKPKT_H
#define VNET_KICKPKT_H

#include <stddef.h>
#include <stdint.h>

#include "vnat/tuple.h"

/* IPv6: 40 (header) + 8 (ICMPv6) + 40 (quoted header) + 8 (quoted TCP) */
#define KICKPKT_MAX	96

/* Writes into out (KICKPKT_MAX bytes are enough), IP header included, the
 * error that tells this host's TCP that its segment at seq of connection t
 * did not get through: quoted as the socket sent it (t's virtual ends: from
 * t_lvir:t_lvir_port to t_rvir:t_rvir_port), from and to t_lvir; IPv4 ICMP
 * type 3 code 1 (host unreachable), IPv6 ICMPv6 type 1 code 0 (no route,
 * the only code Linux reverts for), every checksum made.  Returns the
 * length, or -1 when len is too small or t is not TCP. */
int kickpkt_build(const struct vnat_tuple *t, uint32_t seq, uint8_t *out, size_t len);

/* The Internet checksum (RFC 1071) of n bytes, after sum (a partial sum of
 * earlier bytes, 0 for none); returned folded and complemented, in the
 * byte order of the data. */
uint16_t kickpkt_csum(const uint8_t *p, size_t n, uint32_t sum);

#endif
