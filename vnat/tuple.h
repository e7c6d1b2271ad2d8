/* tuple: what vnat calls a connection: its family, protocol, and the local
 * and remote ends as the socket knows them (virtual: the connection's first
 * addresses) and as they are on the wire now (physical).  A translation is
 * a tuple whose physical ends differ from its virtual ones; vtab keys on
 * the virtual ends.  Families are 4 and 6 here (VCMP's numbers), not
 * AF_INET and AF_INET6: tuple_af and tuple_family convert. */
#ifndef VNET_TUPLE_H
#define VNET_TUPLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/addrfmt.h"

struct vnat_tuple {
	uint32_t	t_id;		/* the caller's identifier */
	uint8_t		t_family;	/* 4 or 6 */
	uint8_t		t_proto;	/* 6 or 17 */
	uint8_t		t_lvir[16], t_lphy[16], t_rvir[16], t_rphy[16];
	uint16_t	t_lvir_port, t_lphy_port, t_rvir_port, t_rphy_port;
	uint8_t		t_dirs;		/* TUPLE_OUT | TUPLE_IN; 0 = both */
};

/* the directions a translation rewrites (t_dirs) */
#define TUPLE_OUT	1
#define TUPLE_IN	2

/* The length of an address of family 4 or 6. */
static inline size_t
tuple_alen(unsigned family)
{
	return family == 6 ? 16 : 4;
}

/* AF_INET or AF_INET6 for family 4 or 6. */
static inline int
tuple_af(unsigned family)
{
	return family == 6 ? AF_INET6 : AF_INET;
}

/* 4 or 6 for AF_INET or AF_INET6. */
static inline uint8_t
tuple_family(int af)
{
	return af == AF_INET6 ? 6 : 4;
}

/* Writes an address of family 4 or 6 as text into buf (ADDRFMT_ADDRLEN
 * bytes are enough) and returns buf (common/addrfmt). */
static inline const char *
tuple_addr_text(unsigned family, const uint8_t *addr, char *buf, size_t len)
{
	return addrfmt_addr(tuple_af(family), addr, buf, len);
}

/* Writes one end of a tuple of family 4 or 6, "a.b.c.d:port" or
 * "[v6]:port", into buf (ADDRFMT_LEN bytes are enough) and returns buf. */
static inline const char *
tuple_end_text(unsigned family, const uint8_t *addr, uint16_t port, char *buf, size_t len)
{
	return addrfmt_endpoint(tuple_af(family), addr, port, buf, len);
}

#endif
