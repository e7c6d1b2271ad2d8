/* Unit tests: MAC addresses, prefixes and handler address lists. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/mac.h"

Test(mac, parses_and_formats_canonical)
{
	struct mac_entry e;
	char buf[MAC_STRLEN];

	cr_assert_eq(mac_parse("00:01:02:03:04:05", &e), VNET_OK);
	cr_assert_eq(e.me_plen, 48);
	mac_format(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "00:01:02:03:04:05");
	cr_assert_eq(mac_parse("0:1:2:A:b:FF", &e), VNET_OK);
	mac_format(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "00:01:02:0a:0b:ff");
	cr_assert_eq(mac_parse("02-00-00-00-00-01", &e), VNET_OK);
}

Test(mac, refuses_malformed)
{
	struct mac_entry e;
	const char *bad[] = { "", "00:01:02:03:04", "00:01:02:03:04:05:06", "000:01:02:03:04:05",
	    "zz:01:02:03:04:05", "00:01:02:03:04:05 ", "00:01:02:03:04:05/", "00:01:02:03:04:05/x",
	    "00:01:02:03:04:05/16x", "00;01:02:03:04:05" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_neq(mac_parse(bad[i], &e), VNET_OK, "accepted '%s'", bad[i]);
}

Test(mac, prefixes)
{
	struct mac_entry e;
	char buf[MAC_STRLEN];
	uint8_t in[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
	uint8_t out[6] = { 0x33, 0x34, 0, 0, 0, 1 };

	cr_assert_eq(mac_parse("33:33:00:00:00:00/16", &e), VNET_OK);
	cr_assert_eq(e.me_plen, 16);
	mac_format(&e, buf, sizeof(buf));
	cr_assert_str_eq(buf, "33:33:00:00:00:00/16");
	cr_assert(mac_match(&e, in));
	cr_assert_not(mac_match(&e, out));
	cr_assert(mac_is_group(&e));
	/* host bits must be zero; lengths 1..48 */
	cr_assert_eq(mac_parse("33:33:00:00:00:01/16", &e), VNET_ERR_VALUE);
	cr_assert_eq(mac_parse("33:33:00:00:00:00/0", &e), VNET_ERR_VALUE);
	cr_assert_eq(mac_parse("33:33:00:00:00:00/49", &e), VNET_ERR_VALUE);
	cr_assert_eq(mac_parse("01:00:5e:00:00:00/25", &e), VNET_OK);
	uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa }, mc2[6] = { 0x01, 0x00, 0x5e, 0x80, 0, 0 };
	cr_assert(mac_match(&e, mc));
	cr_assert_not(mac_match(&e, mc2));
}

Test(mac, list_first_must_be_unicast)
{
	struct mac_list l;
	char err[256];
	const char *ok[] = { "00:01:02:03:04:05", "ff:ff:ff:ff:ff:ff", "33:33:00:00:00:00/16" };
	const char *bcast[] = { "ff:ff:ff:ff:ff:ff", "00:01:02:03:04:05" };
	const char *mcast[] = { "01:00:5e:00:00:01" };
	const char *prefix[] = { "00:01:02:00:00:00/24" };
	const char *junk[] = { "00:01:02:03:04:05", "nonsense" };

	cr_assert_eq(mac_list_parse((char *const *)ok, 3, &l, err, sizeof(err)), VNET_OK);
	cr_assert_eq(l.ml_n, 3);
	cr_assert_eq(mac_list_parse((char *const *)bcast, 2, &l, err, sizeof(err)), VNET_ERR_VALUE);
	cr_assert(strstr(err, "broadcast") && strstr(err, "ARP storm"), "%s", err);
	cr_assert_eq(mac_list_parse((char *const *)mcast, 1, &l, err, sizeof(err)), VNET_ERR_VALUE);
	cr_assert(strstr(err, "multicast"), "%s", err);
	cr_assert_eq(mac_list_parse((char *const *)prefix, 1, &l, err, sizeof(err)), VNET_ERR_VALUE);
	cr_assert(strstr(err, "prefix"), "%s", err);
	cr_assert_eq(mac_list_parse((char *const *)junk, 2, &l, err, sizeof(err)), VNET_ERR_SYNTAX);
	cr_assert(strstr(err, "nonsense"), "%s", err);
	cr_assert_eq(mac_list_parse((char *const *)ok, 0, &l, err, sizeof(err)), VNET_ERR_SHORT);
}

Test(mac, list_size_limit_and_format)
{
	char *many[MAC_LIST_MAX + 1];
	char bufs[MAC_LIST_MAX + 1][20];
	struct mac_list l;
	char err[256], out[MAC_LIST_MAX * MAC_STRLEN];

	for (int i = 0; i <= MAC_LIST_MAX; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "02:00:00:00:00:%02x", i);
		many[i] = bufs[i];
	}
	cr_assert_eq(mac_list_parse(many, MAC_LIST_MAX + 1, &l, err, sizeof(err)), VNET_ERR_SIZE);
	cr_assert_eq(mac_list_parse(many, 2, &l, err, sizeof(err)), VNET_OK);
	cr_assert_eq(mac_list_format(&l, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "02:00:00:00:00:00 02:00:00:00:00:01");
	cr_assert_eq(mac_list_format(&l, out, 10), -1);
}

Test(mac, zero_address_refused_in_lists)
{
	struct mac_list l;
	char err[256];
	const char *first[] = { "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff" };
	const char *later[] = { "02:00:00:00:00:01", "0:0:0:0:0:0" };
	const char *prefix[] = { "02:00:00:00:00:01", "00:00:00:00:00:00/8" };

	cr_assert_eq(mac_list_parse((char *const *)first, 2, &l, err, sizeof(err)), VNET_ERR_VALUE);
	cr_assert(strstr(err, "all-zero") != NULL, "%s", err);
	cr_assert_eq(mac_list_parse((char *const *)later, 2, &l, err, sizeof(err)), VNET_ERR_VALUE);
	cr_assert(strstr(err, "'0:0:0:0:0:0'") != NULL, "%s", err);
	/* a prefix starting with zeros covers real vendors' addresses */
	cr_assert_eq(mac_list_parse((char *const *)prefix, 2, &l, err, sizeof(err)), VNET_OK);
}

Test(mac, overlap)
{
	struct mac_entry a, b;

	mac_parse("02:00:00:00:00:01", &a);
	mac_parse("02:00:00:00:00:01", &b);
	cr_assert(mac_overlap(&a, &b));
	mac_parse("02:00:00:00:00:02", &b);
	cr_assert(!mac_overlap(&a, &b));
	mac_parse("02:00:00:00:00:00/40", &b);
	cr_assert(mac_overlap(&a, &b));
	cr_assert(mac_overlap(&b, &a));
	mac_parse("02:00:00:00:01:00/40", &b);
	cr_assert(!mac_overlap(&a, &b));
	cr_assert(!mac_overlap(&b, &a));
	mac_parse("02:00:00:00:00:00/16", &a);
	cr_assert(mac_overlap(&a, &b));
	cr_assert(mac_overlap(&b, &a));
}

Test(mac, lists_overlap_by_unicast_entries_only)
{
	struct mac_list a, b;
	char err[256];
	const char *la[] = { "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff" };
	const char *lb[] = { "02:00:00:00:00:02", "ff:ff:ff:ff:ff:ff" };
	const char *lc[] = { "02:00:00:00:00:09", "02:00:00:00:00:00/40" };

	cr_assert_eq(mac_list_parse((char *const *)la, 2, &a, err, sizeof(err)), VNET_OK);
	cr_assert_eq(mac_list_parse((char *const *)lb, 2, &b, err, sizeof(err)), VNET_OK);
	/* the broadcast both carry is no overlap */
	cr_assert_null(mac_lists_overlap(&a, &b));
	cr_assert_eq(mac_list_parse((char *const *)lc, 2, &b, err, sizeof(err)), VNET_OK);
	cr_assert_eq(mac_lists_overlap(&a, &b), &a.ml_e[0]);
	cr_assert_eq(mac_lists_overlap(&b, &a), &b.ml_e[1]);
}
