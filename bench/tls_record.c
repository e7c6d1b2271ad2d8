/* tls_record: what one small TLS 1.3 record costs OpenSSL, back to back and
 * after an idle gap (a ping every 10 ms lets the CPU caches go cold between
 * frames).  The contexts are vnet's own (common/tls.c); the connection is a
 * BIO pair in memory, so no system call is timed.  Beside it, the AES-256-GCM
 * seal of the same bytes through EVP alone: what a VPN data channel such as
 * OpenVPN's does per packet.  Medians of N rounds; prints a markdown table.
 *
 *   tls_record [IDLE_MS [N]]   (defaults 10 and 300) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "common/tls.h"

#define REC	102	/* a 98-byte ping frame and vnet's 4-byte frame header */
#define MAXN	10000

static double
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

struct pair {
	SSL	*p_cli, *p_srv;
};

static int
pair_open(SSL_CTX *sctx, SSL_CTX *cctx, const char *suite, struct pair *p)
{
	BIO *b1, *b2;

	if (SSL_CTX_set_ciphersuites(sctx, suite) != 1)
		return -1;
	p->p_srv = SSL_new(sctx);
	p->p_cli = SSL_new(cctx);
	if (p->p_srv == NULL || p->p_cli == NULL || BIO_new_bio_pair(&b1, 1 << 20, &b2, 1 << 20) != 1)
		return -1;
	SSL_set_bio(p->p_srv, b1, b1);
	SSL_set_bio(p->p_cli, b2, b2);
	SSL_set_accept_state(p->p_srv);
	SSL_set_connect_state(p->p_cli);
	for (int i = 0; i < 50; i++) {
		int c = SSL_do_handshake(p->p_cli), s = SSL_do_handshake(p->p_srv);
		if (c == 1 && s == 1)
			return 0;
	}
	return -1;
}

static void
pair_close(struct pair *p)
{
	SSL_free(p->p_cli);
	SSL_free(p->p_srv);
}

/* one record each way: its write on one side, its read on the other */
static int
round_trip(struct pair *p, double *w, double *r)
{
	static unsigned char out[REC], in[2048];
	double t0, t1, t2;

	t0 = now_us();
	if (SSL_write(p->p_cli, out, REC) != REC)
		return -1;
	t1 = now_us();
	if (SSL_read(p->p_srv, in, sizeof(in)) != REC)
		return -1;
	t2 = now_us();
	*w = t1 - t0;
	*r = t2 - t1;
	return 0;
}

static double
evp_seal(EVP_CIPHER_CTX *x, const unsigned char iv[12])
{
	static unsigned char in[REC], out[REC + 16], tag[16], aad[5];
	int l;
	double t0 = now_us();

	EVP_EncryptInit_ex(x, NULL, NULL, NULL, iv);
	EVP_EncryptUpdate(x, NULL, &l, aad, sizeof(aad));
	EVP_EncryptUpdate(x, out, &l, in, REC);
	EVP_EncryptFinal_ex(x, out + l, &l);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag);
	return now_us() - t0;
}

static void
row(const char *what, double hot, double cold)
{
	printf("| %s | %.2f | %.2f | %.1fx |\n", what, hot, cold, cold / hot);
}

int
main(int argc, char **argv)
{
	static const char *const suites[] = { "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
	    "TLS_CHACHA20_POLY1305_SHA256" };
	static double w[2][MAXN], r[2][MAXN], e[2][MAXN];
	int idle_ms = argc > 1 ? atoi(argv[1]) : 10, n = argc > 2 ? atoi(argv[2]) : 300;
	char dir[] = "/tmp/tls_record.XXXXXX", cert[64], key[64], err[256];
	unsigned char k[32] = { 1 }, iv[12] = { 2 };
	SSL_CTX *sctx, *cctx;
	EVP_CIPHER_CTX *x;

	if (idle_ms < 0 || n < 3 || n > MAXN) {
		fprintf(stderr, "usage: tls_record [IDLE_MS [N (3-%d)]]\n", MAXN);
		return 2;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	if (tls_ensure_identity(cert, key, err, sizeof(err)) != 0 ||
	    (sctx = tls_server_ctx(cert, key, err, sizeof(err))) == NULL ||
	    (cctx = tls_client_ctx(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tls_record: %s\n", err);
		return 1;
	}
	unlink(cert);
	unlink(key);
	rmdir(dir);
	printf("| %d-byte record, median of %d | back to back, us | after %d ms idle, us | ratio |\n",
	    REC, n, idle_ms);
	printf("|---|---:|---:|---:|\n");
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		struct pair p;
		if (pair_open(sctx, cctx, suites[s], &p) != 0) {
			fprintf(stderr, "tls_record: handshake with %s failed\n", suites[s]);
			return 1;
		}
		for (int cold = 0; cold < 2; cold++)
			for (int i = 0; i < n; i++) {
				if (cold)
					usleep((useconds_t)idle_ms * 1000);
				if (round_trip(&p, &w[cold][i], &r[cold][i]) != 0) {
					fprintf(stderr, "tls_record: record lost\n");
					return 1;
				}
			}
		char what[96];
		snprintf(what, sizeof(what), "SSL_write, %s", suites[s]);
		row(what, median(w[0], n), median(w[1], n));
		snprintf(what, sizeof(what), "SSL_read, %s", suites[s]);
		row(what, median(r[0], n), median(r[1], n));
		pair_close(&p);
	}
	if ((x = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, k, iv) != 1)
		return 1;
	for (int cold = 0; cold < 2; cold++)
		for (int i = 0; i < n; i++) {
			if (cold)
				usleep((useconds_t)idle_ms * 1000);
			e[cold][i] = evp_seal(x, iv);
		}
	row("EVP AES-256-GCM seal alone (a VPN data channel's per-packet call)", median(e[0], n),
	    median(e[1], n));
	EVP_CIPHER_CTX_free(x);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	return 0;
}
