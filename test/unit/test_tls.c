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

Test(tls, pin_first_use_then_known_then_changed)
{
	char known[128], msg[512];
	const char *fp1 = "SHA256:aaaa", *fp2 = "SHA256:bbbb";

	snprintf(known, sizeof(known), "%s/known_servers", dir);
	cr_assert_eq(tls_pin_check(known, "198.18.44.2", 4455, fp1, msg, sizeof(msg)),
	    TLS_PIN_ADDED);
	cr_assert(strstr(msg, "pinned"), "%s", msg);
	cr_assert_eq(tls_pin_check(known, "198.18.44.2", 4455, fp1, msg, sizeof(msg)),
	    TLS_PIN_KNOWN);
	/* another port is another server */
	cr_assert_eq(tls_pin_check(known, "198.18.44.2", 4456, fp2, msg, sizeof(msg)),
	    TLS_PIN_ADDED);
	cr_assert_eq(tls_pin_check(known, "198.18.44.2", 4455, fp2, msg, sizeof(msg)),
	    TLS_PIN_CHANGED);
	cr_assert(strstr(msg, "CHANGED") && strstr(msg, "line 1") && strstr(msg, fp2), "%s", msg);
	cr_assert_eq(tls_pin_check(known, "fd00::1", 4455, fp1, msg, sizeof(msg)), TLS_PIN_ADDED);
	FILE *f = fopen(known, "r");
	char buf[512] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	cr_assert(strstr(buf, "[fd00::1]:4455 SHA256:aaaa"), "%s", buf);
}

Test(tls, pin_unwritable)
{
	char msg[512];

	cr_assert_eq(tls_pin_check("/proc/vnet-no/known", "h", 1, "SHA256:aa", msg, sizeof(msg)),
	    TLS_PIN_ERROR);
}
