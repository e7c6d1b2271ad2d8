/* addrfmt: addresses as text. */
#include "common/addrfmt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char *
unknown(char *buf, size_t len)
{
	if (len > 0)
		snprintf(buf, len, "?");
	return buf;
}

const char *
addrfmt_addr(int af, const void *addr, char *buf, size_t len)
{
	/* inet_ntop never needs more than ADDRFMT_ADDRLEN */
	socklen_t sl = len < ADDRFMT_ADDRLEN ? (socklen_t)len : ADDRFMT_ADDRLEN;

	if ((af != AF_INET && af != AF_INET6) || inet_ntop(af, addr, buf, sl) == NULL)
		return unknown(buf, len);
	return buf;
}

const char *
addrfmt_endpoint(int af, const void *addr, uint16_t port, char *buf, size_t len)
{
	char a[ADDRFMT_ADDRLEN];
	int n;

	if (addrfmt_addr(af, addr, a, sizeof(a))[0] == '?')
		return unknown(buf, len);
	n = snprintf(buf, len, af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	if (n < 0 || (size_t)n >= len)
		return unknown(buf, len);
	return buf;
}

const char *
addrfmt_sockaddr(const struct sockaddr *sa, char *buf, size_t len, uint16_t *port)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	*port = 0;
	/* copied, never cast: sa may be a struct sockaddr that is only as
	 * long as its family needs */
	if (sa->sa_family == AF_INET) {
		memcpy(&s4, sa, sizeof(s4));
		*port = ntohs(s4.sin_port);
		return addrfmt_addr(AF_INET, &s4.sin_addr, buf, len);
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&s6, sa, sizeof(s6));
		*port = ntohs(s6.sin6_port);
		return addrfmt_addr(AF_INET6, &s6.sin6_addr, buf, len);
	}
	return unknown(buf, len);
}
