/* tls: OpenSSL contexts, the self-signed server identity and the
 * trust-on-first-use pinning of server certificates (known_servers). */
#ifndef VNET_TLS_H
#define VNET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define TLS_FP_LEN	(7 + 64 + 1)	/* "SHA256:" + hex + NUL */

enum tls_pin { TLS_PIN_KNOWN = 0, TLS_PIN_ADDED = 1, TLS_PIN_CHANGED = -1, TLS_PIN_ERROR = -2 };

/* Creates a self-signed EC P-256 certificate and key (0600) unless both files
 * exist; returns 0, or -1 with the reason in err. */
int tls_ensure_identity(const char *certfile, const char *keyfile, char *err, size_t errlen);
/* A TLS 1.3 server context with the given identity; NULL with err set. */
SSL_CTX *tls_server_ctx(const char *certfile, const char *keyfile, char *err, size_t errlen);
/* A TLS 1.3 client context; with cafile the chain is verified during the
 * handshake, without it the caller pins with tls_check_peer. */
SSL_CTX *tls_client_ctx(const char *cafile, char *err, size_t errlen);
/* Prepares ssl for host (SNI, and name/IP verification when a CA is used). */
void tls_client_prepare(SSL *ssl, const char *host, bool with_ca);
/* Writes "SHA256:<hex>" of the certificate's DER encoding. */
int tls_fingerprint(X509 *cert, char *out, size_t len);
/* Looks host:port up in the known-servers file and records fp when absent. */
enum tls_pin tls_pin_check(const char *known_file, const char *host, uint16_t port,
    const char *fp, char *msg, size_t msglen);
/* After a handshake: verifies (CA) or pins (known_servers) the server's
 * certificate.  Returns 0 when trusted, -1 with the reason in msg. */
int tls_check_peer(SSL *ssl, const char *known_file, const char *host, uint16_t port,
    bool with_ca, char *msg, size_t msglen);
/* The default folder for vnet's keys and known servers: $HOME/.vnet. */
int tls_default_dir(char *out, size_t len);

#endif
