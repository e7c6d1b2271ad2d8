/* vkey: X25519, HKDF and HMAC for VNAT updates. */
#include "vnat/vkey.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "vnat/tuple.h"

int
vkey_pair_new(struct vkey_pair *kp)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	size_t len = VKEY_LEN;

	memset(kp, 0, sizeof(*kp));
	if (pk == NULL)
		return -1;
	if (EVP_PKEY_get_raw_public_key(pk, kp->kp_pub, &len) != 1 || len != VKEY_LEN) {
		EVP_PKEY_free(pk);
		return -1;
	}
	kp->kp_pkey = pk;
	return 0;
}

void
vkey_pair_free(struct vkey_pair *kp)
{
	EVP_PKEY_free(kp->kp_pkey);
	memset(kp, 0, sizeof(*kp));
}

int
vkey_shared(const struct vkey_pair *kp, const uint8_t peer_pub[VKEY_LEN],
    uint8_t secret[VKEY_LEN])
{
	EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub, VKEY_LEN);
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = VKEY_LEN;
	int rc = -1;

	if (peer == NULL || kp->kp_pkey == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new(kp->kp_pkey, NULL);
	/* a low-order peer key gives an all-zero secret: OpenSSL refuses it */
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &len) == 1 && len == VKEY_LEN)
		rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}

int
vkey_conn(const uint8_t secret[VKEY_LEN], uint8_t family, uint8_t proto,
    const uint8_t *mover_addr, uint16_t mover_port, const uint8_t *peer_addr,
    uint16_t peer_port, uint8_t key[VKEY_LEN])
{
	static char salt[] = "vnet vnat v1", digest[] = "SHA256";
	uint8_t info[2 + 2 * (16 + 2)];
	size_t al = tuple_alen(family), n = 0;
	static EVP_KDF *kdf;	/* fetched once */
	EVP_KDF_CTX *ctx;
	OSSL_PARAM p[5];
	int rc = -1;

	if (kdf == NULL)
		kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	info[n++] = family;
	info[n++] = proto;
	memcpy(info + n, mover_addr, al);
	n += al;
	info[n++] = (uint8_t)(mover_port >> 8);
	info[n++] = (uint8_t)mover_port;
	memcpy(info + n, peer_addr, al);
	n += al;
	info[n++] = (uint8_t)(peer_port >> 8);
	info[n++] = (uint8_t)peer_port;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, VKEY_LEN);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof(salt) - 1);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	p[4] = OSSL_PARAM_construct_end();
	if (ctx && EVP_KDF_derive(ctx, key, VKEY_LEN, p) == 1)
		rc = 0;
	EVP_KDF_CTX_free(ctx);
	return rc;
}

int
vkey_tag(const uint8_t key[VKEY_LEN], const uint8_t *body, size_t len, uint16_t idx,
    uint64_t ctr, uint8_t tag[VKEY_TAG_LEN])
{
	/* fetched once: 10,000 tags per RESUME must not mean 10,000 lookups */
	static EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	static char digest[] = "SHA256";
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	    OSSL_PARAM_construct_end() };
	uint8_t tail[10];
	size_t out = 0;
	int rc = -1;

	if (mac == NULL)
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	tail[0] = (uint8_t)(idx >> 8);
	tail[1] = (uint8_t)idx;
	for (int i = 0; i < 8; i++)
		tail[2 + i] = (uint8_t)(ctr >> (56 - 8 * i));
	if (ctx && EVP_MAC_init(ctx, key, VKEY_LEN, p) == 1 && EVP_MAC_update(ctx, body, len) == 1 &&
	    EVP_MAC_update(ctx, tail, sizeof(tail)) == 1 &&
	    EVP_MAC_final(ctx, tag, &out, VKEY_TAG_LEN) == 1 && out == VKEY_TAG_LEN)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
vkey_digest(const uint8_t *body, size_t len, uint8_t digest[VKEY_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(body, len, digest, &n, EVP_sha256(), NULL) == 1 && n == VKEY_LEN ? 0 : -1;
}

enum vkey_verdict
vkey_judge(const uint8_t *key, uint64_t *last, int secure, const uint8_t *body, size_t len,
    uint16_t idx, uint64_t ctr, const uint8_t *tag)
{
	if (key == NULL)
		return secure ? VKEY_NO_KEY_SECURE : VKEY_OK_KEYLESS;
	if (ctr == 0 || tag == NULL)
		return VKEY_KEY_MISSING;
	/* the tag first: an attacker must not learn or move the counter */
	if (!vkey_check(key, body, len, idx, ctr, tag))
		return VKEY_BAD_TAG;
	if (ctr <= *last)
		return VKEY_REPLAY;
	*last = ctr;
	return VKEY_OK;
}

const char *
vkey_verdict_str(enum vkey_verdict v)
{
	switch (v) {
	case VKEY_OK: return "authenticated";
	case VKEY_OK_KEYLESS: return "accepted without a key (the connection never had one)";
	case VKEY_NO_KEY_SECURE: return "refused: no key and --vnat-secure";
	case VKEY_KEY_MISSING: return "refused: the connection has a key, the update no tag";
	case VKEY_BAD_TAG: return "refused: wrong tag (forged or tampered)";
	case VKEY_REPLAY: return "refused: counter not above the last one (replayed)";
	}
	return "?";
}

int
vkey_check(const uint8_t key[VKEY_LEN], const uint8_t *body, size_t len, uint16_t idx,
    uint64_t ctr, const uint8_t tag[VKEY_TAG_LEN])
{
	uint8_t want[VKEY_TAG_LEN];
	int ok = vkey_tag(key, body, len, idx, ctr, want) == 0 &&
	    CRYPTO_memcmp(want, tag, VKEY_TAG_LEN) == 0;

	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}
