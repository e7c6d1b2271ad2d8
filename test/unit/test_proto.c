/* Unit tests: the text protocol codec. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/proto.h"

static struct proto_msg m;
static char err[512];

static int
parse(const char *line)
{
	err[0] = '\0';
	return proto_parse(line, &m, err, sizeof(err));
}

Test(proto, hello)
{
	cr_assert_eq(parse("HELLO secret 1.0"), VNET_OK);
	cr_assert_eq(m.pm_cmd, PROTO_HELLO);
	cr_assert_str_eq(m.pm_password, "secret");
	cr_assert_str_eq(m.pm_version, "1.0");
	cr_assert_eq(parse("hello  secret\t0.9"), VNET_OK);
	cr_assert_eq(parse("HELLO secret"), VNET_ERR_SYNTAX);
	cr_assert(strstr(err, "HELLO password version"));
	cr_assert_eq(parse("HELLO a b c"), VNET_ERR_SYNTAX);
	char longpw[400];
	memset(longpw, 'x', sizeof(longpw));
	memcpy(longpw, "HELLO ", 6);
	strcpy(longpw + 390, " 1.0");
	cr_assert_eq(parse(longpw), VNET_ERR_SIZE);
}

Test(proto, simple_requests)
{
	cr_assert_eq(parse("DONE"), VNET_OK);
	cr_assert_eq(m.pm_cmd, PROTO_DONE);
	cr_assert_eq(parse("DEVICES?"), VNET_OK);
	cr_assert_eq(m.pm_cmd, PROTO_DEVICES);
	cr_assert_eq(parse("HANDLERS?"), VNET_OK);
	cr_assert_eq(m.pm_cmd, PROTO_HANDLERS);
	cr_assert_eq(parse("STATS?"), VNET_OK);
	cr_assert_not(m.pm_has_id);
	cr_assert_eq(parse("STATS? 7"), VNET_OK);
	cr_assert(m.pm_has_id);
	cr_assert_eq(m.pm_id, 7);
	cr_assert_eq(parse("DONE now"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("HANDLERS? x"), VNET_ERR_SYNTAX);
}

Test(proto, close)
{
	cr_assert_eq(parse("CLOSE 12"), VNET_OK);
	cr_assert_eq(m.pm_cmd, PROTO_CLOSE);
	cr_assert_eq(m.pm_id, 12);
	cr_assert_eq(parse("CLOSE"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("CLOSE 0"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("CLOSE -1"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("CLOSE 12x"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("CLOSE 99999999999999999999"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("CLOSE 1 2"), VNET_ERR_SYNTAX);
}

Test(proto, handle)
{
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE 198.18.44.2 4455 vmnet1 "
	    "00:01:02:03:04:05 ff:ff:ff:ff:ff:ff"), VNET_OK, "%s", err);
	cr_assert_eq(m.pm_cmd, PROTO_HANDLE);
	cr_assert_str_eq(m.pm_password, "pw2");
	cr_assert_eq(m.pm_lrole, PROTO_LOCAL);
	cr_assert_eq(m.pm_rrole, PROTO_REMOTE);
	cr_assert_str_eq(m.pm_ldev, "eth0");
	cr_assert_str_eq(m.pm_rdev, "vmnet1");
	cr_assert_str_eq(m.pm_rhost, "198.18.44.2");
	cr_assert_eq(m.pm_rport, 4455);
	cr_assert_eq(m.pm_addrs.ml_n, 2);
	cr_assert_eq(parse("HANDLE pw2 remote eth0 local fd00::2 1 vmnet1 02:00:00:00:00:01"),
	    VNET_OK, "%s", err);
	cr_assert_eq(m.pm_lrole, PROTO_REMOTE);
}

Test(proto, handle_errors)
{
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE h 4455 vmnet1"), VNET_ERR_SYNTAX);
	cr_assert(strstr(err, "usage: HANDLE"));
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 LOCAL h 4455 vmnet1 02:00:00:00:00:01"),
	    VNET_ERR_VALUE);
	cr_assert(strstr(err, "LOCAL and the other REMOTE"));
	cr_assert_eq(parse("HANDLE pw2 SIDEWAYS eth0 REMOTE h 4455 vmnet1 02:00:00:00:00:01"),
	    VNET_ERR_VALUE);
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE h 0 vmnet1 02:00:00:00:00:01"),
	    VNET_ERR_VALUE);
	cr_assert(strstr(err, "port"));
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE h 65536 vmnet1 02:00:00:00:00:01"),
	    VNET_ERR_VALUE);
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE h;rm 4455 vmnet1 02:00:00:00:00:01"),
	    VNET_ERR_VALUE);
	cr_assert_eq(parse("HANDLE pw2 LOCAL averyveryverylongname REMOTE h 4455 vmnet1 "
	    "02:00:00:00:00:01"), VNET_ERR_VALUE);
	cr_assert(strstr(err, "device"));
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE h 4455 ../x 02:00:00:00:00:01"),
	    VNET_ERR_VALUE);
	cr_assert_eq(parse("HANDLE pw2 LOCAL eth0 REMOTE h 4455 vmnet1 ff:ff:ff:ff:ff:ff"),
	    VNET_ERR_VALUE);
	cr_assert(strstr(err, "broadcast"));
}

Test(proto, begin)
{
	cr_assert_eq(parse("BEGIN LOCAL eth0 REMOTE vmnet1 00:01:02:03:04:05 ff:ff:ff:ff:ff:ff"),
	    VNET_OK, "%s", err);
	cr_assert_eq(m.pm_cmd, PROTO_BEGIN);
	cr_assert_str_eq(m.pm_ldev, "eth0");
	cr_assert_str_eq(m.pm_rdev, "vmnet1");
	cr_assert_eq(parse("BEGIN LOCAL eth0 REMOTE vmnet1"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("BEGIN LOCAL eth0 REMOTE vmnet1 01:00:5e:00:00:01"), VNET_ERR_VALUE);
}

Test(proto, unknown_and_hostile)
{
	cr_assert_eq(parse("FROB"), VNET_ERR_TYPE);
	cr_assert(strstr(err, "unknown command 'FROB'"));
	cr_assert_eq(parse(""), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("   "), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("HELLO a\x01 1.0"), VNET_ERR_SYNTAX);
	cr_assert(strstr(err, "control character"));
	char line[PROTO_LINE_MAX + 10];
	memset(line, 'A', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	cr_assert_eq(parse(line), VNET_ERR_SIZE);
	cr_assert(strstr(err, "too long"));
	/* many words */
	char words[PROTO_LINE_MAX];
	size_t off = 0;
	off += (size_t)snprintf(words, sizeof(words), "BEGIN LOCAL e REMOTE f");
	for (int i = 0; i < MAC_LIST_MAX + 5; i++)
		off += (size_t)snprintf(words + off, sizeof(words) - off, " 02:00:00:00:00:01");
	cr_assert_eq(parse(words), VNET_ERR_SIZE);
}

Test(proto, tokenize)
{
	char line[] = "  a\tb  c ";
	char *tok[4];

	cr_assert_eq(proto_tokenize(line, tok, 4), 3);
	cr_assert_str_eq(tok[0], "a");
	cr_assert_str_eq(tok[2], "c");
	char two[] = "a b c";
	cr_assert_eq(proto_tokenize(two, tok, 2), VNET_ERR_SIZE);
}

Test(proto, reply_status)
{
	const char *rest;

	cr_assert_eq(proto_reply_status("OK 1.0", &rest), 1);
	cr_assert_str_eq(rest, "1.0");
	cr_assert_eq(proto_reply_status("OK", &rest), 1);
	cr_assert_str_eq(rest, "");
	cr_assert_eq(proto_reply_status("NOK wrong password", &rest), 0);
	cr_assert_str_eq(rest, "wrong password");
	cr_assert_eq(proto_reply_status("OKAY", &rest), -1);
	cr_assert_eq(proto_reply_status("", &rest), -1);
	cr_assert_eq(proto_reply_status("NOKIA", &rest), -1);
}

Test(proto, validators)
{
	cr_assert(proto_valid_dev("eth0"));
	cr_assert(proto_valid_dev("vmnet1"));
	cr_assert_not(proto_valid_dev(""));
	cr_assert_not(proto_valid_dev("a/b"));
	cr_assert_not(proto_valid_dev(".."));
	cr_assert_not(proto_valid_dev("0123456789abcdef"));
	cr_assert(proto_valid_host("machine44-1.example.org"));
	cr_assert(proto_valid_host("fd00::1"));
	cr_assert_not(proto_valid_host(""));
	cr_assert_not(proto_valid_host("a b"));
	uint32_t v;
	cr_assert_eq(proto_parse_u32("4455", 1, 65535, &v), VNET_OK);
	cr_assert_eq(v, 4455);
	cr_assert_neq(proto_parse_u32("+1", 1, 65535, &v), VNET_OK);
	cr_assert_neq(proto_parse_u32(" 1", 1, 65535, &v), VNET_OK);
	cr_assert_neq(proto_parse_u32("", 1, 65535, &v), VNET_OK);
}

Test(proto, vnat_commands)
{
	cr_assert_eq(parse("VNAT PROCS?"), VNET_OK);
	cr_assert_eq(m.pm_cmd, PROTO_VNAT);
	cr_assert_eq(m.pm_vnat, PV_PROCS);
	cr_assert_eq(parse("vnat add socat"), VNET_OK);
	cr_assert_eq(m.pm_vnat, PV_ADD);
	cr_assert_str_eq(m.pm_name, "socat");
	cr_assert_eq(parse("VNAT ADD *"), VNET_OK);
	cr_assert_str_eq(m.pm_name, "*");
	cr_assert_str_eq(m.pm_mode, "");
	cr_assert_eq(parse("VNAT ADD python3 hide"), VNET_OK);
	cr_assert_str_eq(m.pm_name, "python3");
	cr_assert_str_eq(m.pm_mode, "hide");
	cr_assert_eq(parse("VNAT ADD python3 hide more"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("VNAT DEL sshd"), VNET_OK);
	cr_assert_eq(m.pm_vnat, PV_DEL);
	cr_assert_eq(parse("VNAT CONNS?"), VNET_OK);
	cr_assert_eq(m.pm_vnat, PV_CONNS);
	cr_assert_eq(parse("VNAT SUSPEND"), VNET_OK);
	cr_assert_eq(parse("VNAT RESUME"), VNET_OK);
	cr_assert_str_eq(m.pm_addr, "");
	cr_assert_eq(parse("VNAT RESUME 198.18.3.10"), VNET_OK);
	cr_assert_str_eq(m.pm_addr, "198.18.3.10");
	cr_assert_eq(parse("VNAT RESUME fd00::3"), VNET_OK);
	cr_assert_eq(parse("VNAT RESUME nowhere"), VNET_ERR_VALUE);
	cr_assert_eq(parse("VNAT"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("VNAT FROB"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("VNAT ADD"), VNET_ERR_SYNTAX);
	cr_assert(strstr(err, "usage: VNAT ADD name [hide]"), "%s", err);
	cr_assert_eq(parse("VNAT ADD a-very-long-process-name"), VNET_ERR_VALUE);
	cr_assert_eq(parse("VNAT CONNS? x"), VNET_ERR_SYNTAX);
	cr_assert_eq(parse("VNAT HELPERS?"), VNET_OK);
	cr_assert_eq(m.pm_vnat, PV_HELPERS);
	cr_assert_eq(parse("vnat conflicts?"), VNET_OK);
	cr_assert_eq(m.pm_vnat, PV_CONFLICTS);
	cr_assert_eq(parse("VNAT HELPERS? sshd"), VNET_ERR_SYNTAX);
	cr_assert_str_eq(err, "usage: VNAT HELPERS?");
	/* lists, unlike HELPER and CONFLICT that they are close to */
	cr_assert(proto_answers_list("VNAT HELPERS?"));
	cr_assert(proto_answers_list("vnat Conflicts?"));
	cr_assert_not(proto_answers_list("VNAT HELPER sshd stop"));
	cr_assert_not(proto_answers_list("VNAT CONFLICT sshd abort"));
}

Test(proto, begin_extensions)
{
	const char *tok = "0123456789abcdef0123456789abcdef";
	char line[512];

	snprintf(line, sizeof(line), "BEGIN LOCAL eth0 REMOTE vmnet1 02:00:00:00:00:01 "
	    "ff:ff:ff:ff:ff:ff token=%s records=1", tok);
	cr_assert_eq(proto_parse(line, &m, err, sizeof(err)), VNET_OK, "%s", err);
	cr_assert_eq(m.pm_addrs.ml_n, 2);
	cr_assert_str_eq(m.pm_token, tok);
	cr_assert(m.pm_records);
	/* the seed's BEGIN: none */
	cr_assert_eq(proto_parse("BEGIN LOCAL eth0 REMOTE vmnet1 02:00:00:00:00:01", &m, err,
	    sizeof(err)), VNET_OK);
	cr_assert_eq(m.pm_token[0], '\0');
	cr_assert(!m.pm_records);
	/* no address before the extensions, a bad token, an unknown one */
	cr_assert_neq(proto_parse("BEGIN LOCAL eth0 REMOTE vmnet1 records=1", &m, err,
	    sizeof(err)), VNET_OK);
	cr_assert_neq(proto_parse("BEGIN LOCAL eth0 REMOTE vmnet1 02:00:00:00:00:01 token=xyz",
	    &m, err, sizeof(err)), VNET_OK);
	cr_assert(strstr(err, "bad BEGIN extension 'token=xyz'") != NULL, "%s", err);
	cr_assert_neq(proto_parse("BEGIN LOCAL eth0 REMOTE vmnet1 02:00:00:00:00:01 x=1", &m,
	    err, sizeof(err)), VNET_OK);
	/* an address after an extension is not an extension */
	cr_assert_neq(proto_parse("BEGIN LOCAL eth0 REMOTE vmnet1 02:00:00:00:00:01 records=1 "
	    "ff:ff:ff:ff:ff:ff", &m, err, sizeof(err)), VNET_OK);
}

/* The request table: every request is named, its usage NOK is its name
 * and its arguments, and only HELLO may come before HELLO. */
Test(proto, request_table)
{
	for (size_t i = 0; i < PROTO_NCMDS; i++) {
		const struct proto_req *r = &proto_reqs[i];
		char want[512];
		cr_assert(r->pr_name && r->pr_args, "request %zu", i);
		cr_assert_eq((r->pr_flags & PROTO_AUTH) == 0, i == PROTO_HELLO, "%s", r->pr_name);
		snprintf(want, sizeof(want), "usage: %s %s", r->pr_name, r->pr_args);
		if (r->pr_min > 0) {
			cr_assert_eq(parse(r->pr_name), VNET_ERR_SYNTAX, "%s", r->pr_name);
			cr_assert_str_eq(err, want);
		}
	}
	for (size_t i = 0; i < PV_NCMDS; i++) {
		const struct proto_req *r = &proto_vnat_reqs[i];
		char line[64];
		cr_assert(r->pr_name && r->pr_args, "VNAT %zu", i);
		/* VNAT's own usage lists every sub-command */
		cr_assert(strstr(proto_reqs[PROTO_VNAT].pr_args, r->pr_name), "%s", r->pr_name);
		snprintf(line, sizeof(line), "vnat %s a b c", r->pr_name);
		cr_assert_eq(parse(line), VNET_ERR_SYNTAX, "%s", line);
		cr_assert_eq(m.pm_vnat, (enum proto_vnat)i);
	}
	cr_assert_eq(parse("FROB"), VNET_ERR_TYPE);
	cr_assert_str_eq(err, "unknown command 'FROB' (HELLO, DONE, DEVICES?, HANDLERS?, STATS?, "
	    "CLOSE, HANDLE, BEGIN, VNAT, PEER)");
	cr_assert_eq(parse("STATS? x"), VNET_ERR_SYNTAX);
	cr_assert_str_eq(err, "usage: STATS? [identifier] identifier (a handler number from "
	    "HANDLERS?)");
	cr_assert_eq(parse("VNAT CONFLICT x"), VNET_ERR_SYNTAX);
	cr_assert_str_eq(err, "usage: VNAT CONFLICT name mode");
	cr_assert_eq(parse("VNAT PROCS? x"), VNET_ERR_SYNTAX);
	cr_assert_str_eq(err, "usage: VNAT PROCS?");
	cr_assert_eq(parse("DONE x"), VNET_ERR_SYNTAX);
	cr_assert_str_eq(err, "usage: DONE (no arguments)");
}

Test(proto, answers_list)
{
	cr_assert(proto_answers_list("DEVICES?"));
	cr_assert(proto_answers_list("  handlers?"));
	cr_assert(proto_answers_list("STATS? 3"));
	cr_assert(proto_answers_list("VNAT PROCS?"));
	cr_assert(proto_answers_list("vnat\tconns?"));
	cr_assert(!proto_answers_list("VNAT STATS?"));
	cr_assert(!proto_answers_list("VNAT"));
	cr_assert(!proto_answers_list("VNAT FROB"));
	cr_assert(!proto_answers_list("CLOSE 1"));
	cr_assert(!proto_answers_list("HELLO pw 1.0"));
	cr_assert(!proto_answers_list(""));
	cr_assert(!proto_answers_list("DEVICES?XXXXXXXXXXXXXXXXXXXX"));
}
