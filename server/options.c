/* options: the seed's command line, `vnet password [-s] -h <_|host> -p <port>
 * -d <devices>+`, plus long options for everything the seed did not have. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/passfile.h"
#include "common/tls.h"
#include "server/guard.h"
#include "server/server.h"
#include "server/standing.h"

#include "common/version.h"

void
opts_usage(FILE *f)
{
	fprintf(f,
	    "usage: vnet password [-s] -h <_|host> -p <port> -d <devices>+ [options]\n"
	    "       vnet --password-file FILE [-s] -h <_|host> -p <port> -d <devices>+ [options]\n"
	    "\n"
	    "  password            password clients and other servers must send in HELLO\n"
	    "  --password-file F   read the password from F (mode 0600, owned by root or you)\n"
	    "                      instead, so that it does not show in ps\n"
	    "  -s                  TLS 1.3 on every connection, accepted and made\n"
	    "  -h <_|host>         address to listen on; _ = every address\n"
	    "  -p <port>           port to listen on (default 4455)\n"
	    "  -d <devices>+       Ethernet devices handlers may use\n"
	    "\n"
	    "  --state-dir DIR     keys and known servers (default $HOME/.vnet)\n"
	    "  --cert F --key F    TLS identity (default DIR/cert.pem, DIR/key.pem;\n"
	    "                      a self-signed pair is created there on first start)\n"
	    "  --ca F              verify other servers against this CA instead of pinning\n"
	    "  --known-servers F   pinned server certificates (default DIR/known_servers)\n"
	    "  --auth-timeout S    close connections idle before HELLO after S seconds (30)\n"
	    "  --max-unauth N      connections that have not authenticated, in all (256,\n"
	    "                      at most a quarter of the descriptor limit); past it,\n"
	    "                      the oldest is closed\n"
	    "  --max-unauth-per-source N\n"
	    "                      the same from one IPv4 address or IPv6 /64 (32)\n"
	    "  --auth-penalty MS   after n wrong passwords from an address, its next HELLO\n"
	    "                      is answered n x MS later (at most 10 x MS; 100; 0: off)\n"
	    "  --idle-timeout S    close authenticated control sessions that sent no\n"
	    "                      request for S seconds (300; 0: never)\n"
	    "  --dial-timeout S    give up on a second server after S seconds (15)\n"
	    "  --queue-limit KIB   per handler, bytes waiting for the peer before frames\n"
	    "                      are dropped and counted (4096 KiB)\n"
	    "  --peer-timeout S    a handler whose peer is silent for S seconds has lost its\n"
	    "                      link: the server that dialled it dials again, the other\n"
	    "                      waits for it (15)\n"
	    "  --linger S          how long a handler whose link is lost waits for its\n"
	    "                      dialler to come back before it is closed (120)\n"
	    "  --storm-limit N     per handler, broadcast and multicast frames a second sent\n"
	    "                      to the peer; the excess is dropped and counted (1000;\n"
	    "                      0: no limit)\n"
	    "  -v, --verbose       more logging (repeat for debug); -q, --quiet: warnings only\n"
	    "  --daemon            detach and log to syslog\n"
	    "  --user NAME         once listening, run as NAME keeping only the capabilities\n"
	    "                      vnet needs (the state folder is handed to NAME)\n"
	    "  --vnat              also serve VNAT: accept VNAT_UPD from peers whose\n"
	    "                      connections moved (VCMP, TCP port 2031); with --vnat\n"
	    "                      -d may be left out\n"
	    "  --vcmp-port P       the VCMP port (2031)\n"
	    "  --vcmp-sessions N   VCMP sessions at once (64, at most 1024); when all are\n"
	    "                      in use the one idle longest gives way to a new one\n"
	    "  --vcmp-per-source N of them from one IPv4 address or IPv6 /64 (8); a new\n"
	    "                      one replaces that source's session idle longest\n"
	    "  --vcmp-deadline S   close a session that completes no message for S\n"
	    "                      seconds; bytes alone do not count (5, at most 3600)\n"
	    "  --vcmp-entries N    connections one session's exchange may hold before it\n"
	    "                      is validated (16384, 97 bytes each; at most 32768)\n"
	    "  --vcmp-pending N    the same for all sessions together (131072, at most\n"
	    "                      33554432); when short, the session idle longest gives way\n"
	    "  --vnat-secure       accept no update for a connection without a key agreed\n"
	    "                      at SUSPEND (otherwise keyless updates are accepted for\n"
	    "                      connections that never had a key, and logged)\n"
	    "  --help, --version\n");
}

static int
take_u32(const char *opt, const char *val, uint32_t min, uint32_t max, uint32_t *out,
    char *err, size_t errlen)
{
	if (val == NULL) {
		snprintf(err, errlen, "%s needs a value", opt);
		return -1;
	}
	if (proto_parse_u32(val, min, max, out) != 0) {
		snprintf(err, errlen, "%s: '%s' is not a number from %u to %u", opt, val, min, max);
		return -1;
	}
	return 0;
}

static int
take_str(const char *opt, const char *val, char *dst, size_t len, char *err, size_t errlen)
{
	if (val == NULL || *val == '\0') {
		snprintf(err, errlen, "%s needs a value", opt);
		return -1;
	}
	if (strlen(val) >= len) {
		snprintf(err, errlen, "%s: value too long", opt);
		return -1;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

/* the --vcmp-* limits (vnat/vlimit.h): 0 taken, -1 with err set, 1 when a
 * is none of them */
static int
take_vcmp(const char *a, const char *val, struct vcmp_limits *l, char *err, size_t errlen)
{
	const struct {
		const char	*name;
		uint32_t	 min, max;
		unsigned	*dst;
	} lim[] = {
		{ "--vcmp-sessions", 1, VLIMIT_SESSIONS_MAX, &l->vl_sessions },
		{ "--vcmp-per-source", 1, VLIMIT_SESSIONS_MAX, &l->vl_per_source },
		{ "--vcmp-deadline", 1, VLIMIT_DEADLINE_MAX, &l->vl_deadline },
		/* below one message's worth not even a seed-style exchange passes */
		{ "--vcmp-entries", VCMP_V2_MAX_ENTRIES, VLIMIT_ENTRIES_MAX, &l->vl_entries },
		{ "--vcmp-pending", VCMP_V2_MAX_ENTRIES, VLIMIT_PENDING_MAX, &l->vl_pending },
	};
	uint32_t v;

	for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++) {
		if (strcmp(a, lim[k].name) != 0)
			continue;
		if (take_u32(a, val, lim[k].min, lim[k].max, &v, err, errlen))
			return -1;
		*lim[k].dst = v;
		return 0;
	}
	return 1;
}

static int
finish(struct srv_opts *o, const char *pwfile, bool have_pw, char *err, size_t errlen)
{
	if (pwfile && have_pw) {
		snprintf(err, errlen, "give the password or --password-file, not both");
		return -1;
	}
	if (pwfile && passfile_read(pwfile, o->so_password, sizeof(o->so_password), err, errlen))
		return -1;
	if (!pwfile && !have_pw) {
		snprintf(err, errlen, "no password given (first argument, or --password-file)");
		return -1;
	}
	if (o->so_ndevs == 0 && !o->so_vnat) {
		snprintf(err, errlen, "-d <devices>+ is required (or --vnat for a host that only "
		    "migrates connections)");
		return -1;
	}
	if (o->so_host[0] == '\0') {
		snprintf(err, errlen, "-h <_|host> is required (_ listens on every address)");
		return -1;
	}
	if (o->so_statedir[0] == '\0' && tls_default_dir(o->so_statedir, sizeof(o->so_statedir))) {
		snprintf(err, errlen, "cannot find a state folder: use --state-dir");
		return -1;
	}
	if ((o->so_cert[0] == '\0' && snprintf(o->so_cert, sizeof(o->so_cert), "%s/cert.pem",
	    o->so_statedir) >= (int)sizeof(o->so_cert)) ||
	    (o->so_key[0] == '\0' && snprintf(o->so_key, sizeof(o->so_key), "%s/key.pem",
	    o->so_statedir) >= (int)sizeof(o->so_key)) ||
	    (o->so_known[0] == '\0' && snprintf(o->so_known, sizeof(o->so_known),
	    "%s/known_servers", o->so_statedir) >= (int)sizeof(o->so_known))) {
		snprintf(err, errlen, "--state-dir path too long");
		return -1;
	}
	return 0;
}

int
opts_parse(int argc, char **argv, struct srv_opts *o, char *err, size_t errlen)
{
	const char *pwfile = NULL;
	bool have_pw = false;
	uint32_t v;
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->so_port = 4455;
	o->so_auth_timeout = 30;
	o->so_dial_timeout = 15;
	o->so_queue_max = HANDLER_QUEUE_DEFAULT;
	o->so_storm_pps = HANDLER_STORM_DEFAULT;
	o->so_dead_after = HANDLER_DEAD_DEFAULT;
	o->so_linger = STAND_LINGER_DEFAULT;
	o->so_verbosity = LOG_LVL_INFO;
	o->so_vcmp_port = 2031;
	vlimit_defaults(&o->so_vcmp);
	o->so_max_unauth = 256;
	o->so_max_unauth_per_source = 32;
	o->so_auth_penalty = 100;
	o->so_idle_timeout = 300;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0) {
			opts_usage(stdout);
			return 1;
		} else if (strcmp(a, "--version") == 0) {
			printf("vnet %s (protocol %s)\n", VNET_VERSION, PROTO_VERSION);
			return 1;
		} else if (strcmp(a, "-s") == 0) {
			o->so_tls = true;
		} else if (strcmp(a, "-h") == 0) {
			if (take_str(a, val, o->so_host, sizeof(o->so_host), err, errlen))
				return -1;
			i++;
		} else if (strcmp(a, "-p") == 0) {
			if (take_u32(a, val, 1, 65535, &v, err, errlen))
				return -1;
			o->so_port = (uint16_t)v;
			i++;
		} else if (strcmp(a, "-d") == 0) {
			if (val == NULL || val[0] == '-') {
				snprintf(err, errlen, "-d needs at least one device");
				return -1;
			}
			while (i + 1 < argc && argv[i + 1][0] != '-') {
				const char *d = argv[++i];
				if (!proto_valid_dev(d)) {
					snprintf(err, errlen, "-d: '%s' is not a device name", d);
					return -1;
				}
				if (o->so_ndevs == SRV_DEVS_MAX) {
					snprintf(err, errlen, "-d: at most %d devices", SRV_DEVS_MAX);
					return -1;
				}
				memcpy(o->so_devs[o->so_ndevs++], d, strlen(d) + 1);
			}
		} else if (strcmp(a, "--password-file") == 0) {
			if (val == NULL) {
				snprintf(err, errlen, "%s needs a value", a);
				return -1;
			}
			pwfile = val;
			i++;
		} else if (strcmp(a, "--state-dir") == 0 || strcmp(a, "--cert") == 0 ||
		    strcmp(a, "--key") == 0 || strcmp(a, "--ca") == 0 ||
		    strcmp(a, "--known-servers") == 0) {
			char *dst = strcmp(a, "--state-dir") == 0 ? o->so_statedir :
			    strcmp(a, "--cert") == 0 ? o->so_cert : strcmp(a, "--key") == 0 ?
			    o->so_key : strcmp(a, "--ca") == 0 ? o->so_ca : o->so_known;
			if (take_str(a, val, dst, PATH_MAX, err, errlen))
				return -1;
			i++;
		} else if (strcmp(a, "--auth-timeout") == 0 || strcmp(a, "--dial-timeout") == 0) {
			if (take_u32(a, val, 1, 3600, &v, err, errlen))
				return -1;
			*(a[2] == 'a' ? &o->so_auth_timeout : &o->so_dial_timeout) = v;
			i++;
		} else if (strcmp(a, "--max-unauth") == 0 ||
		    strcmp(a, "--max-unauth-per-source") == 0) {
			if (take_u32(a, val, 1, GUARD_UNAUTH_MAX, &v, err, errlen))
				return -1;
			*(strcmp(a, "--max-unauth") == 0 ? &o->so_max_unauth : &o->so_max_unauth_per_source) = v;
			i++;
		} else if (strcmp(a, "--auth-penalty") == 0) {
			if (take_u32(a, val, 0, 10000, &v, err, errlen))
				return -1;
			o->so_auth_penalty = v;
			i++;
		} else if (strcmp(a, "--idle-timeout") == 0) {
			if (take_u32(a, val, 0, 86400, &v, err, errlen))
				return -1;
			o->so_idle_timeout = v;
			i++;
		} else if (strcmp(a, "--queue-limit") == 0) {
			if (take_u32(a, val, 64, 1024 * 1024, &v, err, errlen))
				return -1;
			o->so_queue_max = (size_t)v * 1024;
			i++;
		} else if (strcmp(a, "--peer-timeout") == 0 || strcmp(a, "--linger") == 0) {
			if (take_u32(a, val, a[2] == 'p' ? 3 : 1, a[2] == 'p' ? 3600 : 86400, &v, err,
			    errlen))
				return -1;
			*(a[2] == 'p' ? &o->so_dead_after : &o->so_linger) = v;
			i++;
		} else if (strcmp(a, "--storm-limit") == 0) {
			if (take_u32(a, val, 0, 10000000, &o->so_storm_pps, err, errlen))
				return -1;
			i++;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o->so_verbosity++;
		} else if (strcmp(a, "-vv") == 0) {
			o->so_verbosity += 2;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			o->so_verbosity = LOG_LVL_WARN;
		} else if (strcmp(a, "--daemon") == 0) {
			o->so_daemon = true;
		} else if (strcmp(a, "--user") == 0) {
			if (take_str(a, val, o->so_user, sizeof(o->so_user), err, errlen))
				return -1;
			i++;
		} else if (strcmp(a, "--vnat") == 0) {
			o->so_vnat = true;
		} else if (strcmp(a, "--vnat-secure") == 0) {
			o->so_vnat = o->so_vnat_secure = true;
		} else if (strcmp(a, "--vcmp-port") == 0) {
			if (take_u32(a, val, 1, 65535, &v, err, errlen))
				return -1;
			o->so_vcmp_port = (uint16_t)v;
			i++;
		} else if ((rc = take_vcmp(a, val, &o->so_vcmp, err, errlen)) <= 0) {
			if (rc < 0)
				return -1;
			i++;
		} else if (a[0] == '-' && a[1] != '\0') {
			snprintf(err, errlen, "unknown option '%s' (see vnet --help)", a);
			return -1;
		} else if (!have_pw && i == 1) {
			if (strlen(a) > PROTO_PASS_MAX || !passfile_valid(a)) {
				snprintf(err, errlen, "the password must be 1-%d characters without blanks",
				    PROTO_PASS_MAX);
				return -1;
			}
			memcpy(o->so_password, a, strlen(a) + 1);
			have_pw = true;
		} else {
			snprintf(err, errlen, "unexpected argument '%s' (the password comes first; "
			    "devices follow -d)", a);
			return -1;
		}
	}
	return finish(o, pwfile, have_pw, err, errlen);
}
