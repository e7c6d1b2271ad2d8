/* ident: the identity's fingerprints, from its certificate file; no
 * password, device or privilege needed. */
#include "server/ident.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "common/tls.h"

int
ident_show(const struct srv_opts *o, FILE *out)
{
	char err[512];
	struct pin_ids ids;
	bool had = access(o->so_cert, F_OK) == 0 && access(o->so_key, F_OK) == 0;
	X509 *x = NULL;
	FILE *f;
	int rc = -1;

	if (tls_ensure_identity(o->so_cert, o->so_key, err, sizeof(err)) != 0) {
		fprintf(stderr, "vnet: TLS identity: %s\n", err);
		return -1;
	}
	if (!had)
		fprintf(stderr, "vnet: no identity yet: made %s and %s\n", o->so_cert, o->so_key);
	if ((f = fopen(o->so_cert, "re")) == NULL) {
		fprintf(stderr, "vnet: %s: %s\n", o->so_cert, strerror(errno));
		return -1;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL || tls_cert_ids(x, &ids) != 0)
		fprintf(stderr, "vnet: %s: not a PEM certificate\n", o->so_cert);
	else {
		fprintf(out, "key %s\ncertificate %s\n", ids.pi_key, ids.pi_cert);
		rc = 0;
	}
	X509_free(x);
	return rc;
}
