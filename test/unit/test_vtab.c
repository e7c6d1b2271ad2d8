/* Unit tests: the table of translations by virtual tuple. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "test/unit/fixture.h"
#include "vnat/vtab.h"

static struct vnat_tuple
tr4(uint16_t lport, uint16_t rport)
{
	return fx_tr4("198.18.1.10", lport, "198.18.1.10", "198.18.2.20", rport, "198.18.2.20");
}

Test(vtab, put_find_del)
{
	struct vtab v;
	struct vnat_tuple a = tr4(40000, 80), b = tr4(40001, 80);
	bool created;

	vtab_init(&v);
	cr_assert_null(vtab_find(&v, &a));
	struct vtab_ent *e = vtab_put(&v, &a, &created);
	cr_assert_not_null(e);
	cr_assert(created);
	cr_assert_eq(vtab_put(&v, &a, &created), e);
	cr_assert_not(created);
	cr_assert_null(vtab_find(&v, &b));
	cr_assert_eq(v.vt_n, 1);
	vtab_del(&v, e);
	cr_assert_null(vtab_find(&v, &a));
	cr_assert_eq(v.vt_n, 0);
	vtab_clear(&v);
}

Test(vtab, every_field_of_the_virtual_tuple_counts_and_nothing_else)
{
	struct vtab v;
	struct vnat_tuple a = tr4(40000, 80), k;
	bool created;

	vtab_init(&v);
	vtab_put(&v, &a, &created);
	k = a;
	k.t_lphy_port = 9;	/* physical ends and the id do not count */
	k.t_id = 77;
	inet_pton(AF_INET, "198.18.3.10", k.t_lphy);
	cr_assert_not_null(vtab_find(&v, &k));
	k = a; k.t_proto = 17;
	cr_assert_null(vtab_find(&v, &k));
	k = a; k.t_family = 6;
	cr_assert_null(vtab_find(&v, &k));
	k = a; k.t_rvir_port = 81;
	cr_assert_null(vtab_find(&v, &k));
	k = a; k.t_lvir[3] ^= 1;
	cr_assert_null(vtab_find(&v, &k));
	k = a; k.t_rvir[0] ^= 1;
	cr_assert_null(vtab_find(&v, &k));
	vtab_clear(&v);
}

Test(vtab, grows_and_keeps_every_entry)
{
	struct vtab v;
	bool created;

	vtab_init(&v);
	for (unsigned i = 0; i < 20000; i++) {
		struct vnat_tuple t = tr4((uint16_t)(1024 + i % 60000), (uint16_t)(i / 60000 + 1));
		t.t_id = i;
		cr_assert_not_null(vtab_put(&v, &t, &created));
		cr_assert(created);
	}
	cr_assert_eq(v.vt_n, 20000);
	cr_assert_geq(v.vt_nb, 20000);
	for (unsigned i = 0; i < 20000; i += 7) {
		struct vnat_tuple t = tr4((uint16_t)(1024 + i % 60000), (uint16_t)(i / 60000 + 1));
		struct vtab_ent *e = vtab_find(&v, &t);
		cr_assert_not_null(e);
		cr_assert_eq(e->ve_tr.t_id, i);
		vtab_del(&v, e);
	}
	cr_assert_eq(v.vt_n, 20000 - 2858);
	size_t n = 0;
	struct vtab_ent *e;
	TAILQ_FOREACH(e, &v.vt_all, ve_all)
		n++;
	cr_assert_eq(n, v.vt_n);
	vtab_clear(&v);
	cr_assert_eq(v.vt_n, 0);
}

Test(vtab, an_entry_is_no_larger_than_with_shared_fields)
{
	/* 160 bytes on x86-64 when one field served two owners (issue 15):
	 * the typed payload must not cost memory at 10,000 connections */
	cr_assert_leq(sizeof(struct vtab_ent), 160, "%zu", sizeof(struct vtab_ent));
	cr_assert_leq(sizeof(((struct vtab_ent *)0)->ve_key), 40);
}
