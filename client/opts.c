/* opts: parse vnetclient's command line. */
#include <stdio.h>
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
	    "  -h <host1>         host of that server\n"
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
	    "  --ca F             verify the server against this CA instead of pinning\n"
	    "  --known-servers F  pinned certificates (default $HOME/.vnet/known_servers)\n"
	    "  --timeout S        seconds to wait for the server (default 30)\n"
	    "  -q                 no warning about a password sent in clear\n"
	    "  --help, --version\n"
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

/* options that belong to a command (after -c); returns 1 if consumed */
static int
cmd_opt(struct cli_opts *o, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	const struct cli_cmd *cc = find_cmd(o->co_cmd);
	uint32_t v;
	int rc = 1;

	if (cc == NULL || a[0] != '-' || a[1] == '\0' || a[2] != '\0' ||
	    strchr(cc->cc_opts, a[1]) == NULL)
		return 0;
	switch (a[1]) {
	case 'i':
		if (val == NULL || proto_parse_u32(val, 1, UINT32_MAX, &v)) {
			snprintf(err, errlen, "-i needs a handler number, got '%s'", val ? val : "");
			return -1;
		}
		o->co_id = v;
		o->co_has_id = true;
		break;
	case 'n':
		rc = copy(o->co_name, sizeof(o->co_name), a, val, err, errlen) ? -1 : 1;
		break;
	case 'm':
		rc = copy(o->co_mode, sizeof(o->co_mode), a, val, err, errlen) ? -1 : 1;
		break;
	case 'a':
		rc = port(&o->co_port2, a, val, err, errlen) ? -1 : 1;
		break;
	case 'b':
		rc = password(o->co_pw2, &o->co_have_pw2, a, val, err, errlen) ? -1 : 1;
		break;
	case 'd':
		rc = copy(o->co_host2, sizeof(o->co_host2), a, val, err, errlen) ? -1 : 1;
		break;
	case 'e':
		rc = copy(o->co_dev1, sizeof(o->co_dev1), a, val, err, errlen) ? -1 : 1;
		break;
	case 'f':
		rc = copy(o->co_dev2, sizeof(o->co_dev2), a, val, err, errlen) ? -1 : 1;
		break;
	case 'g':
		if (val == NULL || (strcmp(val, "local") && strcmp(val, "remote"))) {
			snprintf(err, errlen, "-g needs local or remote, got '%s'", val ? val : "");
			return -1;
		}
		memcpy(o->co_cfg, val, strlen(val) + 1);
		break;
	case 'j':
		while (*i + 1 < argc && argv[*i + 1][0] != '-') {
			if (o->co_naddrs == MAC_LIST_MAX) {
				snprintf(err, errlen, "-j: at most %d addresses", MAC_LIST_MAX);
				return -1;
			}
			o->co_addrs[o->co_naddrs++] = argv[++*i];
		}
		if (o->co_naddrs == 0) {
			snprintf(err, errlen, "-j needs at least one address");
			return -1;
		}
		return 1;
	default:
		return 0;
	}
	if (rc == 1)
		(*i)++;
	return rc;
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
	if (strcmp(o->co_cmd, "helper") == 0 && (!o->co_name[0] || !o->co_mode[0])) {
		snprintf(err, errlen, "helper needs -n <process name> -m <keepalive|stop|"
		    "stop-always|exec:PATH|none>");
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
		if (miss) {
			snprintf(err, errlen, "handle needs %s", miss);
			return -1;
		}
	}
	return 0;
}

int
cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->co_port1 = o->co_port2 = 4455;
	o->co_timeout = 30;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (o->co_cmd[0] && (rc = cmd_opt(o, argc, argv, &i, err, errlen)) != 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			cli_usage(stdout);
			return 1;
		} else if (strcmp(a, "--version") == 0) {
			printf("vnetclient %s (protocol %s)\n", VNET_VERSION, PROTO_VERSION);
			return 1;
		} else if (strcmp(a, "-s") == 0) {
			o->co_tls = true;
			continue;
		} else if (strcmp(a, "-q") == 0) {
			o->co_quiet = true;
			continue;
		} else if (strcmp(a, "-p") == 0) {
			if (password(o->co_pw1, &o->co_have_pw1, a, val, err, errlen))
				return -1;
		} else if (strcmp(a, "--password-file") == 0) {
			if (val == NULL) {
				snprintf(err, errlen, "%s needs a value", a);
				return -1;
			}
			if (passfile_read(val, o->co_pw1, sizeof(o->co_pw1), err, errlen))
				return -1;
			o->co_have_pw1 = true;
		} else if (strcmp(a, "-o") == 0) {
			if (port(&o->co_port1, a, val, err, errlen))
				return -1;
		} else if (strcmp(a, "-h") == 0) {
			if (copy(o->co_host1, sizeof(o->co_host1), a, val, err, errlen))
				return -1;
		} else if (strcmp(a, "-c") == 0) {
			if (copy(o->co_cmd, sizeof(o->co_cmd), a, val, err, errlen))
				return -1;
		} else if (strcmp(a, "--ca") == 0 || strcmp(a, "--known-servers") == 0) {
			if (copy(a[2] == 'c' ? o->co_ca : o->co_known, PATH_MAX, a, val, err, errlen))
				return -1;
		} else if (strcmp(a, "--timeout") == 0) {
			uint32_t v;
			if (val == NULL || proto_parse_u32(val, 1, 3600, &v)) {
				snprintf(err, errlen, "--timeout needs seconds from 1 to 3600");
				return -1;
			}
			o->co_timeout = v;
		} else {
			snprintf(err, errlen, "unexpected argument '%s'%s", a, o->co_cmd[0] ?
			    " for this command" : " (see vnetclient --help)");
			return -1;
		}
		i++;
	}
	if (!o->co_host1[0] || !o->co_cmd[0]) {
		snprintf(err, errlen, "%s is required", !o->co_host1[0] ? "-h <host1>" : "-c <command>");
		return -1;
	}
	if (o->co_known[0] == '\0') {
		char dir[PATH_MAX - 32];
		if (tls_default_dir(dir, sizeof(dir)) == 0)
			snprintf(o->co_known, sizeof(o->co_known), "%s/known_servers", dir);
	}
	return check_cmd(o, err, errlen);
}
