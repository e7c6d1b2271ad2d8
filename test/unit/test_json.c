/* json: every record of vnetclient --json from a sample of the server's
 * own lines (the formats of handler/handler.c, vnat/conns.c, vnat/ctl.c),
 * compared whole; lines that are not exactly a record refused with the
 * reason; nothing from the untrusted server crashes the parser. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "client/json.h"

static char err[256];

/* the record of line, compact and with its keys in order, as a string */
static char *
rec(enum json_rec r, const char *line)
{
	json_t *j = json_parse_record(r, line, err, sizeof(err));
	char *s;

	cr_assert_not_null(j, "%s: %s", line, err);
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	return s;
}

static void
same(enum json_rec r, const char *line, const char *want)
{
	char *s = rec(r, line);

	cr_assert_str_eq(s, want);
	free(s);
}

static void
refused(enum json_rec r, const char *line, const char *why)
{
	err[0] = '\0';
	cr_assert_null(json_parse_record(r, line, err, sizeof(err)), "%s accepted", line);
	cr_assert(strstr(err, why), "%s: %s (want %s)", line, err, why);
}

Test(json, handler)
{
	same(JR_HANDLER, "1 LOCAL 198.18.42.2 39358 eth0 <-> REMOTE 198.18.44.2 4455 vmnet1 "
	    "02:00:00:00:42:10 ff:ff:ff:ff:ff:ff",
	    "{\"id\":1,\"local\":{\"role\":\"local\",\"address\":\"198.18.42.2\",\"port\":39358,"
	    "\"device\":\"eth0\"},\"remote\":{\"role\":\"remote\",\"address\":\"198.18.44.2\","
	    "\"port\":4455,\"device\":\"vmnet1\"},\"addresses\":[\"02:00:00:00:42:10\","
	    "\"ff:ff:ff:ff:ff:ff\"]}");
	same(JR_HANDLER, "7 REMOTE fd00::2 4455 eth1 <-> LOCAL fd00::1 51000 vmnet1 "
	    "02:00:00:00:42:10 33:33:00:00:00:00/16",
	    "{\"id\":7,\"local\":{\"role\":\"remote\",\"address\":\"fd00::2\",\"port\":4455,"
	    "\"device\":\"eth1\"},\"remote\":{\"role\":\"local\",\"address\":\"fd00::1\","
	    "\"port\":51000,\"device\":\"vmnet1\"},\"addresses\":[\"02:00:00:00:42:10\","
	    "\"33:33:00:00:00:00/16\"]}");
	refused(JR_HANDLER, "1 LOCAL 198.18.42.2 39358 eth0 <-> REMOTE 198.18.44.2 4455 vmnet1",
	    "not a HANDLERS? line");
	refused(JR_HANDLER, "0 LOCAL 198.18.42.2 1 eth0 <-> REMOTE 198.18.44.2 2 v 02:00:00:00:00:01",
	    "not a HANDLERS? line");
	refused(JR_HANDLER, "1 SIDEWAYS 198.18.42.2 1 eth0 <-> REMOTE 198.18.44.2 2 v 02:00:00:00:00:01",
	    "HANDLERS?");
	refused(JR_HANDLER, "1 LOCAL 198.18.42 1 eth0 <-> REMOTE 198.18.44.2 2 v 02:00:00:00:00:01",
	    "HANDLERS?");
	refused(JR_HANDLER, "1 LOCAL 198.18.42.2 70000 eth0 <-> REMOTE 198.18.44.2 2 v 02:00:00:00:00:01",
	    "HANDLERS?");
	refused(JR_HANDLER, "1 LOCAL 198.18.42.2 1 eth0 -> REMOTE 198.18.44.2 2 v 02:00:00:00:00:01",
	    "HANDLERS?");
	refused(JR_HANDLER, "1 LOCAL 198.18.42.2 1 eth0 <-> REMOTE 198.18.44.2 2 v 02:00:00:00:42",
	    "HANDLERS?");
	refused(JR_HANDLER, "1 LOCAL 198.18.42.2 1 eth\x01 <-> REMOTE 198.18.44.2 2 v 02:00:00:00:00:01",
	    "byte 0x01 at 25 is not printable ASCII");
	refused(JR_HANDLER, "", "empty line");
}

Test(json, stats)
{
	same(JR_STATS, "1 sent_frames=2133 sent_bytes=52569698 drop_queue=0 state=up "
	    "state_secs=3600 reconnects=1",
	    "{\"id\":1,\"sent_frames\":2133,\"sent_bytes\":52569698,\"drop_queue\":0,"
	    "\"state\":\"up\",\"state_secs\":3600,\"reconnects\":1}");
	same(JR_STATS, "2 recv_bytes=9223372036854775807", "{\"id\":2,\"recv_bytes\":"
	    "9223372036854775807}");
	refused(JR_STATS, "1", "not a STATS? line");
	refused(JR_STATS, "x sent_frames=1", "STATS?");
	refused(JR_STATS, "1 sent_frames", "STATS?");
	refused(JR_STATS, "1 =3", "STATS?");
	refused(JR_STATS, "1 sent_frames=1 sent_frames=2", "STATS?");
	refused(JR_STATS, "1 Sent=1", "STATS?");
	refused(JR_STATS, "1 id=5", "STATS?");
	refused(JR_STATS, "1 state=\"up\"", "STATS?");
	/* a word longer than any record's, after good ones: not ignored */
	char longer[600] = "1 a=1 b=";
	memset(longer + strlen(longer), '7', 400);
	refused(JR_STATS, longer, "STATS?");
	memcpy(longer, "vstats a=1 b=", 13);
	refused(JR_VSTATS, longer, "VNAT STATS?");
	/* over what a JSON integer holds here: kept as its text, not wrapped */
	same(JR_STATS, "1 a=9223372036854775808", "{\"id\":1,\"a\":\"9223372036854775808\"}");
}

Test(json, vstats)
{
	same(JR_VSTATS, "vstats translations=3 kept=0 suspended=no peer_suspended=1",
	    "{\"translations\":3,\"kept\":0,\"suspended\":false,\"peer_suspended\":1}");
	same(JR_VSTATS, "vstats suspended=yes", "{\"suspended\":true}");
	refused(JR_VSTATS, "stats translations=3", "not a VNAT STATS? line");
	refused(JR_VSTATS, "vstats", "VNAT STATS?");
	refused(JR_VSTATS, "vstats a=1 a=1", "VNAT STATS?");
}

Test(json, conn)
{
	same(JR_CONN, "tcp 198.18.3.10:40000 198.18.4.2:5001 198.18.5.10:40000 198.18.4.2:5001 "
	    "ESTABLISHED 1234 socat",
	    "{\"proto\":\"tcp\",\"virtual_local\":{\"address\":\"198.18.3.10\",\"port\":40000},"
	    "\"virtual_remote\":{\"address\":\"198.18.4.2\",\"port\":5001},\"physical_local\":"
	    "{\"address\":\"198.18.5.10\",\"port\":40000},\"physical_remote\":{\"address\":"
	    "\"198.18.4.2\",\"port\":5001},\"state\":\"ESTABLISHED\",\"pid\":1234,"
	    "\"name\":\"socat\"}");
	/* IPv6 in brackets; a name with a blank; no name */
	char *s = rec(JR_CONN, "udp [fd00::3]:53 [fd00::4]:5353 [fd00::3]:53 [fd00::4]:5353 "
	    "CONNECTED 9 Web Content");
	cr_assert(strstr(s, "\"virtual_local\":{\"address\":\"fd00::3\",\"port\":53}"), "%s", s);
	cr_assert(strstr(s, "\"name\":\"Web Content\""), "%s", s);
	free(s);
	s = rec(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 SUSPENDED 0 -");
	cr_assert(strstr(s, "\"pid\":0,\"name\":null"), "%s", s);
	free(s);
	/* a peer's view, and a TCP state with a digit */
	s = rec(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.6:2 PEER_MOVED 7 sshd");
	cr_assert(strstr(s, "\"state\":\"PEER_MOVED\""), "%s", s);
	free(s);
	s = rec(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 FIN_WAIT1 7 sshd");
	cr_assert(strstr(s, "\"state\":\"FIN_WAIT1\""), "%s", s);
	free(s);
	refused(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 PEER-MOVED 1 a", "VNAT CONNS?");
	refused(JR_CONN, "sctp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE 1 a", "VNAT CONNS?");
	refused(JR_CONN, "tcp fd00::3:53 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE 1 a", "VNAT CONNS?");
	refused(JR_CONN, "tcp [1.2.3.4]:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE 1 a", "VNAT CONNS?");
	refused(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE x a", "VNAT CONNS?");
	refused(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE 1", "VNAT CONNS?");
	refused(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE 1 "
	    "a-name-much-longer-than-comm", "VNAT CONNS?");
	refused(JR_CONN, "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 CLOSE 1 a", "VNAT CONNS?");
	refused(JR_CONN, "tcp 1.2.3.4: 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 CLOSE 1 a", "VNAT CONNS?");
}

Test(json, names_and_settings)
{
	same(JR_DEVICE, "vmnet1", "\"vmnet1\"");
	refused(JR_DEVICE, "a/b", "not a DEVICES? line");
	same(JR_PROC, "*", "\"*\"");
	refused(JR_PROC, "sixteen-letters!", "not a VNAT PROCS? line");
	same(JR_PROC, "python3 hide", "{\"name\":\"python3\",\"mode\":\"hide\"}");
	refused(JR_PROC, "python3 show", "not a VNAT PROCS? line");
	refused(JR_PROC, " hide", "not a VNAT PROCS? line");
	same(JR_HELPER, "sshd keepalive", "{\"name\":\"sshd\",\"mode\":\"keepalive\"}");
	same(JR_HELPER, "* exec:/usr/local/bin/h", "{\"name\":\"*\",\"mode\":\"exec:/usr/local/bin/h\"}");
	refused(JR_HELPER, "sshd sometimes", "not a VNAT HELPERS? line");
	refused(JR_HELPER, "sshd stop extra", "VNAT HELPERS?");
	refused(JR_HELPER, "sshd", "VNAT HELPERS?");
	same(JR_CONFLICT, "sshd preempt", "{\"name\":\"sshd\",\"policy\":\"preempt\"}");
	refused(JR_CONFLICT, "sshd keepalive", "not a VNAT CONFLICTS? line");
	cr_assert_str_eq(json_rec_key(JR_CONFLICT), "conflicts");
	cr_assert_str_eq(json_rec_key(JR_HANDLER), "handlers");
}

Test(json, status)
{
	json_t *j = json_status(1, "handler 3 established");
	char *s = json_dumps(j, JSON_COMPACT);

	cr_assert_str_eq(s, "{\"ok\":true,\"message\":\"handler 3 established\"}");
	free(s);
	json_decref(j);
	cr_assert_null(json_status(0, "bad \xff byte"));
}

/* whatever the server sends: an answer or a refusal, never a crash (the
 * sanitizer build runs this too) */
Test(json, never_crashes)
{
	static const char *const seeds[] = {
	    "1 LOCAL 1.2.3.4 1 e <-> REMOTE 1.2.3.5 2 f 02:00:00:00:00:01", "1 a=1", "tcp 1.2.3.4:1 1.2.3.5:2 1.2.3.4:1 1.2.3.5:2 ESTABLISHED 1 n", "vstats a=1",
	    "sshd stop" };
	char line[256];
	unsigned seed = 12;

	for (int round = 0; round < 20000; round++) {
		const char *s = seeds[round % 5];
		size_t n = strlen(s);
		memcpy(line, s, n + 1);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245 + 12345;
			line[(seed >> 8) % n] = (char)(' ' + (seed >> 16) % 95);
		}
		if (round % 7 == 0)
			line[(seed >> 3) % n] = '\0';
		for (enum json_rec r = JR_HANDLER; r <= JR_VSTATS; r++) {
			json_t *j = json_parse_record(r, line, err, sizeof(err));
			cr_assert(j != NULL || err[0]);
			json_decref(j);
		}
	}
}
