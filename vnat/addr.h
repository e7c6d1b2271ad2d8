/* addr: this host's interface addresses (getifaddrs), and addresses kept on
 * lo (rtnetlink) so that sockets bound to a moved virtual address live on. */
#ifndef VNET_ADDR_H
#define VNET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A snapshot of this host's addresses, so that a RESUME of 10,000
 * connections asks the kernel once, not once per connection. */
struct addr_set {
	size_t	as_n;
	struct addr_one {
		uint8_t	ao_family, ao_lo, ao_addr[16];
	}	*as_a;
};

/* Fills s with the current addresses; 0, or -1 with errno. */
int addr_set_load(struct addr_set *s);
/* True when addr (family 4 or 6) is in s; on lo only if count_lo. */
bool addr_set_has(const struct addr_set *s, uint8_t family, const uint8_t *addr, bool count_lo);
void addr_set_free(struct addr_set *s);
/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.  Pure. */
bool addr_is_loopback(uint8_t family, const uint8_t *addr);
struct vnat_tuple;
/* True when t never leaves this host: a loopback end, or a remote end that
 * is one of this host's addresses (s, lo counted).  Such a connection has
 * nothing to move: RESUME and SUSPEND leave it alone. */
bool addr_conn_local(const struct addr_set *s, const struct vnat_tuple *t);
/* True when addr is assigned now (addr_set_has on a fresh snapshot); true
 * as well when that cannot be told, so nothing is called moved by error. */
bool addr_assigned(uint8_t family, const uint8_t *addr, bool count_lo);
/* Adds (add=true) or deletes addr/32 (/128) on lo; 0, or -1 with errno
 * (EEXIST when it is there already). */
int addr_lo(uint8_t family, const uint8_t *addr, bool add);
struct sockaddr_storage;
/* Fills ss with addr (family 4 or 6) and port; returns its length.  Pure. */
unsigned addr_sockaddr(uint8_t family, const uint8_t *addr, uint16_t port,
    struct sockaddr_storage *ss);
/* The source address this host would use to reach dst; 0 or -1. */
int addr_source_for(uint8_t family, const uint8_t *dst, uint8_t *src);

#endif
