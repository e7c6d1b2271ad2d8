/* Unit tests: server identity creation and certificate pinning. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "common/tls.h"

static char dir[64];

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vnet-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(tls, .init = mkdir_tmp, .fini = rm_tmp);

Test(tls, identity_created_once_private)
{
	char cert[128], key[128], err[256];
	struct stat st;

	snprintf(cert, sizeof(cert), "%s/sub/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/sub/key.pem", dir);
	cr_assert_eq(tls_ensure_identity(cert, key, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	struct stat st1;
	stat(cert, &st1);
	/* second call keeps the pair */
	cr_assert_eq(tls_ensure_identity(cert, key, err, sizeof(err)), 0);
	struct stat st2;
	stat(cert, &st2);
	cr_assert_eq(st1.st_ino, st2.st_ino);
	SSL_CTX *ctx = tls_server_ctx(cert, key, err, sizeof(err));
	cr_assert_not_null(ctx, "%s", err);
	char fp[TLS_FP_LEN];
	cr_assert_eq(tls_fingerprint(SSL_CTX_get0_certificate(ctx), fp, sizeof(fp)), 0);
	cr_assert_eq(strncmp(fp, "SHA256:", 7), 0);
	cr_assert_eq(strlen(fp), 7 + 64);
	SSL_CTX_free(ctx);
}

Test(tls, server_ctx_bad_files)
{
	char err[256];

	cr_assert_null(tls_server_ctx("/nonexistent/cert.pem", "/nonexistent/key.pem", err,
	    sizeof(err)));
	cr_assert(strstr(err, "/nonexistent/cert.pem"), "%s", err);
}

Test(tls, key_fingerprint_survives_a_renewed_certificate)
{
	char cert[128], key[128], err[256], k1[TLS_FP_LEN], k2[TLS_FP_LEN], c1[TLS_FP_LEN],
	    c2[TLS_FP_LEN];

	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	cr_assert_eq(tls_ensure_identity(cert, key, err, sizeof(err)), 0, "%s", err);
	SSL_CTX *a = tls_server_ctx(cert, key, err, sizeof(err));
	cr_assert_not_null(a, "%s", err);
	/* a new certificate for the same key: rm the certificate only */
	cr_assert_eq(unlink(cert), 0);
	FILE *kf = fopen(key, "r");
	EVP_PKEY *pk = PEM_read_PrivateKey(kf, NULL, NULL, NULL);
	fclose(kf);
	cr_assert_not_null(pk);
	X509 *x = X509_new();
	ASN1_INTEGER_set(X509_get_serialNumber(x), 2);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"renewed", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	cr_assert(X509_sign(x, pk, EVP_sha256()) > 0);
	cr_assert_eq(tls_fingerprint(SSL_CTX_get0_certificate(a), c1, sizeof(c1)), 0);
	cr_assert_eq(tls_fingerprint(x, c2, sizeof(c2)), 0);
	cr_assert_eq(tls_key_fingerprint(SSL_CTX_get0_certificate(a), k1, sizeof(k1)), 0);
	cr_assert_eq(tls_key_fingerprint(x, k2, sizeof(k2)), 0);
	cr_assert_str_neq(c1, c2, "a renewed certificate has another fingerprint");
	cr_assert_str_eq(k1, k2, "the same key, the same key fingerprint");
	cr_assert_str_neq(k1, c1);
	cr_assert_eq(strlen(k1), 7 + 64);
	X509_free(x);
	EVP_PKEY_free(pk);
	SSL_CTX_free(a);
}

static void
ids(struct pin_ids *p, const char *key, const char *cert)
{
	snprintf(p->pi_key, sizeof(p->pi_key), "%s", key);
	snprintf(p->pi_cert, sizeof(p->pi_cert), "%s", cert);
}

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

Test(tls, pin_first_use_then_known_then_changed)
{
	char known[128], msg[512], buf[1024];
	struct pin_ids a, b;

	ids(&a, "SHA256:aaaa", "SHA256:cccc");
	ids(&b, "SHA256:bbbb", "SHA256:dddd");
	snprintf(known, sizeof(known), "%s/sub/known_servers", dir);
	cr_assert_eq(pin_lookup(known, "198.18.44.2", 4455, &a, msg, sizeof(msg)), PIN_UNKNOWN);
	cr_assert_eq(pin_check(known, "198.18.44.2", 4455, &a, msg, sizeof(msg)), PIN_ADDED);
	cr_assert(strstr(msg, "pinned its key SHA256:aaaa"), "%s", msg);
	cr_assert_eq(pin_check(known, "198.18.44.2", 4455, &a, msg, sizeof(msg)), PIN_KNOWN);
	/* another port is another server */
	cr_assert_eq(pin_check(known, "198.18.44.2", 4456, &b, msg, sizeof(msg)), PIN_ADDED);
	cr_assert_eq(pin_check(known, "198.18.44.2", 4455, &b, msg, sizeof(msg)), PIN_CHANGED);
	cr_assert(strstr(msg, "CHANGED") && strstr(msg, "line 1") && strstr(msg, "SHA256:bbbb"),
	    "%s", msg);
	/* what to run when the change is expected */
	cr_assert(strstr(msg, "vnetclient --forget 198.18.44.2:4455 --known-servers "), "%s", msg);
	cr_assert_eq(pin_check(known, "fd00::1", 4455, &a, msg, sizeof(msg)), PIN_ADDED);
	slurp(known, buf, sizeof(buf));
	cr_assert(strstr(buf, "198.18.44.2:4455 key:SHA256:aaaa\n"), "%s", buf);
	cr_assert(strstr(buf, "[fd00::1]:4455 key:SHA256:aaaa\n"), "%s", buf);
	struct stat st;
	cr_assert_eq(stat(known, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(tls, pin_of_a_whole_certificate_still_honoured)
{
	char known[128], msg[512];
	struct pin_ids a, renewed;
	FILE *f;

	/* a line as versions before 1.1 wrote it: the certificate's fingerprint */
	snprintf(known, sizeof(known), "%s/known_servers", dir);
	f = fopen(known, "w");
	fprintf(f, "# comment\n\n198.18.44.2:4455 SHA256:cccc\n");
	fclose(f);
	ids(&a, "SHA256:aaaa", "SHA256:cccc");
	ids(&renewed, "SHA256:aaaa", "SHA256:eeee");
	cr_assert_eq(pin_lookup(known, "198.18.44.2", 4455, &a, msg, sizeof(msg)), PIN_KNOWN);
	/* the old form pins the certificate: a renewed one is a change */
	cr_assert_eq(pin_lookup(known, "198.18.44.2", 4455, &renewed, msg, sizeof(msg)),
	    PIN_CHANGED);
	cr_assert(strstr(msg, "line 3 pins SHA256:cccc"), "%s", msg);
	/* a key pin beside it: either matching line is enough */
	cr_assert_eq(pin_add(known, "198.18.44.2", 4455, "SHA256:aaaa", msg, sizeof(msg)), 0);
	cr_assert_eq(pin_lookup(known, "198.18.44.2", 4455, &renewed, msg, sizeof(msg)), PIN_KNOWN);
}

Test(tls, pin_forget_removes_one_server_only)
{
	char known[128], msg[512], buf[1024];
	struct pin_ids a;

	ids(&a, "SHA256:aaaa", "SHA256:cccc");
	snprintf(known, sizeof(known), "%s/known_servers", dir);
	cr_assert_eq(pin_forget(known, "h", 1, msg, sizeof(msg)), 0, "a missing file");
	cr_assert_eq(pin_check(known, "198.18.44.2", 4455, &a, msg, sizeof(msg)), PIN_ADDED);
	cr_assert_eq(pin_check(known, "198.18.44.3", 4455, &a, msg, sizeof(msg)), PIN_ADDED);
	cr_assert_eq(pin_add(known, "198.18.44.2", 4455, "SHA256:ffff", msg, sizeof(msg)), 0);
	cr_assert_eq(pin_forget(known, "198.18.44.2", 4455, msg, sizeof(msg)), 2, "%s", msg);
	slurp(known, buf, sizeof(buf));
	cr_assert_str_eq(buf, "198.18.44.3:4455 key:SHA256:aaaa\n");
	cr_assert_eq(pin_lookup(known, "198.18.44.2", 4455, &a, msg, sizeof(msg)), PIN_UNKNOWN);
	cr_assert_eq(pin_forget(known, "198.18.44.2", 4455, msg, sizeof(msg)), 0);
	struct stat st;
	cr_assert_eq(stat(known, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.new", known);
	cr_assert_neq(access(tmp, F_OK), 0, "the temporary file stayed");
}

Test(tls, pin_unwritable)
{
	char msg[512];
	struct pin_ids a;

	ids(&a, "SHA256:aa", "SHA256:bb");
	cr_assert_eq(pin_check("/proc/vnet-no/known", "h", 1, &a, msg, sizeof(msg)), PIN_ERROR);
	cr_assert(strstr(msg, "cannot record"), "%s", msg);
}
