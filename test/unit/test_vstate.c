/* Unit tests: the state file's text (vnat/vstate): what is written reads
 * back the same; truncated, oversized, hostile and misplaced text is
 * refused with the line named. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/fixture.h"
#include "vnat/vstate.h"

#define KEYHEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define GOOD "vnet-vnat-state 1\nannounce 0\nnextid 7\n" \
	"tr 3 4 6 0 198.18.1.10 40000 198.18.3.10 40000 198.18.2.20 5001 198.18.2.20 5001\n" \
	"tr 9 6 17 2 fd00:1::10 53 fd00:3::10 53 fd00:2::20 5353 fd00:2::20 5353\n" \
	"kept 4 198.18.1.10\nkept 6 fd00:1::10\n" \
	"key 4 6 198.18.1.10 40000 198.18.2.20 5001 " KEYHEX " 42\nend\n"

static int
check(const char *text, char *err)
{
	return vstate_check(text, strlen(text), err, 256);
}

Test(vstate, good_file_parses_and_round_trips)
{
	struct vstate s, s2;
	char err[256] = "", *text;
	size_t len;

	cr_assert_eq(vstate_parse(GOOD, strlen(GOOD), &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.vs_announce, 0);
	cr_assert_eq(s.vs_next_id, 9, "an id in the file above nextid raises it");
	cr_assert_eq(s.vs_ntrs, 2);
	cr_assert_eq(s.vs_nkept, 2);
	cr_assert_eq(s.vs_nkeys, 1);
	struct vnat_tuple want = fx_tr4("198.18.1.10", 40000, "198.18.3.10", "198.18.2.20", 5001,
	    "198.18.2.20");
	want.t_id = 3;
	cr_assert_eq(memcmp(&s.vs_trs[0], &want, sizeof(want)), 0);
	cr_assert_eq(s.vs_trs[1].t_family, 6);
	cr_assert_eq(s.vs_trs[1].t_proto, 17);
	cr_assert_eq(s.vs_trs[1].t_dirs, 2);
	cr_assert_eq(s.vs_trs[1].t_rvir_port, 5353);
	cr_assert_eq(s.vs_kept[1].sk_family, 6);
	cr_assert_eq(s.vs_keys[0].sy_key.vk_ctr, 42);
	cr_assert_eq(s.vs_keys[0].sy_key.vk_key[31], 0x1f);
	cr_assert_eq(s.vs_keys[0].sy_conn.t_lvir_port, 40000);
	s.vs_next_id = 7;
	cr_assert_not_null(text = vstate_format(&s, &len));
	cr_assert_str_eq(text, GOOD);
	cr_assert_eq(vstate_parse(text, len, &s2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s2.vs_ntrs, 2);
	free(text);
	vstate_free(&s);
	vstate_free(&s2);
}

#define SUSP GOOD_HEAD "susp 1796320000\n" \
	"sconn 0 4 6 0 198.18.1.10 40001 198.18.1.10 40001 198.18.2.20 5001 198.18.2.20 5001\n" \
	"sconn 3 4 6 0 198.18.1.10 40000 198.18.3.10 40000 198.18.2.20 5001 198.18.2.20 5001\nend\n"
#define GOOD_HEAD "vnet-vnat-state 1\nannounce -1\nnextid 3\n"

Test(vstate, suspend_in_force_parses_and_round_trips)
{
	struct vstate s, s2;
	char err[256] = "", *text;
	size_t len;

	cr_assert_eq(vstate_parse(SUSP, strlen(SUSP), &s, err, sizeof(err)), 0, "%s", err);
	cr_assert(s.vs_susp);
	cr_assert_eq(s.vs_susp_at, 1796320000u);
	cr_assert_eq(s.vs_nsconns, 2);
	struct vnat_tuple want = fx_tr4("198.18.1.10", 40000, "198.18.3.10", "198.18.2.20", 5001,
	    "198.18.2.20");
	want.t_id = 3;
	cr_assert_eq(memcmp(&s.vs_sconns[1], &want, sizeof(want)), 0);
	cr_assert_eq(s.vs_sconns[0].t_id, 0, "never moved: id 0");
	cr_assert_eq(s.vs_sconns[0].t_lphy_port, 40001);
	cr_assert_not_null(text = vstate_format(&s, &len));
	cr_assert_str_eq(text, SUSP);
	cr_assert_eq(vstate_parse(text, len, &s2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s2.vs_nsconns, 2);
	free(text);
	vstate_free(&s);
	vstate_free(&s2);

	/* a SUSPEND of no connection (all local) is still one in force */
	cr_assert_eq(vstate_parse(GOOD_HEAD "susp 0\nend\n", strlen(GOOD_HEAD) + 11, &s, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert(s.vs_susp);
	cr_assert_eq(s.vs_nsconns, 0);
	cr_assert_not_null(text = vstate_format(&s, &len));
	cr_assert_str_eq(text, GOOD_HEAD "susp 0\nend\n");
	free(text);
	vstate_free(&s);

	/* none: no susp line, and none written */
	cr_assert_eq(vstate_parse(GOOD, strlen(GOOD), &s, err, sizeof(err)), 0, "%s", err);
	cr_assert(!s.vs_susp);
	cr_assert_eq(s.vs_nsconns, 0);
	vstate_free(&s);
}

Test(vstate, hostile_suspend_lines_are_refused)
{
#define SC "sconn 0 4 6 0 1.1.1.1 1 1.1.1.1 1 3.3.3.3 1 3.3.3.3 1"
	static const struct {
		const char *body, *err;
	} bad[] = {
		{ SC "\nsusp 1\n", "line 4: out of place" },		/* sconn before susp */
		{ SC "\n", "line 4: out of place" },			/* sconn without susp */
		{ "susp 1\nsusp 2\n", "line 5: out of place" },	/* twice */
		{ "susp\n", "line 4: not a state line" },
		{ "susp 1 2\n", "line 4: not a state line" },
		{ "susp -1\n", "line 4: not a state line" },
		{ "susp 1099511627777\n", "line 4: not a state line" },	/* beyond VSTATE_AT_MAX */
		{ "susp 18446744073709551616\n", "line 4: not a state line" },
		{ "susp 0x10\n", "line 4: not a state line" },
		{ "susp 1\nsconn 0 4 6 0 1.1.1.1 1 1.1.1.1 1 3.3.3.3 1 3.3.3.3\n",
		    "line 5: not a state line" },				/* short */
		{ "susp 1\n" SC " 1\n", "line 5: not a state line" },	/* long */
		{ "susp 1\nsconn 0 4 6 0 fd00::1 1 1.1.1.1 1 3.3.3.3 1 3.3.3.3 1\n",
		    "line 5: not a state line" },				/* family */
		{ "susp 1\nsconn 4294967296 4 6 0 1.1.1.1 1 1.1.1.1 1 3.3.3.3 1 3.3.3.3 1\n",
		    "line 5: not a state line" },				/* id */
		{ "susp 1\nsconn 0 4 6 0 1.1.1.1 1 1.1.1.1 99999 3.3.3.3 1 3.3.3.3 1\n",
		    "line 5: not a state line" },				/* port */
	};
	char text[512], err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "vnet-vnat-state 1\nannounce 0\nnextid 0\n%send\n",
		    bad[i].body);
		cr_assert_eq(check(text, err), -1, "accepted: %s", bad[i].body);
		cr_assert(strncmp(err, bad[i].err, strlen(bad[i].err)) == 0, "%s: %s", bad[i].body,
		    err);
	}
	snprintf(text, sizeof(text), "vnet-vnat-state 1\nannounce 0\nnextid 0\nsusp 1\n%s\nend\n",
	    SC);
	cr_assert_eq(check(text, err), 0, "%s", err);
#undef SC
}

Test(vstate, empty_state_round_trips)
{
	struct vstate s = { .vs_announce = -1 }, s2;
	char err[256], *text;
	size_t len;

	cr_assert_not_null(text = vstate_format(&s, &len));
	cr_assert_str_eq(text, "vnet-vnat-state 1\nannounce -1\nnextid 0\nend\n");
	cr_assert_eq(vstate_parse(text, len, &s2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s2.vs_announce, -1);
	free(text);
	vstate_free(&s2);
}

Test(vstate, truncated_anywhere_is_refused)
{
	char err[256];

	/* every proper prefix of the file: the last line lacks its end, or "end" is missing */
	for (size_t n = 0; n < strlen(GOOD); n++)
		cr_assert_eq(vstate_check(GOOD, n, err, sizeof(err)), -1, "prefix of %zu accepted", n);
	cr_assert_eq(vstate_check(GOOD, strlen(GOOD) - 4, err, sizeof(err)), -1);
	cr_assert(strstr(err, "truncated") != NULL, "%s", err);
	cr_assert_eq(check("", err), -1);
	cr_assert_str_eq(err, "empty");
}

Test(vstate, hostile_text_is_refused_naming_the_line)
{
	char err[256], big[512];

	cr_assert_eq(check("vnet-vnat-state 2\nannounce 0\nnextid 0\nend\n", err), -1);
	cr_assert(strstr(err, "line 1") != NULL, "%s", err);
	cr_assert_eq(check("announce 0\nvnet-vnat-state 1\nnextid 0\nend\n", err), -1);
	cr_assert_str_eq(err, "line 1: out of place");
	cr_assert_eq(check("vnet-vnat-state 1\nannounce 0\nannounce 1\nnextid 0\nend\n", err), -1);
	cr_assert_str_eq(err, "line 3: out of place");
	cr_assert_eq(check("vnet-vnat-state 1\nannounce 0\nend\n", err), -1, "no nextid");
	cr_assert_eq(check("vnet-vnat-state 1\nannounce 0\nnextid 0\nend\nkept 4 1.2.3.4\n", err), -1);
	cr_assert_str_eq(err, "line 5: text after \"end\"");
	cr_assert_eq(check("vnet-vnat-state 1\nannounce 0\nnextid 0\nkept 4 1.2.3.4\tx\nend\n", err), -1);
	cr_assert_str_eq(err, "line 4: byte 0x09");
	cr_assert_eq(check("vnet-vnat-state 1\nannounce 0\nnextid 0\nkept 4 1.2.3.\xff\nend\n", err), -1);
	memset(big, 'a', sizeof(big));
	memcpy(big + 300, "\nend\n", 6);
	cr_assert_eq(vstate_check(big, 305, err, sizeof(err)), -1);
	cr_assert(strstr(err, "longer than") != NULL, "%s", err);
}

Test(vstate, bad_fields_are_refused)
{
	static const char *const bad[] = {
		"announce 3", "announce -2", "announce", "announce 0 0", "nextid 4294967296",
		"nextid -1", "nextid 0x10", "kept 5 1.2.3.4", "kept 4 fd00::1", "kept 6 1.2.3.4",
		"kept 4 1.2.3.4 5", "kept 4", "bogus 1",
		"tr 0 4 6 0 1.1.1.1 1 2.2.2.2 1 3.3.3.3 1 3.3.3.3 1",		/* id 0 */
		"tr 1 4 1 0 1.1.1.1 1 2.2.2.2 1 3.3.3.3 1 3.3.3.3 1",		/* protocol */
		"tr 1 4 6 4 1.1.1.1 1 2.2.2.2 1 3.3.3.3 1 3.3.3.3 1",		/* directions */
		"tr 1 4 6 0 1.1.1.1 65536 2.2.2.2 1 3.3.3.3 1 3.3.3.3 1",	/* port */
		"tr 1 4 6 0 1.1.1.1 +1 2.2.2.2 1 3.3.3.3 1 3.3.3.3 1",
		"tr 1 4 6 0 1.1.1.1 1 2.2.2.2 1 3.3.3.3 1 3.3.3.3",		/* short */
		"tr 1 4 6 0 1.1.1.1 1 2.2.2.2 1 3.3.3.3 1 3.3.3.3 1 1",		/* long */
		"key 4 6 1.1.1.1 1 2.2.2.2 2 " KEYHEX "0 1",			/* key length */
		"key 4 6 1.1.1.1 1 2.2.2.2 2 " "g" KEYHEX "0 1",
		"key 4 6 1.1.1.1 1 2.2.2.2 2 " KEYHEX " 18446744073709551616",	/* counter */
		"key 4 6 1.1.1.1 1 2.2.2.2 2 " KEYHEX,
	};
	char text[512], err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "vnet-vnat-state 1\nannounce 0\nnextid 0\n%s\nend\n",
		    strncmp(bad[i], "announce", 8) && strncmp(bad[i], "nextid", 6) ? bad[i] : "end");
		if (strncmp(bad[i], "announce", 8) == 0 || strncmp(bad[i], "nextid", 6) == 0)
			snprintf(text, sizeof(text), "vnet-vnat-state 1\n%s\n%s\nend\n", bad[i],
			    bad[i][0] == 'a' ? "nextid 0" : "announce 0");
		cr_assert_eq(check(text, err), -1, "accepted: %s", bad[i]);
		cr_assert(strstr(err, "line ") != NULL, "%s: %s", bad[i], err);
	}
}

Test(vstate, too_many_kept_addresses_are_refused)
{
	size_t cap = 64 + (VSTATE_KEPT_MAX + 1) * 24, n = 0;
	char *text = malloc(cap), err[256];

	n += (size_t)snprintf(text + n, cap - n, "vnet-vnat-state 1\nannounce 0\nnextid 0\n");
	for (unsigned i = 0; i <= VSTATE_KEPT_MAX; i++)
		n += (size_t)snprintf(text + n, cap - n, "kept 4 198.18.%u.%u\n", i / 256, i % 256);
	n += (size_t)snprintf(text + n, cap - n, "end\n");
	cr_assert_eq(vstate_check(text, n, err, sizeof(err)), -1);
	cr_assert(strstr(err, "too many") != NULL, "%s", err);
	free(text);
}
