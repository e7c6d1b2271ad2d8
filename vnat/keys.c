/* keys: the connections' keys. */
#include "vnat/keys.h"

#include "vnat/core.h"
#include "vnat/vkey.h"
#include "vnat/vstate.h"

void
keys_init(struct vnat *v)
{
	vtab_init(&v->v_keys.ks_tab);
}

void
keys_free(struct vnat *v)
{
	vtab_clear(&v->v_keys.ks_tab);
}

bool
keys_keep(struct vnat *v, const struct vnat_tuple *key, const uint8_t *secret, uint8_t family,
    uint8_t proto, const uint8_t *lvir, uint16_t lport, const uint8_t *rvir, uint16_t rport)
{
	struct vtab_ent *e;
	bool created;

	if ((e = vtab_put(&v->v_keys.ks_tab, key, &created)) == NULL || !created)
		return false;
	if (vkey_conn(secret, family, proto, lvir, lport, rvir, rport, e->ve_key.vk_key) != 0) {
		vtab_del(&v->v_keys.ks_tab, e);
		return false;
	}
	state_changed(v);
	return true;
}

struct vtab_ent *
keys_find(struct vnat *v, const struct vnat_tuple *key)
{
	struct vtab_ent *e = vtab_find(&v->v_keys.ks_tab, key);

	if (e)
		state_changed(v);
	return e;
}

void
keys_adopt(struct vnat *v, const struct vstate_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool created;
		struct vtab_ent *e = vtab_put(&v->v_keys.ks_tab, &k[i].sy_conn, &created);
		if (e)
			e->ve_key = k[i].sy_key;
	}
}

size_t
keys_count(const struct vnat *v)
{
	return v->v_keys.ks_tab.vt_n;
}

struct vtab *
keys_table(struct vnat *v)
{
	return &v->v_keys.ks_tab;
}
