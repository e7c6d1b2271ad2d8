/* opts: parse vnetclient's command line. */
#include <stdio.h>
#include <string.h>

#include "client/opts.h"
#include "common/passfile.h"
#include "common/tls.h"
#include "common/version.h"

void
cli_usage(FILE *f)
{
	fprintf(f,
	    "usage: vnetclient [-s] [-p password1] [-o port1] -h <host1> -c <command>\n"
	    "\n"
	    "  -s                 TLS 1.3 to the server (without it the password crosses in clear)\n"
	    "  -p <password1>     password of the server at host1 (default: prompt for it)\n"
	    "  --password-file F  read password1 from F (mode 0600) instead\n"
	    "  -o <port1>         port of that server (default 4455)\n"
	    "  -h <host1>         host of that server\n"
	    "  -c <command>       one of:\n"
	    "     echo              interactive session: type protocol lines, see answers\n"
	    "     handlers          list the active handlers\n"
	    "     devices           list the devices the server may use\n"
	    "     stats [-i <id>]   frame counters of every handler, or of one\n"
	    "     close -i <id>     close a handler\n"
	    "     procs             VNAT: the process names whose connections are virtualized\n"
	    "     vadd -n <name>    VNAT: add a process name (* = every connection of the host)\n"
	    "     vdel -n <name>    VNAT: remove a process name\n"
	    "     conns             VNAT: the virtualized connections: protocol, virtual local\n"
	    "                       and remote, physical local and remote, state, pid, name\n"
	    "     vstats            VNAT: counters (translations, kept addresses, VCMP messages\n"
	    "                       updated, unknown, refused; nftables errors)\n"
	    "     helper -n <name> -m <mode>  VNAT, on a peer: what to do for the connections\n"
	    "                       of process <name> while their other end is suspended:\n"
	    "                       keepalive, stop, stop-always, exec:/path, none\n"
	    "     conflict -n <name> -m <abort|preempt>  VNAT: when a moved connection of\n"
	    "                       <name> would take another connection's tuple: stay (abort,\n"
	    "                       the default) or shut the other one down (preempt)\n"
	    "     suspend           VNAT: record the connections as they are and tell their peers\n"
	    "     resume [-n <address>]  VNAT: re-home the connections whose address is gone\n"
	    "                       (or all, to the given address) and tell their peers\n"
	    "     handle [-a port2] [-b password2] -d <host2> -e <device1> -f <device2>\n"
	    "            -g <local|remote> -j <addresses+>\n"
	    "                       set up a handler between host1 and host2:\n"
	    "       -a <port2>      port of the second server (default 4455)\n"
	    "       -b <password2>  its password (default: prompt, after password1)\n"
	    "       -d <host2>      its host, as host1's server must reach it\n"
	    "       -e <device1>    device on host1's server; -f <device2>: on host2's\n"
	    "       -g local        host1 forwards frames whose destination is listed;\n"
	    "          remote       host1 forwards frames whose source is listed\n"
	    "       -j <addresses+> the VM's MAC first (never broadcast or multicast),\n"
	    "                       then e.g. ff:ff:ff:ff:ff:ff or a prefix like\n"
	    "                       33:33:00:00:00:00/16 (IPv6 multicast)\n"
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
	bool handle = strcmp(o->co_cmd, "handle") == 0;
	uint32_t v;
	int rc = 1;

	if ((strcmp(o->co_cmd, "close") == 0 || strcmp(o->co_cmd, "stats") == 0) &&
	    strcmp(a, "-i") == 0) {
		if (val == NULL || proto_parse_u32(val, 1, UINT32_MAX, &v)) {
			snprintf(err, errlen, "-i needs a handler number, got '%s'", val ? val : "");
			return -1;
		}
		o->co_id = v;
		o->co_has_id = true;
	} else if ((strcmp(o->co_cmd, "vadd") == 0 || strcmp(o->co_cmd, "vdel") == 0 ||
	    strcmp(o->co_cmd, "resume") == 0 || strcmp(o->co_cmd, "helper") == 0 ||
	    strcmp(o->co_cmd, "conflict") == 0) &&
	    strcmp(a, "-n") == 0) {
		rc = copy(o->co_name, sizeof(o->co_name), a, val, err, errlen) ? -1 : 1;
	} else if ((strcmp(o->co_cmd, "helper") == 0 || strcmp(o->co_cmd, "conflict") == 0) &&
	    strcmp(a, "-m") == 0) {
		rc = copy(o->co_mode, sizeof(o->co_mode), a, val, err, errlen) ? -1 : 1;
	} else if (!handle)
		return 0;
	else if (strcmp(a, "-a") == 0)
		rc = port(&o->co_port2, a, val, err, errlen) ? -1 : 1;
	else if (strcmp(a, "-b") == 0)
		rc = password(o->co_pw2, &o->co_have_pw2, a, val, err, errlen) ? -1 : 1;
	else if (strcmp(a, "-d") == 0)
		rc = copy(o->co_host2, sizeof(o->co_host2), a, val, err, errlen) ? -1 : 1;
	else if (strcmp(a, "-e") == 0)
		rc = copy(o->co_dev1, sizeof(o->co_dev1), a, val, err, errlen) ? -1 : 1;
	else if (strcmp(a, "-f") == 0)
		rc = copy(o->co_dev2, sizeof(o->co_dev2), a, val, err, errlen) ? -1 : 1;
	else if (strcmp(a, "-g") == 0) {
		if (val == NULL || (strcmp(val, "local") && strcmp(val, "remote"))) {
			snprintf(err, errlen, "-g needs local or remote, got '%s'", val ? val : "");
			return -1;
		}
		memcpy(o->co_cfg, val, strlen(val) + 1);
	} else if (strcmp(a, "-j") == 0) {
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
	} else
		return 0;
	if (rc == 1)
		(*i)++;
	return rc;
}

static int
check_cmd(struct cli_opts *o, char *err, size_t errlen)
{
	static const char *const cmds[] = { "echo", "handlers", "devices", "stats", "close",
	    "handle", "procs", "vadd", "vdel", "conns", "vstats", "helper", "conflict", "suspend", "resume" };
	size_t k;

	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (strcmp(o->co_cmd, cmds[k]) == 0)
			break;
	if (k == sizeof(cmds) / sizeof(cmds[0])) {
		snprintf(err, errlen, "unknown command '%s' (echo, handlers, devices, stats, "
		    "close, handle, procs, vadd, vdel, conns, vstats, helper, conflict, suspend, resume)", o->co_cmd);
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
