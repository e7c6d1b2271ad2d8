/* Unit tests: a device's table of addresses (keys by role, shared keys,
 * removal, growth past the first buckets). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "handler/devtab.h"
#include "handler/handler.h"

static struct handler hs[200];

/* handler i with the given list and role, as its device member */
static struct dev_member *
member(int i, enum proto_role role, int n, const char **a)
{
	char err[128];

	memset(&hs[i], 0, sizeof(hs[i]));
	hs[i].h_conf.hc_role = role;
	cr_assert_eq(mac_list_parse((char *const *)a, (size_t)n, &hs[i].h_conf.hc_addrs, err,
	    sizeof(err)), 0, "%s", err);
	hs[i].h_devm.dm_h = &hs[i];
	return &hs[i].h_devm;
}

static const uint8_t *
addr(const char *s)
{
	static struct mac_entry e;

	cr_assert_eq(mac_parse(s, &e), 0);
	return e.me_addr;
}

Test(devtab, keys_by_role_shared_and_removed)
{
	struct dtab t = { 0 };
	const char *l1[] = { "02:00:00:00:42:10", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:00/25" };
	const char *l2[] = { "02:00:00:00:42:11", "ff:ff:ff:ff:ff:ff" };
	struct dev_member *a = member(0, PROTO_LOCAL, 3, l1), *b = member(1, PROTO_LOCAL, 2, l2);
	struct dev_member *c = member(2, PROTO_REMOTE, 2, l2);
	const struct dev_key *k;
	struct kfilt_ent *e;
	size_t n;

	cr_assert_eq(dtab_grow(&t), 0);
	cr_assert_eq(dtab_add(&t, a), 0);
	cr_assert_eq(dtab_add(&t, b), 0);
	cr_assert_eq(dtab_add(&t, c), 0);
	/* LOCAL: at the destination, group entries too; REMOTE: unicast at the source */
	k = dtab_find(&t, addr("ff:ff:ff:ff:ff:ff"), 0);
	cr_assert(k != NULL && k->k_n == 2);
	cr_assert_null(dtab_find(&t, addr("ff:ff:ff:ff:ff:ff"), 6));
	k = dtab_find(&t, addr("02:00:00:00:42:11"), 6);
	cr_assert(k != NULL && k->k_n == 1 && k->k_hs[0] == c);
	cr_assert_null(dtab_find(&t, addr("02:00:00:00:42:10"), 6));
	k = dtab_prefixes(&t);
	cr_assert(k != NULL && k->k_next == NULL && k->k_hs[0] == a);
	e = dtab_entries(&t, &n);
	cr_assert_eq(n, 5u);	/* 42:10, 42:11 at 0, ff.. at 0, 42:11 at 6, the prefix */
	free(e);
	dtab_del(&t, a);
	k = dtab_find(&t, addr("ff:ff:ff:ff:ff:ff"), 0);
	cr_assert(k != NULL && k->k_n == 1 && k->k_hs[0] == b);
	cr_assert_null(dtab_find(&t, addr("02:00:00:00:42:10"), 0));
	cr_assert_null(dtab_prefixes(&t));
	dtab_del(&t, b);
	dtab_del(&t, c);
	cr_assert_null(dtab_find(&t, addr("ff:ff:ff:ff:ff:ff"), 0));
	e = dtab_entries(&t, &n);
	cr_assert_eq(n, 0u);
	free(e);
	dtab_free(&t);
}

Test(devtab, grows_and_finds_every_key)
{
	struct dtab t = { 0 };
	char mac[32];
	const char *l[2] = { mac, "ff:ff:ff:ff:ff:ff" };
	int i;

	cr_assert_eq(dtab_grow(&t), 0);
	for (i = 0; i < 200; i++) {
		snprintf(mac, sizeof(mac), "02:00:01:00:00:%02x", i);
		struct dev_member *m = member(i, PROTO_LOCAL, 2, l);
		cr_assert_eq(dtab_add(&t, m), 0);
	}
	cr_assert(t.t_nbuckets >= 201, "%zu buckets", t.t_nbuckets);
	for (i = 0; i < 200; i++) {
		snprintf(mac, sizeof(mac), "02:00:01:00:00:%02x", i);
		const struct dev_key *k = dtab_find(&t, addr(mac), 0);
		cr_assert(k != NULL && k->k_n == 1 && k->k_hs[0]->dm_h == &hs[i], "%s", mac);
	}
	cr_assert_eq(dtab_find(&t, addr("ff:ff:ff:ff:ff:ff"), 0)->k_n, 200u);
	dtab_free(&t);
}
