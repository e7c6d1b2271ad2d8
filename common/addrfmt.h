/* addrfmt: IP addresses and endpoints as text, the one way the tree writes
 * them (logs, VNAT CONNS? lines, nftables batches, helper arguments).
 * Pure: libc only, so vnetclient and every folder may use it. */
#ifndef VNET_ADDRFMT_H
#define VNET_ADDRFMT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDRFMT_ADDRLEN	INET6_ADDRSTRLEN	/* an address and its NUL */
#define ADDRFMT_LEN	(ADDRFMT_ADDRLEN + 8)	/* "[" address "]:65535" and its NUL */

/* Writes addr (AF_INET: 4 bytes, AF_INET6: 16, network order) as text into
 * buf and returns buf; "?" when the family is unknown or the text does not
 * fit (as much of "?" as fits in a smaller buffer). */
const char *addrfmt_addr(int af, const void *addr, char *buf, size_t len);
/* Writes "a.b.c.d:port" or "[v6]:port" (port in host order) into buf and
 * returns buf; "?" as addrfmt_addr when it does not fit. */
const char *addrfmt_endpoint(int af, const void *addr, uint16_t port, char *buf, size_t len);
/* Writes the address of sa (AF_INET or AF_INET6) into buf, its port (host
 * order) into *port, and returns buf; another family gives "?" and port 0. */
const char *addrfmt_sockaddr(const struct sockaddr *sa, char *buf, size_t len, uint16_t *port);

#endif
