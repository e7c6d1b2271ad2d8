/* vnetclient: asks a vnet server to do work (doc/vnetclient.1, in the
 * protocol of doc/PROTOCOL.md; VNET 0.9's client is seed 003, section 5). */
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
#include "common/proto.h"

enum { EX_OK = 0, EX_NOK = 1, EX_USAGE = 2, EX_CONN = 3 };

struct cli {
	struct cli_opts	c_o;
	struct conn	c_conn;
	char		c_err[512];
};

enum show { SHOW_NONE, SHOW_TEXT, SHOW_RAW };

/* reads one reply: status line, then for list replies a count and lines;
 * SHOW_TEXT prints what follows OK (and the list items), SHOW_RAW every line */
static int
read_reply(struct cli *c, bool list, enum show show)
{
	char line[8192];
	const char *rest;
	uint32_t n, k;
	int st;

	if (conn_read_line(&c->c_conn, line, sizeof(line), c->c_err, sizeof(c->c_err)) != 0)
		return EX_CONN;
	st = proto_reply_status(line, &rest);
	if (show == SHOW_RAW)
		printf("%s\n", line);
	if (st < 0) {
		snprintf(c->c_err, sizeof(c->c_err), "unexpected answer '%.100s'", line);
		return EX_CONN;
	}
	if (st == 0) {
		snprintf(c->c_err, sizeof(c->c_err), "server said: NOK %s", rest);
		return EX_NOK;
	}
	if (!list) {
		if (show == SHOW_TEXT && *rest)
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
		if (show != SHOW_NONE)
			printf("%s\n", line);
	}
	return EX_OK;
}

static int
request_quiet(struct cli *c, const char *line, bool list, enum show show)
{
	if (conn_send_line(&c->c_conn, line) != 0) {
		snprintf(c->c_err, sizeof(c->c_err), "cannot send to the server");
		return EX_CONN;
	}
	return read_reply(c, list, show);
}

static int
request(struct cli *c, const char *line, bool list)
{
	return request_quiet(c, line, list, SHOW_TEXT);
}

static int
cmd_handlers(struct cli *c)
{
	return request(c, "HANDLERS?", true);
}

static int
cmd_devices(struct cli *c)
{
	return request(c, "DEVICES?", true);
}

static int
cmd_stats(struct cli *c)
{
	char line[64];

	if (c->c_o.co_has_id)
		snprintf(line, sizeof(line), "STATS? %u", c->c_o.co_id);
	else
		snprintf(line, sizeof(line), "STATS?");
	return request(c, line, true);
}

static int
cmd_close(struct cli *c)
{
	char line[64];

	snprintf(line, sizeof(line), "CLOSE %u", c->c_o.co_id);
	return request(c, line, false);
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
	rc = request(c, line, false);
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

static int
cmd_procs(struct cli *c)
{
	return request(c, "VNAT PROCS?", true);
}

static int
cmd_conns(struct cli *c)
{
	return request(c, "VNAT CONNS?", true);
}

static int
cmd_vadd_vdel(struct cli *c)
{
	char line[96];

	snprintf(line, sizeof(line), "VNAT %s %s", c->c_o.co_cmd[1] == 'a' ? "ADD" : "DEL",
	    c->c_o.co_name);
	return request(c, line, false);
}

static int
cmd_resume(struct cli *c)
{
	char line[96];

	snprintf(line, sizeof(line), "VNAT RESUME%s%s", c->c_o.co_name[0] ? " " : "",
	    c->c_o.co_name);
	return request(c, line, false);
}

static int
cmd_helper(struct cli *c)
{
	char line[400];

	snprintf(line, sizeof(line), "VNAT %s %s %s", c->c_o.co_cmd[0] == 'h' ? "HELPER" :
	    "CONFLICT", c->c_o.co_name, c->c_o.co_mode);
	return request(c, line, false);
}

static int
cmd_vstats(struct cli *c)
{
	return request(c, "VNAT STATS?", false);
}

static int
cmd_suspend(struct cli *c)
{
	return request(c, "VNAT SUSPEND", false);
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
	return request_quiet(c, "DONE", false, SHOW_RAW) == EX_CONN ? EX_CONN : EX_OK;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *);
} commands[] = {
	{ "echo", cmd_echo },
	{ "handlers", cmd_handlers },
	{ "devices", cmd_devices },
	{ "stats", cmd_stats },
	{ "close", cmd_close },
	{ "handle", cmd_handle },
	{ "procs", cmd_procs },
	{ "vadd", cmd_vadd_vdel },
	{ "vdel", cmd_vadd_vdel },
	{ "conns", cmd_conns },
	{ "vstats", cmd_vstats },
	{ "helper", cmd_helper },
	{ "conflict", cmd_helper },
	{ "suspend", cmd_suspend },
	{ "resume", cmd_resume },
};

static int
run(struct cli *c)
{
	struct cli_opts *o = &c->c_o;
	struct conn_tls t = { o->co_tls, o->co_ca[0] ? o->co_ca : NULL, o->co_known };
	char what[PROTO_HOST_MAX + 48], hello[PROTO_PASS_MAX + 64];
	size_t k;
	int rc;

	/* the seed's order: first server's password, then the second's */
	snprintf(what, sizeof(what), "vnet server %s port %u", o->co_host1, o->co_port1);
	if (!o->co_have_pw1 && prompt_password(what, o->co_pw1, sizeof(o->co_pw1), c->c_err,
	    sizeof(c->c_err)))
		return EX_USAGE;
	snprintf(what, sizeof(what), "second vnet server %s port %u", o->co_host2, o->co_port2);
	if (strcmp(o->co_cmd, "handle") == 0 && !o->co_have_pw2 &&
	    prompt_password(what, o->co_pw2, sizeof(o->co_pw2), c->c_err, sizeof(c->c_err)))
		return EX_USAGE;
	if (!o->co_tls && !o->co_quiet)
		fprintf(stderr, "vnetclient: warning: without -s the password%s crosses the "
		    "network in clear\n", strcmp(o->co_cmd, "handle") == 0 ? "s" : "");
	if (conn_open(&c->c_conn, o->co_host1, o->co_port1, &t, o->co_timeout, c->c_err,
	    sizeof(c->c_err)) != 0)
		return EX_CONN;
	snprintf(hello, sizeof(hello), "HELLO %s %s", o->co_pw1, PROTO_VERSION);
	rc = request_quiet(c, hello, false, SHOW_NONE);
	OPENSSL_cleanse(hello, sizeof(hello));
	if (rc == EX_CONN && !o->co_tls) {
		size_t n = strlen(c->c_err);
		snprintf(c->c_err + n, sizeof(c->c_err) - n, " (does the server run with -s? "
		    "then use -s too)");
	}
	if (rc != EX_OK)
		return rc;
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(commands[k].name, o->co_cmd) == 0)
			break;
	rc = commands[k].fn(c);
	if (rc == EX_OK && strcmp(o->co_cmd, "echo") != 0)
		(void)request_quiet(c, "DONE", false, SHOW_NONE);
	return rc;
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
		if (rc < 0) {
			fprintf(stderr, "vnetclient: %s\n", c->c_err);
			fprintf(stderr, "usage: vnetclient [-s] [-p password1] [-o port1] -h <host1> "
			    "-c <command> (see --help)\n");
		}
		free(c);
		return rc < 0 ? EX_USAGE : EX_OK;
	}
	fflush(stdout);
	rc = run(c);
	fflush(stdout);
	if (rc != EX_OK && c->c_err[0])
		fprintf(stderr, "vnetclient: %s\n", c->c_err);
	if (c->c_conn.cn_fd >= 0)
		conn_close(&c->c_conn);
	OPENSSL_cleanse(&c->c_o, sizeof(c->c_o));
	free(c);
	return rc;
}
