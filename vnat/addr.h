/* addr: this host's interface addresses (getifaddrs), and addresses kept on
 * lo (rtnetlink) so that sockets bound to a moved virtual address live on. */
#ifndef VNET_ADDR_H
#define VNET_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/* True when addr (family 4 or 6) is assigned to an interface other than lo,
 * or to lo but not as one of the kept addresses. */
bool addr_assigned(uint8_t family, const uint8_t *addr, bool count_lo);
/* Adds (add=true) or deletes addr/32 (/128) on lo; 0, or -1 with errno
 * (EEXIST when it is there already). */
int addr_lo(uint8_t family, const uint8_t *addr, bool add);
/* The source address this host would use to reach dst; 0 or -1. */
int addr_source_for(uint8_t family, const uint8_t *dst, uint8_t *src);

#endif
