/* vkey: VNAT's keys against hijacking (doc/PROTOCOL.md, "Keys against
 * hijacking"; the threat is seed 001's, 3.3.1.1 and 3.3.2.1).
 * At SUSPEND each end of an exchange makes an ephemeral X25519 key pair;
 * the shared secret of the exchange gives every connection its own key,
 * HKDF-SHA256 over the connection's virtual tuple as the moving host sees
 * it.  At RESUME each VNAT_UPD entry carries a counter and an HMAC-SHA256
 * tag under its connection's key over the whole message; the peer accepts
 * a counter only above the last one it accepted.  Pure functions over
 * OpenSSL; no I/O. */
#ifndef VNET_VKEY_H
#define VNET_VKEY_H

#include <stddef.h>
#include <stdint.h>

#define VKEY_LEN	32
#define VKEY_TAG_LEN	32

struct vkey_pair {
	void	*kp_pkey;		/* EVP_PKEY of the private key */
	uint8_t	 kp_pub[VKEY_LEN];
};

/* A new ephemeral X25519 pair; 0 or -1. */
int vkey_pair_new(struct vkey_pair *kp);
void vkey_pair_free(struct vkey_pair *kp);
/* The shared secret of kp and the peer's public key; 0, or -1 (a bad key,
 * e.g. all zeros). */
int vkey_shared(const struct vkey_pair *kp, const uint8_t peer_pub[VKEY_LEN],
    uint8_t secret[VKEY_LEN]);
/* The key of one connection: HKDF-SHA256(secret, salt "vnet vnat v1", info
 * = family, protocol, the mover's virtual address and port, the peer's
 * virtual address and port); 0 or -1. */
int vkey_conn(const uint8_t secret[VKEY_LEN], uint8_t family, uint8_t proto,
    const uint8_t *mover_addr, uint16_t mover_port, const uint8_t *peer_addr,
    uint16_t peer_port, uint8_t key[VKEY_LEN]);
/* The SHA-256 of a message's body (the message up to its first tag), which
 * every tag of the message covers; 0 or -1. */
int vkey_digest(const uint8_t *body, size_t len, uint8_t digest[VKEY_LEN]);
/* The tag of entry idx with counter ctr: HMAC-SHA256(key, data || idx (16
 * bits) || ctr (64 bits), network order), data = the body's digest; 0 or -1. */
int vkey_tag(const uint8_t key[VKEY_LEN], const uint8_t *body, size_t len, uint16_t idx,
    uint64_t ctr, uint8_t tag[VKEY_TAG_LEN]);
/* 1 when tag is right, in constant time; 0 otherwise. */
int vkey_check(const uint8_t key[VKEY_LEN], const uint8_t *body, size_t len, uint16_t idx,
    uint64_t ctr, const uint8_t tag[VKEY_TAG_LEN]);

/* What either side keeps of a keyed connection (in v_keys): its key, and
 * the last counter sent (the moving host) or accepted (the peer). */
struct vkey_state {
	uint8_t		vk_key[VKEY_LEN];
	uint64_t	vk_ctr;
};

enum vkey_verdict {
	VKEY_OK,		/* keyed, tag right, counter new */
	VKEY_OK_KEYLESS,	/* no key and never had one, not --vnat-secure */
	VKEY_NO_KEY_SECURE,	/* refused: no key, and --vnat-secure */
	VKEY_KEY_MISSING,	/* refused: the connection has a key, the update none */
	VKEY_BAD_TAG,		/* refused: forged or tampered */
	VKEY_REPLAY,		/* refused: counter not above the last one accepted */
};

/* The peer's decision on one update entry.  key/last: the connection's key
 * and last accepted counter (key NULL when it has none); ctr 0 = the entry
 * carries no tag.  On VKEY_OK *last is advanced to ctr.  Pure but for that. */
enum vkey_verdict vkey_judge(const uint8_t *key, uint64_t *last, int secure,
    const uint8_t *body, size_t len, uint16_t idx, uint64_t ctr, const uint8_t *tag);
/* A word for the log. */
const char *vkey_verdict_str(enum vkey_verdict v);

#endif
