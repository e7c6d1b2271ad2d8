/* trust: the client's pin check, with the question on first contact. */
#include "client/trust.h"

#include <stdio.h>

#include "client/prompt.h"
#include "common/pin.h"
#include "common/tls.h"

/* what the user sees before answering: the server, both fingerprints,
 * where the pin would go */
static bool
ask(const char *name, const struct pin_ids *ids, const char *known)
{
	fprintf(stderr, "The vnet server %s is not in %s.\n"
	    "Its key fingerprint is %s\n(certificate %s);\n"
	    "compare it with `vnet --fingerprint` on that server.\n", name, known, ids->pi_key,
	    ids->pi_cert);
	return prompt_yes_no("Pin this key and connect");
}

int
trust_server(SSL *ssl, const char *known, const char *host, uint16_t port,
    enum trust_first first, char *err, size_t errlen)
{
	struct pin_ids ids;
	char name[300];

	if (tls_peer_ids(ssl, &ids) != 0) {
		snprintf(err, errlen, "the server sent no certificate");
		return -1;
	}
	switch (pin_lookup(known, host, port, &ids, err, errlen)) {
	case PIN_KNOWN:
		return 0;
	case PIN_UNKNOWN:
		break;
	default:
		return -1;		/* changed, or the file unusable: err says */
	}
	pin_server_name(name, sizeof(name), host, port);
	if (first == TRUST_REFUSE) {
		snprintf(err, errlen, "%s is not in %s (--require-pin): its key is %s", name, known,
		    ids.pi_key);
		return -1;
	}
	if (first == TRUST_ASK && !ask(name, &ids, known)) {
		snprintf(err, errlen, "%s not pinned: nothing sent", name);
		return -1;
	}
	if (pin_add(known, host, port, ids.pi_key, err, errlen) != 0)
		return -1;
	fprintf(stderr, "vnetclient: first contact with %s: pinned its key %s in %s\n", name,
	    ids.pi_key, known);
	return 0;
}
