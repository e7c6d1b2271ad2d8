/* registry: instance, overlap checks and origin numbers of handlers. */
#include "server/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"

#define REG_ORIGINS_MAX	0xffff	/* origins fill the low half of the mark */

struct reg_origin {
	char		 ro_key[REG_PEER_ID_MAX + PROTO_DEV_MAX + 2];	/* "peer/device" */
	unsigned	 ro_refs;					/* 0: free */
};

struct reg {
	char			 r_instance[PROTO_INSTANCE_LEN + 1];
	struct reg_origin	*r_origins;	/* index + 1 is the origin number */
	size_t			 r_n, r_cap;
};

int
reg_random_id(char out[PROTO_INSTANCE_LEN + 1])
{
	unsigned char raw[PROTO_INSTANCE_LEN / 2];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int
reg_init(struct server *s)
{
	struct reg *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if (reg_random_id(r->r_instance) != 0) {
		free(r);
		return -1;
	}
	s->s_reg = r;
	return 0;
}

void
reg_free(struct server *s)
{
	if (s->s_reg == NULL)
		return;
	free(s->s_reg->r_origins);
	free(s->s_reg);
	s->s_reg = NULL;
}

const char *
reg_instance(const struct server *s)
{
	return s->s_reg->r_instance;
}

void
reg_peer_id(char *id, const char *instance, const char *addr)
{
	if (instance && instance[0])
		snprintf(id, REG_PEER_ID_MAX + 1, "i:%s", instance);
	else
		snprintf(id, REG_PEER_ID_MAX + 1, "a:%s", addr);
}

int
reg_check(const struct server *s, const char *dev, const char *peer_id,
    const struct mac_list *addrs, const struct handler *self, char *err, size_t errlen)
{
	const struct handler *h;
	const struct mac_entry *e;
	char m[MAC_STRLEN];

	if (strncmp(peer_id, "i:", 2) == 0 && strcmp(peer_id + 2, s->s_reg->r_instance) == 0) {
		snprintf(err, errlen, "the second server is this server itself (instance %.8s): a "
		    "handler to itself would send every frame round in a loop", s->s_reg->r_instance);
		return -1;
	}
	TAILQ_FOREACH(h, &s->s_handlers, h_entry) {
		const struct handler_conf *hc = handler_conf_of(h);
		if (h == self || strcmp(hc->hc_dev, dev) != 0 || strcmp(hc->hc_peer_id, peer_id) != 0)
			continue;
		if ((e = mac_lists_overlap(addrs, &hc->hc_addrs)) != NULL) {
			mac_format(e, m, sizeof(m));
			snprintf(err, errlen, "handler %u already carries %s on %s with %s "
			    "(CLOSE %u first, or list other addresses)", hc->hc_id, m, dev,
			    hc->hc_peer, hc->hc_id);
			return -1;
		}
	}
	return 0;
}

/* the origin number of key, taken once more; 0 when none is left */
static uint16_t
origin_get(struct reg *r, const char *key)
{
	size_t i, free_at = r->r_n;

	for (i = 0; i < r->r_n; i++) {
		if (r->r_origins[i].ro_refs && strcmp(r->r_origins[i].ro_key, key) == 0) {
			r->r_origins[i].ro_refs++;
			return (uint16_t)(i + 1);
		}
		if (r->r_origins[i].ro_refs == 0 && free_at == r->r_n)
			free_at = i;
	}
	if (free_at == r->r_n) {
		if (r->r_n == REG_ORIGINS_MAX)
			return 0;
		if (r->r_n == r->r_cap) {
			size_t cap = r->r_cap ? r->r_cap * 2 : 16;
			struct reg_origin *o = realloc(r->r_origins, cap * sizeof(*o));
			if (o == NULL)
				return 0;
			r->r_origins = o;
			r->r_cap = cap;
		}
		r->r_n++;
	}
	snprintf(r->r_origins[free_at].ro_key, sizeof(r->r_origins[free_at].ro_key), "%s", key);
	r->r_origins[free_at].ro_refs = 1;
	return (uint16_t)(free_at + 1);
}

int
reg_acquire(struct server *s, struct handler_conf *hc, const char *peer_id, char *err,
    size_t errlen)
{
	char key[REG_PEER_ID_MAX + PROTO_DEV_MAX + 2];

	if (reg_check(s, hc->hc_dev, peer_id, &hc->hc_addrs, NULL, err, errlen) != 0)
		return -1;
	snprintf(hc->hc_peer_id, sizeof(hc->hc_peer_id), "%s", peer_id);
	snprintf(key, sizeof(key), "%s/%s", peer_id, hc->hc_rdev);
	if ((hc->hc_origin = origin_get(s->s_reg, key)) == 0) {
		snprintf(err, errlen, "too many peer servers and devices at once (at most %d)",
		    REG_ORIGINS_MAX);
		return -1;
	}
	hc->hc_storm_pps = s->s_opts.so_storm_pps;
	return 0;
}

static void
origin_put(struct server *s, uint16_t o, uint32_t id)
{
	struct reg *r = s->s_reg;

	if (o == 0 || o > r->r_n || r->r_origins[o - 1].ro_refs == 0) {
		log_warnx("registry: handler %u releases origin %u that is not taken", id, o);
		return;
	}
	r->r_origins[o - 1].ro_refs--;
}

void
reg_release(struct server *s, const struct handler_conf *hc)
{
	origin_put(s, hc->hc_origin, hc->hc_id);
}

int
reg_rebind(struct server *s, struct handler *h, const char *peer_id, const char *peer,
    char *err, size_t errlen)
{
	const struct handler_conf *hc = handler_conf_of(h);
	char key[REG_PEER_ID_MAX + PROTO_DEV_MAX + 2];
	uint16_t old = hc->hc_origin, o;

	if (strcmp(hc->hc_peer_id, peer_id) == 0)
		return 0;
	if (reg_check(s, hc->hc_dev, peer_id, &hc->hc_addrs, h, err, errlen) != 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%s", peer_id, hc->hc_rdev);
	if ((o = origin_get(s->s_reg, key)) == 0) {
		snprintf(err, errlen, "too many peer servers and devices at once (at most %d)",
		    REG_ORIGINS_MAX);
		return -1;
	}
	if (handler_set_origin(h, o, peer_id, peer, err, errlen) != 0) {
		origin_put(s, o, hc->hc_id);
		return -1;
	}
	origin_put(s, old, hc->hc_id);
	log_info("handler %u: the peer is now %s (it restarted)", hc->hc_id, peer);
	return 0;
}
