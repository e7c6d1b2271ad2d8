/* opts: parse vnetclient's command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/opts.h"
#include "common/passfile.h"
#include "common/tls.h"
#include "common/version.h"

#define CLI_HELP_COL	23	/* where a command's help starts */
#define CLI_HELP_WIDTH	80

static void
usage_cmd(FILE *f, const struct cli_cmd *cc)
{
	const char *last = strrchr(cc->cc_usage, '\n'), *h = cc->cc_help;
	size_t col = last ? strlen(last + 1) : 5 + strlen(cc->cc_usage), len;

	/* the help beside the name and options: after padding, or two blanks
	 * when that fits in the width, else from the next line */
	fprintf(f, "     %s", cc->cc_usage);
	len = strcspn(h, "\n");
	if (col < CLI_HELP_COL)
		fprintf(f, "%*s", (int)(CLI_HELP_COL - col), "");
	else if (col + 2 + len <= CLI_HELP_WIDTH)
		fprintf(f, "  ");
	else
		fprintf(f, "\n%*s", CLI_HELP_COL, "");
	for (;;) {
		fprintf(f, "%.*s\n", (int)len, h);
		if (h[len] == '\0')
			break;
		h += len + 1;
		len = strcspn(h, "\n");
		fprintf(f, "%*s", CLI_HELP_COL, "");
	}
	if (cc->cc_more)
		fputs(cc->cc_more, f);
}

void
cli_usage(FILE *f)
{
	size_t k;

	fprintf(f,
	    "usage: " CLI_SYNOPSIS "\n"
	    "\n"
	    "  -s                 TLS 1.3 to the server (without it the password crosses in clear)\n"
	    "  -p <password1>     password of the server at host1 (default: prompt for it)\n"
	    "  --password-file F  read password1 from F (mode 0600) instead\n"
	    "  -o <port1>         port of that server (default 4455)\n"
	    "  -h <host1>         host of that server; without -h: the local server's control\n"
	    "                     socket (" CLI_SOCKET ", no password)\n"
	    "  -c <command>       one of:\n");
	/* a command with a block of options after the one-line ones */
	for (k = 0; k < cli_ncmds; k++)
		if (cli_cmds[k].cc_more == NULL)
			usage_cmd(f, &cli_cmds[k]);
	for (k = 0; k < cli_ncmds; k++)
		if (cli_cmds[k].cc_more != NULL)
			usage_cmd(f, &cli_cmds[k]);
	fprintf(f,
	    "\n"
	    "  --json             the answer as one JSON document (doc/JSON.md)\n"
	    "  --control-socket P the control socket to use without -h (default $VNET_CONTROL,\n"
	    "                     else " CLI_SOCKET ")\n"
	    "  --ca F             verify the server against this CA instead of pinning\n"
	    "  --known-servers F  pinned server keys (default $HOME/.vnet/known_servers)\n"
	    "  --require-pin      refuse a server whose key is not pinned yet (with -s)\n"
	    "  --forget H[:P]     remove the pins of server H port P (4455), e.g. [fd00::1]:4455\n"
	    "  --timeout S        seconds to wait for the server (default 30)\n"
	    "  -q                 no warning about a password sent in clear\n"
	    "  --help, --version\n"
	    "\n"
	    "Long options take their value as --opt value or --opt=value.  On first contact\n"
	    "with a TLS server from a terminal, vnetclient shows its key and asks before\n"
	    "pinning it; otherwise it pins it and says so.\n"
	    "\n"
	    "Exit status: 0 OK, 1 the server answered NOK, 2 usage error, 3 connection,\n"
	    "TLS or certificate problem.\n");
}

static const struct cli_cmd *
find_cmd(const char *name)
{
	for (size_t k = 0; k < cli_ncmds; k++)
		if (strcmp(cli_cmds[k].cc_name, name) == 0)
			return &cli_cmds[k];
	return NULL;
}

static int
copy(char *dst, size_t len, const char *opt, const char *val, char *err, size_t errlen)
{
	if (val == NULL || *val == '\0') {
		snprintf(err, errlen, "%s needs a value", opt);
		return -1;
	}
	if (strlen(val) >= len) {
		snprintf(err, errlen, "%s: '%.40s' is too long", opt, val);
		return -1;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int
port(uint16_t *dst, const char *opt, const char *val, char *err, size_t errlen)
{
	uint32_t v;

	if (val == NULL || proto_parse_u32(val, 1, 65535, &v) != 0) {
		snprintf(err, errlen, "%s needs a port from 1 to 65535, got '%s'", opt,
		    val ? val : "");
		return -1;
	}
	*dst = (uint16_t)v;
	return 0;
}

static int
password(char *dst, bool *have, const char *opt, const char *val, char *err, size_t errlen)
{
	if (copy(dst, PROTO_PASS_MAX + 1, opt, val, err, errlen))
		return -1;
	if (!passfile_valid(dst)) {
		snprintf(err, errlen, "%s: a password has no blanks", opt);
		return -1;
	}
	*have = true;
	return 0;
}

/* what comes after -j: its first value, then every word up to the next
 * option (the seed's <addresses+>) */
static int
addresses(struct cli_opts *o, int argc, char **argv, const char *first, char *err, size_t errlen)
{
	const char *a = first;

	if (a == NULL || a[0] == '-') {
		snprintf(err, errlen, "-j needs at least one address");
		return -1;
	}
	for (;;) {
		if (o->co_naddrs == MAC_LIST_MAX) {
			snprintf(err, errlen, "-j: at most %d addresses", MAC_LIST_MAX);
			return -1;
		}
		o->co_addrs[o->co_naddrs++] = (char *)a;
		if (optind >= argc || argv[optind][0] == '-')
			return 0;
		a = argv[optind++];
	}
}

/* whether option -ch of a command may come here: after -c, in its cc_opts */
static int
cmd_place(const struct cli_opts *o, int ch, char *err, size_t errlen)
{
	const struct cli_cmd *cc = find_cmd(o->co_cmd);

	if (!o->co_cmd[0]) {
		snprintf(err, errlen, "-%c comes after -c <command>", ch);
		return -1;
	}
	if (cc == NULL || strchr(cc->cc_opts, ch) == NULL) {
		snprintf(err, errlen, "unexpected argument '-%c' for this command", ch);
		return -1;
	}
	return 0;
}

/* an option of a command, in its place */
static int
cmd_opt(struct cli_opts *o, int ch, const char *val, char *err, size_t errlen)
{
	char a[3] = { '-', (char)ch, '\0' };
	uint32_t v;

	if (cmd_place(o, ch, err, errlen))
		return -1;
	switch (ch) {
	case 'i':
		if (proto_parse_u32(val, 1, UINT32_MAX, &v)) {
			snprintf(err, errlen, "-i needs a handler number, got '%.40s'", val);
			return -1;
		}
		o->co_id = v;
		o->co_has_id = true;
		return 0;
	case 'n':
		return copy(o->co_name, sizeof(o->co_name), a, val, err, errlen);
	case 'm':
		return copy(o->co_mode, sizeof(o->co_mode), a, val, err, errlen);
	case 'a':
		return port(&o->co_port2, a, val, err, errlen);
	case 'b':
		return password(o->co_pw2, &o->co_have_pw2, a, val, err, errlen);
	case 'd':
		return copy(o->co_host2, sizeof(o->co_host2), a, val, err, errlen);
	case 'e':
		return copy(o->co_dev1, sizeof(o->co_dev1), a, val, err, errlen);
	case 'f':
		return copy(o->co_dev2, sizeof(o->co_dev2), a, val, err, errlen);
	case 'g':
		if (strcmp(val, "local") && strcmp(val, "remote")) {
			snprintf(err, errlen, "-g needs local or remote, got '%.40s'", val);
			return -1;
		}
		memcpy(o->co_cfg, val, strlen(val) + 1);
		return 0;
	}
	return -1;
}

static int
check_cmd(struct cli_opts *o, char *err, size_t errlen)
{
	char names[256] = "";
	size_t k;

	if ((o->co_cc = find_cmd(o->co_cmd)) == NULL) {
		for (k = 0; k < cli_ncmds; k++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			    k ? ", " : "", cli_cmds[k].cc_name);
		snprintf(err, errlen, "unknown command '%s' (%s)", o->co_cmd, names);
		return -1;
	}
	if (strcmp(o->co_cmd, "close") == 0 && !o->co_has_id) {
		snprintf(err, errlen, "close needs -i <id> (see -c handlers)");
		return -1;
	}
	if (strcmp(o->co_cmd, "conflict") == 0 && (!o->co_name[0] || !o->co_mode[0])) {
		snprintf(err, errlen, "conflict needs -n <process name> -m <abort|preempt>");
		return -1;
	}
	if (strcmp(o->co_cmd, "vadd") == 0 && o->co_mode[0] && strcmp(o->co_mode, "hide") != 0) {
		snprintf(err, errlen, "vadd -m '%s': the one mode is hide", o->co_mode);
		return -1;
	}
	if (strcmp(o->co_cmd, "helper") == 0 && (!o->co_name[0] || !o->co_mode[0])) {
		snprintf(err, errlen, "helper needs -n <process name> -m <keepalive|stop|"
		    "stop-always|exec:PATH|none|default>");
		return -1;
	}
	if ((strcmp(o->co_cmd, "vadd") == 0 || strcmp(o->co_cmd, "vdel") == 0) && !o->co_name[0]) {
		snprintf(err, errlen, "%s needs -n <process name>", o->co_cmd);
		return -1;
	}
	if (strcmp(o->co_cmd, "handle") == 0) {
		const char *miss = !o->co_host2[0] ? "-d <host2>" : !o->co_dev1[0] ? "-e <device1>" :
		    !o->co_dev2[0] ? "-f <device2>" : !o->co_cfg[0] ? "-g <local|remote>" :
		    !o->co_naddrs ? "-j <addresses+>" : NULL;
		struct mac_list l;
		if (miss) {
			snprintf(err, errlen, "handle needs %s", miss);
			return -1;
		}
		/* what the server would refuse, refused before a password is asked */
		if (mac_list_parse(o->co_addrs, o->co_naddrs, &l, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* --forget HOST[:PORT]: "[v6]:port", "host:port", a host alone (port
 * 4455), or an IPv6 address without brackets and port */
static int
forget_target(struct cli_opts *o, const char *val, char *err, size_t errlen)
{
	const char *colon = strrchr(val, ':'), *host = val;
	size_t hlen = strlen(val);

	o->co_port1 = 4455;
	if (val[0] == '[') {
		const char *close = strchr(val, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			snprintf(err, errlen, "--forget: '%.60s' is not HOST[:PORT] or [ADDRESS]:PORT",
			    val);
			return -1;
		}
		host = val + 1;
		hlen = (size_t)(close - host);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon && strchr(val, ':') != colon)
		colon = NULL;			/* an IPv6 address alone */
	else if (colon)
		hlen = (size_t)(colon - val);
	if (colon && port(&o->co_port1, "--forget", colon + 1, err, errlen))
		return -1;
	if (hlen == 0 || hlen > PROTO_HOST_MAX) {
		snprintf(err, errlen, "--forget: no host in '%.60s'", val);
		return -1;
	}
	memcpy(o->co_host1, host, hlen);
	o->co_host1[hlen] = '\0';
	o->co_forget = true;
	return 0;
}

/* the long options without a letter of their own */
enum { OPT_HELP = 256, OPT_VERSION, OPT_PASSFILE, OPT_CA, OPT_KNOWN, OPT_TIMEOUT, OPT_JSON,
	OPT_FORGET, OPT_REQUIRE_PIN, OPT_SOCKET };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "password-file", required_argument, NULL, OPT_PASSFILE },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "known-servers", required_argument, NULL, OPT_KNOWN },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "forget", required_argument, NULL, OPT_FORGET },
	{ "require-pin", no_argument, NULL, OPT_REQUIRE_PIN },
	{ "control-socket", required_argument, NULL, OPT_SOCKET },
	{ NULL, 0, NULL, 0 },
};
/* "+": options in order (-j reads the words after its value); ":": a
 * missing value told apart from an unknown option */
#define SHORTOPTS	"+:sqp:o:h:c:i:n:m:a:b:d:e:f:g:j:"

/* the option that getopt_long could not take, as it was written */
static void
bad_option(int ch, char **argv, char *err, size_t errlen)
{
	const char *a = argv[optind - 1];
	int n = (int)strcspn(a, "=");

	if (optopt > 0 && optopt < 256 && strncmp(a, "--", 2) != 0)
		snprintf(err, errlen, ch == ':' ? "-%c needs a value" : "unknown option '-%c'", optopt);
	else if (ch == ':')
		snprintf(err, errlen, "%.*s needs a value", n, a);
	else if (optopt >= 256)
		snprintf(err, errlen, "%.*s takes no value", n, a);
	else
		snprintf(err, errlen, "unknown option '%.*s'", n, a);
}

/* one global option (before or after -c) */
static int
global_opt(struct cli_opts *o, int ch, const char *val, bool *port_given, char *err,
    size_t errlen)
{
	uint32_t v;

	switch (ch) {
	case 's':
		o->co_tls = true;
		return 0;
	case 'q':
		o->co_quiet = true;
		return 0;
	case 'p':
		return password(o->co_pw1, &o->co_have_pw1, "-p", val, err, errlen);
	case OPT_PASSFILE:
		if (passfile_read(val, o->co_pw1, sizeof(o->co_pw1), err, errlen))
			return -1;
		o->co_have_pw1 = true;
		return 0;
	case 'o':
	case 'h':
		/* --forget's server is its own value */
		if (o->co_forget) {
			snprintf(err, errlen, "--forget names its server: no -%c with it", ch);
			return -1;
		}
		if (ch == 'h')
			return copy(o->co_host1, sizeof(o->co_host1), "-h", val, err, errlen);
		*port_given = true;
		return port(&o->co_port1, "-o", val, err, errlen);
	case 'c':
		return copy(o->co_cmd, sizeof(o->co_cmd), "-c", val, err, errlen);
	case OPT_CA:
	case OPT_KNOWN:
		return copy(ch == OPT_CA ? o->co_ca : o->co_known, PATH_MAX, ch == OPT_CA ? "--ca" :
		    "--known-servers", val, err, errlen);
	case OPT_TIMEOUT:
		if (proto_parse_u32(val, 1, 3600, &v)) {
			snprintf(err, errlen, "--timeout needs seconds from 1 to 3600");
			return -1;
		}
		o->co_timeout = v;
		return 0;
	case OPT_JSON:
		o->co_json = true;
		return 0;
	case OPT_REQUIRE_PIN:
		o->co_require_pin = true;
		return 0;
	case OPT_SOCKET:
		return copy(o->co_socket, sizeof(o->co_socket), "--control-socket", val, err, errlen);
	case OPT_FORGET:
		if (o->co_host1[0] || *port_given || o->co_forget) {
			snprintf(err, errlen, "--forget names its server: no -h or -o with it");
			return -1;
		}
		return forget_target(o, val, err, errlen);
	}
	return -1;
}

/* what goes with what: -h or the local socket, --forget alone */
static int
check_combination(struct cli_opts *o, bool port_given, char *err, size_t errlen)
{
	const char *env = getenv("VNET_CONTROL");

	if (o->co_forget) {
		if (o->co_cmd[0]) {
			snprintf(err, errlen, "--forget removes a pin: no -c with it");
			return -1;
		}
		return 0;
	}
	if (!o->co_cmd[0]) {
		snprintf(err, errlen, "-c <command> is required");
		return -1;
	}
	if (o->co_json && strcmp(o->co_cmd, "echo") == 0) {
		snprintf(err, errlen, "--json does not go with -c echo (answers are shown as sent)");
		return -1;
	}
	if (o->co_require_pin && !o->co_tls) {
		snprintf(err, errlen, "--require-pin needs -s (pins are for TLS servers)");
		return -1;
	}
	if (o->co_host1[0]) {
		if (o->co_socket[0]) {
			snprintf(err, errlen, "--control-socket is for use without -h");
			return -1;
		}
		return 0;
	}
	/* no -h: the local control socket, where there is no TLS nor password */
	if (o->co_tls || o->co_have_pw1 || port_given || o->co_ca[0]) {
		snprintf(err, errlen, "%s needs -h <host1> (without -h vnetclient uses the local "
		    "control socket)", o->co_tls ? "-s" : o->co_have_pw1 ? "a password" :
		    port_given ? "-o" : "--ca");
		return -1;
	}
	o->co_local = true;
	if (o->co_socket[0] == '\0' && env && env[0] &&
	    copy(o->co_socket, sizeof(o->co_socket), "VNET_CONTROL", env, err, errlen))
		return -1;
	if (o->co_socket[0] == '\0')
		snprintf(o->co_socket, sizeof(o->co_socket), "%s", CLI_SOCKET);
	return 0;
}

int
cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
	bool port_given = false;
	int ch, rc;

	memset(o, 0, sizeof(*o));
	o->co_port1 = o->co_port2 = 4455;
	o->co_timeout = 30;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, SHORTOPTS, longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_HELP:
			cli_usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("vnetclient %s (protocol %s)\n", VNET_VERSION, PROTO_VERSION);
			return 1;
		case ':':
		case '?':
			bad_option(ch, argv, err, errlen);
			return -1;
		case 'j':
			if (cmd_place(o, ch, err, errlen) ||
			    addresses(o, argc, argv, optarg, err, errlen))
				return -1;
			break;
		default:
			if (ch < 256 && strchr("iabdefgnm", ch))
				rc = cmd_opt(o, ch, optarg, err, errlen);
			else
				rc = global_opt(o, ch, optarg, &port_given, err, errlen);
			if (rc != 0)
				return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.60s'%s", argv[optind], o->co_cmd[0] ?
		    " for this command" : "");
		return -1;
	}
	if (check_combination(o, port_given, err, errlen))
		return -1;
	if (o->co_known[0] == '\0') {
		char dir[PATH_MAX - 32];
		if (tls_default_dir(dir, sizeof(dir)) == 0)
			snprintf(o->co_known, sizeof(o->co_known), "%s/known_servers", dir);
	}
	return o->co_forget ? 0 : check_cmd(o, err, errlen);
}
