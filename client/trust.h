/* trust: whether a TLS server is the one the user means, by its pinned key
 * (common/pin): a known key is trusted, a changed one refused; an unknown
 * one is pinned on first use, after asking on a terminal (as ssh does), or
 * refused when a pin is required. */
#ifndef VNET_TRUST_H
#define VNET_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

enum trust_first {
	TRUST_PIN,	/* pin an unknown server and say so (not a terminal) */
	TRUST_ASK,	/* show its fingerprint and ask before pinning */
	TRUST_REFUSE,	/* --require-pin: an unknown server is refused */
};

/* After the handshake on ssl with host:port: 0 when the server's key is
 * pinned in known (or now pinned, as first decides), -1 with the reason in
 * err (changed, unknown and refused, the file unusable). */
int trust_server(SSL *ssl, const char *known, const char *host, uint16_t port,
    enum trust_first first, char *err, size_t errlen);

#endif
