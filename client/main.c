/* vnetclient: asks a vnet server to do work (doc/vnetclient.1, in the
 * protocol of doc/PROTOCOL.md; VNET 0.9's client is seed 003, section 5). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/conn.h"
#include "client/opts.h"
#include "client/prompt.h"
#include "common/pin.h"
#include "common/proto.h"

enum { EX_OK = 0, EX_NOK = 1, EX_USAGE = 2, EX_CONN = 3 };

struct cli {
	struct cli_opts	c_o;
	struct conn	c_conn;
	char		c_err[1024];
	json_t		*c_doc;		/* --json: the document of the command's answer */
};

enum show { SHOW_NONE, SHOW_TEXT, SHOW_RAW };

/* --json: the answer's records in one document, {"key": [...]}, or
 * {"ok": ..., "message": ...} for an answer without records */
static int
json_begin(struct cli *c, int st, const char *rest, bool list)
{
	enum json_rec r = c->c_o.co_cc->cc_json;
	json_t *v;

	if (st == 0 || r == JR_NONE)
		v = json_status(st, rest);
	else if (list)
		v = json_pack("{s:[]}", json_rec_key(r));
	else if ((v = json_parse_record(r, rest, c->c_err, sizeof(c->c_err))) != NULL)
		v = json_pack("{s:o}", json_rec_key(r), v);
	if (v == NULL && st == 0)
		snprintf(c->c_err, sizeof(c->c_err), "unexpected answer '%.100s'", rest);
	json_decref(c->c_doc);
	c->c_doc = v;
	return v ? EX_OK : EX_CONN;
}

/* --json: one line of the list into the document */
static int
json_line(struct cli *c, const char *line)
{
	enum json_rec r = c->c_o.co_cc->cc_json;
	char why[300];
	json_t *rec = json_parse_record(r, line, why, sizeof(why));

	if (rec == NULL) {
		snprintf(c->c_err, sizeof(c->c_err), "bad answer from the server: %s", why);
		return EX_CONN;
	}
	json_array_append_new(json_object_get(c->c_doc, json_rec_key(r)), rec);
	return EX_OK;
}

/* reads one reply: status line, then for list replies a count and lines;
 * SHOW_TEXT prints what follows OK (and the list items), or with --json
 * makes them c_doc; SHOW_RAW prints every line */
static int
read_reply(struct cli *c, bool list, enum show show)
{
	char line[8192];
	const char *rest;
	uint32_t n, k;
	int st;
	bool json = show == SHOW_TEXT && c->c_o.co_json;

	if (conn_read_line(&c->c_conn, line, sizeof(line), c->c_err, sizeof(c->c_err)) != 0)
		return EX_CONN;
	st = proto_reply_status(line, &rest);
	if (show == SHOW_RAW)
		printf("%s\n", line);
	if (st < 0) {
		snprintf(c->c_err, sizeof(c->c_err), "unexpected answer '%.100s'", line);
		return EX_CONN;
	}
	if (json && json_begin(c, st, rest, list) != EX_OK)
		return EX_CONN;
	if (st == 0) {
		snprintf(c->c_err, sizeof(c->c_err), "server said: NOK %s", rest);
		return EX_NOK;
	}
	if (!list) {
		if (show == SHOW_TEXT && !json && *rest)
			printf("%s\n", rest);
		return EX_OK;
	}
	if (conn_read_line(&c->c_conn, line, sizeof(line), c->c_err, sizeof(c->c_err)) != 0)
		return EX_CONN;
	if (show == SHOW_RAW)
		printf("%s\n", line);
	if (proto_parse_u32(line, 0, 1000000, &n) != 0) {
		snprintf(c->c_err, sizeof(c->c_err), "bad count '%.40s' in answer", line);
		return EX_CONN;
	}
	for (k = 0; k < n; k++) {
		if (conn_read_line(&c->c_conn, line, sizeof(line), c->c_err, sizeof(c->c_err)))
			return EX_CONN;
		if (json) {
			if (json_line(c, line) != EX_OK)
				return EX_CONN;
		} else if (show != SHOW_NONE)
			printf("%s\n", line);
	}
	return EX_OK;
}

/* sends line and reads its answer, a list if the protocol's table says so */
static int
request_quiet(struct cli *c, const char *line, enum show show)
{
	if (conn_send_line(&c->c_conn, line) != 0) {
		snprintf(c->c_err, sizeof(c->c_err), "cannot send to the server");
		return EX_CONN;
	}
	return read_reply(c, proto_answers_list(line), show);
}

static int
request(struct cli *c, const char *line)
{
	return request_quiet(c, line, SHOW_TEXT);
}

static int
cmd_handlers(struct cli *c)
{
	return request(c, "HANDLERS?");
}

static int
cmd_devices(struct cli *c)
{
	return request(c, "DEVICES?");
}

static int
cmd_stats(struct cli *c)
{
	char line[64];

	if (c->c_o.co_has_id)
		snprintf(line, sizeof(line), "STATS? %u", c->c_o.co_id);
	else
		snprintf(line, sizeof(line), "STATS?");
	return request(c, line);
}

static int
cmd_close(struct cli *c)
{
	char line[64];

	snprintf(line, sizeof(line), "CLOSE %u", c->c_o.co_id);
	return request(c, line);
}

static int
cmd_handle(struct cli *c)
{
	const struct cli_opts *o = &c->c_o;
	char line[PROTO_LINE_MAX + 1];
	size_t off, i;
	int rc;
	bool local = strcmp(o->co_cfg, "local") == 0;

	off = (size_t)snprintf(line, sizeof(line), "HANDLE %s %s %s %s %s %u %s", o->co_pw2,
	    local ? "LOCAL" : "REMOTE", o->co_dev1, local ? "REMOTE" : "LOCAL", o->co_host2,
	    o->co_port2, o->co_dev2);
	for (i = 0; i < o->co_naddrs && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s", o->co_addrs[i]);
	if (off >= sizeof(line)) {
		snprintf(c->c_err, sizeof(c->c_err), "handle request too long");
		return EX_USAGE;
	}
	rc = request(c, line);
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

static int
cmd_procs(struct cli *c)
{
	return request(c, "VNAT PROCS?");
}

static int
cmd_conns(struct cli *c)
{
	return request(c, "VNAT CONNS?");
}

static int
cmd_vadd_vdel(struct cli *c)
{
	char line[400];

	snprintf(line, sizeof(line), "VNAT %s %s%s%s", c->c_o.co_cmd[1] == 'a' ? "ADD" : "DEL",
	    c->c_o.co_name, c->c_o.co_mode[0] ? " " : "", c->c_o.co_mode);
	return request(c, line);
}

static int
cmd_resume(struct cli *c)
{
	char line[96];

	snprintf(line, sizeof(line), "VNAT RESUME%s%s", c->c_o.co_name[0] ? " " : "",
	    c->c_o.co_name);
	return request(c, line);
}

static int
cmd_helper(struct cli *c)
{
	char line[400];

	snprintf(line, sizeof(line), "VNAT %s %s %s", c->c_o.co_cmd[0] == 'h' ? "HELPER" :
	    "CONFLICT", c->c_o.co_name, c->c_o.co_mode);
	return request(c, line);
}

static int
cmd_vstats(struct cli *c)
{
	return request(c, "VNAT STATS?");
}

static int
cmd_helpers(struct cli *c)
{
	return request(c, "VNAT HELPERS?");
}

static int
cmd_conflicts(struct cli *c)
{
	return request(c, "VNAT CONFLICTS?");
}

static int
cmd_suspend(struct cli *c)
{
	return request(c, "VNAT SUSPEND");
}

static int
cmd_echo(struct cli *c)
{
	char line[PROTO_LINE_MAX + 2];
	bool tty = isatty(STDIN_FILENO);
	int rc;

	if (tty)
		fprintf(stderr, "connected; type requests (DEVICES?, HANDLERS?, STATS?, CLOSE id, "
		    "HANDLE ...), DONE or end of input to leave\n");
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (conn_send_line(&c->c_conn, line) != 0) {
			snprintf(c->c_err, sizeof(c->c_err), "cannot send to the server");
			return EX_CONN;
		}
		rc = read_reply(c, proto_answers_list(line), SHOW_RAW);
		if (rc == EX_NOK)
			c->c_err[0] = '\0';	/* shown already; the session goes on */
		else if (rc != EX_OK)
			return rc;
		else if (strncasecmp(line, "DONE", 4) == 0)
			return EX_OK;
		fflush(stdout);
	}
	return request_quiet(c, "DONE", SHOW_RAW) == EX_CONN ? EX_CONN : EX_OK;
}

/* The commands of -c: what runs each and what --help says of it (its
 * options, then what it does; continuation lines are indented by
 * cli_usage).  Listed in this order, except that commands with a block of
 * their own options (cc_more) come last in --help. */
const struct cli_cmd cli_cmds[] = {
	{ "echo", cmd_echo, "", "echo",
	    "interactive session: type protocol lines, see answers", NULL, JR_NONE },
	{ "handlers", cmd_handlers, "", "handlers", "list the active handlers", NULL, JR_HANDLER },
	{ "devices", cmd_devices, "", "devices", "list the devices the server may use", NULL,
	    JR_DEVICE },
	{ "stats", cmd_stats, "i", "stats [-i <id>]", "frame counters of every handler, or of one",
	    NULL, JR_STATS },
	{ "close", cmd_close, "i", "close -i <id>", "close a handler", NULL, JR_NONE },
	{ "handle", cmd_handle, "abdefgj",
	    "handle [-a port2] [-b password2] -d <host2> -e <device1> -f <device2>\n"
	    "            -g <local|remote> -j <addresses+>",
	    "set up a handler between host1 and host2:",
	    "       -a <port2>      port of the second server (default 4455)\n"
	    "       -b <password2>  its password (default: prompt, after password1)\n"
	    "       -d <host2>      its host, as host1's server must reach it\n"
	    "       -e <device1>    device on host1's server; -f <device2>: on host2's\n"
	    "       -g local        host1 forwards frames whose destination is listed;\n"
	    "          remote       host1 forwards frames whose source is listed\n"
	    "       -j <addresses+> the VM's MAC first (never broadcast or multicast),\n"
	    "                       then e.g. ff:ff:ff:ff:ff:ff or a prefix like\n"
	    "                       33:33:00:00:00:00/16 (IPv6 multicast)\n", JR_NONE },
	{ "procs", cmd_procs, "", "procs",
	    "VNAT: the process names whose connections are virtualized", NULL, JR_PROC },
	{ "vadd", cmd_vadd_vdel, "nm", "vadd -n <name> [-m hide]",
	    "VNAT: add a process name (* = every connection of the host);\n"
	    "-m hide: its UDP flows only ever see their peers' virtual addresses", NULL, JR_NONE },
	{ "vdel", cmd_vadd_vdel, "n", "vdel -n <name>", "VNAT: remove a process name", NULL, JR_NONE },
	{ "conns", cmd_conns, "", "conns",
	    "VNAT: the virtualized connections: protocol, virtual local\n"
	    "and remote, physical local and remote, state, pid, name;\n"
	    "on a peer also those a peer suspended or moved\n"
	    "(PEER_SUSPENDED, PEER_MOVED)", NULL, JR_CONN },
	{ "vstats", cmd_vstats, "", "vstats",
	    "VNAT: counters (translations, kept addresses, VCMP messages\n"
	    "updated, unknown, refused; nftables errors)", NULL, JR_VSTATS },
	{ "helper", cmd_helper, "nm", "helper -n <name> -m <mode>",
	    "VNAT, on a peer: what to do for the connections\n"
	    "of process <name> while their other end is suspended:\n"
	    "keepalive (the default), stop, stop-always, exec:/path,\n"
	    "none, or default (back to * or keepalive)", NULL, JR_NONE },
	{ "conflict", cmd_helper, "nm", "conflict -n <name> -m <abort|preempt>",
	    "VNAT: when a moved connection of\n"
	    "<name> would take another connection's tuple: stay (abort,\n"
	    "the default) or shut the other one down (preempt)", NULL, JR_NONE },
	{ "helpers", cmd_helpers, "", "helpers",
	    "VNAT: the helper of each process name (helper -n -m)", NULL, JR_HELPER },
	{ "conflicts", cmd_conflicts, "", "conflicts",
	    "VNAT: the conflict policy of each process name", NULL, JR_CONFLICT },
	{ "suspend", cmd_suspend, "", "suspend",
	    "VNAT: record the connections as they are and tell their peers", NULL, JR_NONE },
	{ "resume", cmd_resume, "n", "resume [-n <address>]",
	    "VNAT: re-home the connections whose address is gone\n"
	    "(or all, to the given address) and tell their peers", NULL, JR_NONE },
};
const size_t cli_ncmds = sizeof(cli_cmds) / sizeof(cli_cmds[0]);

/* whether a clear-text password would stay on this host: 127.0.0.0/8,
 * ::1, localhost */
static bool
loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (strcmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* the server reached (TCP, TLS, the pin) before any password is asked */
static int
reach(struct cli *c)
{
	struct cli_opts *o = &c->c_o;
	struct conn_tls t = { o->co_tls, o->co_ca[0] ? o->co_ca : NULL, o->co_known,
	    o->co_require_pin ? TRUST_REFUSE : isatty(STDIN_FILENO) && isatty(STDERR_FILENO) ?
	    TRUST_ASK : TRUST_PIN };

	if (o->co_local)
		return conn_open_local(&c->c_conn, o->co_socket, o->co_timeout, c->c_err,
		    sizeof(c->c_err)) ? EX_CONN : EX_OK;
	if (!o->co_tls && !o->co_quiet && !loopback(o->co_host1))
		fprintf(stderr, "vnetclient: warning: without -s the password%s crosses the "
		    "network in clear\n", strcmp(o->co_cmd, "handle") == 0 ? "s" : "");
	return conn_open(&c->c_conn, o->co_host1, o->co_port1, &t, o->co_timeout, c->c_err,
	    sizeof(c->c_err)) ? EX_CONN : EX_OK;
}

static int
run(struct cli *c)
{
	struct cli_opts *o = &c->c_o;
	char what[PROTO_HOST_MAX + 48], hello[PROTO_PASS_MAX + 64];
	int rc;

	if ((rc = reach(c)) != EX_OK)
		return rc;
	/* the seed's order: first server's password, then the second's; none
	 * for the local socket, where being there is the credential */
	snprintf(what, sizeof(what), "vnet server %s port %u", o->co_host1, o->co_port1);
	if (!o->co_local && !o->co_have_pw1 && prompt_password(what, o->co_pw1,
	    sizeof(o->co_pw1), c->c_err, sizeof(c->c_err)))
		return EX_USAGE;
	snprintf(what, sizeof(what), "second vnet server %s port %u", o->co_host2, o->co_port2);
	if (strcmp(o->co_cmd, "handle") == 0 && !o->co_have_pw2 &&
	    prompt_password(what, o->co_pw2, sizeof(o->co_pw2), c->c_err, sizeof(c->c_err)))
		return EX_USAGE;
	if (!o->co_local) {
		snprintf(hello, sizeof(hello), "HELLO %s %s", o->co_pw1, PROTO_VERSION);
		rc = request_quiet(c, hello, SHOW_NONE);
		OPENSSL_cleanse(hello, sizeof(hello));
		if (rc == EX_CONN && !o->co_tls) {
			size_t n = strlen(c->c_err);
			snprintf(c->c_err + n, sizeof(c->c_err) - n, " (does the server run with -s? "
			    "then use -s too)");
		}
		if (rc != EX_OK)
			return rc;
	}
	rc = o->co_cc->cc_fn(c);
	if (rc == EX_OK && strcmp(o->co_cmd, "echo") != 0)
		(void)request_quiet(c, "DONE", SHOW_NONE);
	return rc;
}

/* --forget HOST[:PORT]: how many lines went */
static int
forget(struct cli *c)
{
	struct cli_opts *o = &c->c_o;
	char name[PROTO_HOST_MAX + 16];
	int n = pin_forget(o->co_known, o->co_host1, o->co_port1, c->c_err, sizeof(c->c_err));

	if (n < 0)
		return EX_CONN;
	pin_server_name(name, sizeof(name), o->co_host1, o->co_port1);
	printf("%s: %d line%s removed from %s\n", name, n, n == 1 ? "" : "s", o->co_known);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct cli *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return EX_CONN;
	c->c_conn.cn_fd = -1;
	rc = cli_parse(argc, argv, &c->c_o, c->c_err, sizeof(c->c_err));
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "vnetclient: %s; see vnetclient --help\n", c->c_err);
		free(c);
		return rc < 0 ? EX_USAGE : EX_OK;
	}
	fflush(stdout);
	rc = c->c_o.co_forget ? forget(c) : run(c);
	if (c->c_doc && rc != EX_CONN) {
		json_dumpf(c->c_doc, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(c->c_doc);
	fflush(stdout);
	if (rc != EX_OK && c->c_err[0])
		fprintf(stderr, "vnetclient: %s\n", c->c_err);
	if (c->c_conn.cn_fd >= 0)
		conn_close(&c->c_conn);
	OPENSSL_cleanse(&c->c_o, sizeof(c->c_o));
	free(c);
	return rc;
}
