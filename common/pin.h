/* pin: the known_servers file, trust on first use of a server's identity
 * (doc/PROTOCOL.md, "TLS").  One line a server: "host:port key:SHA256:<hex>"
 * pins its public key (SHA-256 of the DER SubjectPublicKeyInfo), so that a
 * renewed certificate with the same key is still that server; a line
 * "host:port SHA256:<hex>" (what versions before 1.1 wrote) pins one whole
 * certificate and is still honoured.  IPv6 hosts are written "[addr]:port".
 * Lines starting with # and blank lines are skipped. */
#ifndef VNET_PIN_H
#define VNET_PIN_H

#include <stddef.h>
#include <stdint.h>

#define PIN_FP_LEN	(7 + 64 + 1)	/* "SHA256:" + hex + NUL */

/* what a server shows: the fingerprints of its key and of its certificate */
struct pin_ids {
	char	pi_key[PIN_FP_LEN];
	char	pi_cert[PIN_FP_LEN];
};

enum pin_result {
	PIN_KNOWN = 0,		/* a line of this server matches */
	PIN_ADDED = 1,		/* no line: pinned now (pin_check) */
	PIN_UNKNOWN = 2,	/* no line (pin_lookup) */
	PIN_CHANGED = -1,	/* lines of this server, none matching */
	PIN_ERROR = -2,		/* the file cannot be read or written */
};

/* "host:port", or "[host]:port" for an IPv6 address, into out. */
void pin_server_name(char *out, size_t len, const char *host, uint16_t port);
/* Looks the server up: PIN_KNOWN, PIN_UNKNOWN, PIN_CHANGED (msg says which
 * line pins what and what the server shows) or PIN_ERROR (msg set). */
enum pin_result pin_lookup(const char *file, const char *host, uint16_t port,
    const struct pin_ids *ids, char *msg, size_t msglen);
/* Appends a key pin for the server (the file and its folder made 0600 and
 * 0700 when missing); 0, or -1 with msg set. */
int pin_add(const char *file, const char *host, uint16_t port, const char *keyfp,
    char *msg, size_t msglen);
/* Removes every line of the server, keeping the others and their order (a
 * new file renamed over the old one); the number of lines removed, or -1
 * with msg set.  A missing file has nothing to remove: 0. */
int pin_forget(const char *file, const char *host, uint16_t port, char *msg, size_t msglen);
/* Trust on first use: pin_lookup, and pin_add when the server is unknown
 * (PIN_ADDED, msg saying what was pinned where). */
enum pin_result pin_check(const char *file, const char *host, uint16_t port,
    const struct pin_ids *ids, char *msg, size_t msglen);

#endif
