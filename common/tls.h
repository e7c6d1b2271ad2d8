/* tls: OpenSSL contexts, the self-signed server identity, fingerprints,
 * and the check of a server after the handshake: against a CA, or its key
 * pinned on first use in known_servers (common/pin). */
#ifndef VNET_TLS_H
#define VNET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "common/pin.h"

#define TLS_FP_LEN	PIN_FP_LEN	/* "SHA256:" + hex + NUL */

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
/* Writes "SHA256:<hex>" of the certificate's DER encoding; 0 or -1. */
int tls_fingerprint(X509 *cert, char *out, size_t len);
/* Writes "SHA256:<hex>" of the certificate's public key (its DER
 * SubjectPublicKeyInfo): what a renewed certificate keeps; 0 or -1. */
int tls_key_fingerprint(X509 *cert, char *out, size_t len);
/* The fingerprints of a certificate's key and of the certificate; 0 or -1. */
int tls_cert_ids(X509 *cert, struct pin_ids *ids);
/* After a handshake: the fingerprints of the server's key and certificate;
 * 0, or -1 when it sent none. */
int tls_peer_ids(SSL *ssl, struct pin_ids *ids);
/* After a handshake: verifies (CA) or pins (known_servers, pin_check) the
 * server's key.  Returns 0 when trusted, -1 with the reason in msg. */
int tls_check_peer(SSL *ssl, const char *known_file, const char *host, uint16_t port,
    bool with_ca, char *msg, size_t msglen);
/* The default folder for vnet's keys and known servers: $HOME/.vnet. */
int tls_default_dir(char *out, size_t len);

#endif
