/* tls: contexts, identity, pinning. */
#include "common/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "common/fd.h"
#include "common/pin.h"

static void
ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "unknown error");
	ERR_clear_error();
}

int
tls_default_dir(char *out, size_t len)
{
	const char *home = getenv("HOME");
	int n;

	if (home == NULL || *home == '\0') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	n = snprintf(out, len, "%s/.vnet", home);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

static X509 *
make_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;
	char host[256] = "vnet", cn[300];
	unsigned char serial[16];
	BIGNUM *bn = NULL;

	if (x == NULL)
		return NULL;
	gethostname(host, sizeof(host) - 1);
	snprintf(cn, sizeof(cn), "vnet %s", host);
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 60L * 60 * 24 * 3650);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_set_pubkey(x, key) != 1 || X509_sign(x, key, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static int
write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	FILE *f;
	int ok;

	if (fd < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
	    : PEM_write_X509(f, cert);
	if (fclose(f) != 0 || !ok)
		return -1;
	return 0;
}

/* mkdir -p of the folder that holds file, new folders 0700 */
int
tls_ensure_identity(const char *certfile, const char *keyfile, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc = -1;

	if (access(certfile, R_OK) == 0 && access(keyfile, R_OK) == 0)
		return 0;
	if (fd_mkdir_parents(certfile) != 0 || fd_mkdir_parents(keyfile) != 0) {
		snprintf(err, errlen, "cannot create the folder of %s: %s", certfile, strerror(errno));
		return -1;
	}
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL) {
		ssl_err(err, errlen, "key generation");
		goto out;
	}
	if ((cert = make_cert(key)) == NULL) {
		ssl_err(err, errlen, "certificate generation");
		goto out;
	}
	if (write_pem(keyfile, 0600, key, NULL) != 0 || write_pem(certfile, 0644, NULL, cert) != 0) {
		snprintf(err, errlen, "cannot write %s or %s: %s", keyfile, certfile, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

SSL_CTX *
tls_server_ctx(const char *certfile, const char *keyfile, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1) {
		ssl_err(err, errlen, certfile);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errlen, keyfile);
		goto fail;
	}
	/* no session tickets: every connection authenticates afresh */
	SSL_CTX_set_num_tickets(ctx, 0);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_client_ctx(const char *cafile, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	if (cafile) {
		if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
			ssl_err(err, errlen, cafile);
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

void
tls_client_prepare(SSL *ssl, const char *host, bool with_ca)
{
	unsigned char addr[16];
	bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;

	if (!is_ip)
		SSL_set_tlsext_host_name(ssl, host);
	if (!with_ca)
		return;
	if (is_ip)
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	else
		SSL_set1_host(ssl, host);
}

static void
fp_text(const unsigned char md[32], char *out)
{
	memcpy(out, "SHA256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

int
tls_fingerprint(X509 *cert, char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (len < TLS_FP_LEN || X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		return -1;
	fp_text(md, out);
	return 0;
}

int
tls_key_fingerprint(X509 *cert, char *out, size_t len)
{
	unsigned char md[32], *der = NULL;
	int n;

	if (len < TLS_FP_LEN || (n = i2d_PUBKEY(X509_get0_pubkey(cert), &der)) <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL) != 1) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	fp_text(md, out);
	return 0;
}

int
tls_cert_ids(X509 *cert, struct pin_ids *ids)
{
	if (tls_fingerprint(cert, ids->pi_cert, sizeof(ids->pi_cert)) != 0 ||
	    tls_key_fingerprint(cert, ids->pi_key, sizeof(ids->pi_key)) != 0)
		return -1;
	return 0;
}

int
tls_peer_ids(SSL *ssl, struct pin_ids *ids)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	int rc = cert ? tls_cert_ids(cert, ids) : -1;

	X509_free(cert);
	return rc;
}

int
tls_check_peer(SSL *ssl, const char *known_file, const char *host, uint16_t port,
    bool with_ca, char *msg, size_t msglen)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	struct pin_ids ids;
	enum pin_result pin;
	int rc;

	msg[0] = '\0';
	if (cert == NULL) {
		snprintf(msg, msglen, "the server sent no certificate");
		return -1;
	}
	if (with_ca) {
		long v = SSL_get_verify_result(ssl);
		X509_free(cert);
		if (v != X509_V_OK) {
			snprintf(msg, msglen, "certificate verification failed: %s",
			    X509_verify_cert_error_string(v));
			return -1;
		}
		return 0;
	}
	rc = tls_cert_ids(cert, &ids);
	X509_free(cert);
	if (rc != 0) {
		snprintf(msg, msglen, "cannot compute the certificate fingerprint");
		return -1;
	}
	pin = pin_check(known_file, host, port, &ids, msg, msglen);
	return pin >= 0 ? 0 : -1;
}
