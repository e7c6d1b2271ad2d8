/* options: the seed's command line, `vnet password [-s] -h <_|host> -p <port>
 * -d <devices>+`, plus long options for everything the seed did not have.
 * One table holds every option: its name (--NAME on the command line, NAME
 * in the configuration file, server/config.c), its short form, and the one
 * setter that validates and stores it for both. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <event2/util.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "common/passfile.h"
#include "common/tls.h"
#include "server/guard.h"
#include "server/server.h"
#include "server/standing.h"
#include "vnat/vnat.h"

#include "common/version.h"
#include "server/config.h"

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
	    "  -h <_|address>      address to listen on (IPv4 or IPv6; repeat for several);\n"
	    "                      _ = every IPv4 address, :: = every address\n"
	    "  -p <port>           port to listen on (default 4455)\n"
	    "  -d <devices>+       Ethernet devices handlers may use\n"
	    "\n"
	    "  --config FILE       read the options and standing handlers from FILE (INI;\n"
	    "                      the service's is " CONF_DEFAULT_PATH "); the command\n"
	    "                      line overrides it; SIGHUP re-reads it\n"
	    "  --state-dir DIR     keys, known servers, handlers and VNAT's state\n"
	    "                      (default $HOME/.vnet)\n"
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
	    "  --metrics A:P       serve Prometheus metrics on http://A:P/metrics (off;\n"
	    "                      IPv6 in brackets: [::1]:9100; no password: keep it local)\n"
	    "  --control-socket P  the local control socket: requests without a password\n"
	    "                      from root and --user's group (" SRV_CONTROL_DEFAULT ";\n"
	    "                      none: off)\n"
	    "  --dial-timeout S    give up on a second server after S seconds (15)\n"
	    "  --queue-limit KIB   per handler, bytes waiting for the peer before frames\n"
	    "                      are dropped and counted (4096 KiB)\n"
	    "  --queue-total MIB   all handlers together, bytes waiting for their peers\n"
	    "                      before frames are dropped and counted (256 MiB)\n"
	    "  --peer-timeout S    a handler whose peer is silent for S seconds has lost its\n"
	    "                      link: the server that dialled it dials again, the other\n"
	    "                      waits for it (15)\n"
	    "  --linger S          how long a handler whose link is lost waits for its\n"
	    "                      dialler to come back before it is closed (120)\n"
	    "  --max-handlers N    handlers on this server at most, waiting ones included;\n"
	    "                      more are refused (4096)\n"
	    "  --storm-limit N     per handler, broadcast and multicast frames a second sent\n"
	    "                      to the peer; the excess is dropped and counted (1000;\n"
	    "                      0: no limit)\n"
	    "  -v, --verbose       more logging (repeat for debug); -q, --quiet: warnings only\n"
	    "  --log-level L       warn, info or debug\n"
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
	    "  --vnat-proc NAME    virtualize the connections of processes named NAME\n"
	    "                      (* = every process; repeat for several)\n"
	    "  --vnat-helper NAME=MODE\n"
	    "                      migration helper for NAME's connections: keepalive (the\n"
	    "                      default), stop, stop-always, none, default or exec:/path\n"
	    "                      (repeatable)\n"
	    "  --vnat-conflict NAME=POLICY\n"
	    "                      address conflicts of NAME: abort or preempt (repeatable)\n"
	    "  --fingerprint       print the fingerprints of this server's key and\n"
	    "                      certificate (made if missing) and exit\n"
	    "  --vnat-flush        remove what --vnat left for a restart (its nftables\n"
	    "                      tables, the old addresses kept on lo, the state file\n"
	    "                      DIR/vnat.state; arp_announce put back) and exit;\n"
	    "                      refused while a vnet --vnat runs on DIR\n"
	    "  --help, --version\n"
	    "Long options take their value as --opt value or --opt=value.\n");
}

struct opt;
typedef int (*opt_setter)(struct srv_opts *, const struct opt *, const char *shown,
    const char *val, char *err, size_t errlen);

enum opt_arg {
	OA_FLAG,	/* no value on the command line; yes/no in the file */
	OA_ONE,		/* one value */
	OA_MANY,	/* command line: the values up to the next option; file: blank-separated */
};
#define OW_CMD	1	/* on the command line */
#define OW_FILE	2	/* in the configuration file */

struct opt {
	const char	*o_name;	/* --NAME on the command line, NAME in the file */
	const char	*o_short;	/* "-p", or NULL */
	enum opt_arg	 o_arg;
	unsigned	 o_where;
	opt_setter	 o_set;
	size_t		 o_off;		/* the field, for the generic setters */
	uint32_t	 o_min, o_max;
	void		(*o_clear)(struct srv_opts *);	/* a list: emptied by a new source */
	const char	*o_excl;	/* not with this one in the same source */
};

#define OFF(f)	offsetof(struct srv_opts, f)

static int
take_u32(const char *opt, const char *val, uint32_t min, uint32_t max, uint32_t *out,
    char *err, size_t errlen)
{
	if (val == NULL || *val == '\0') {
		snprintf(err, errlen, "%s needs a value", opt);
		return -1;
	}
	if (proto_parse_u32(val, min, max, out) != 0) {
		snprintf(err, errlen, "%s: '%s' is not a number from %u to %u", opt, val, min, max);
		return -1;
	}
	return 0;
}

/* a number into an unsigned field (uint32_t is unsigned int here) */
static int
set_u32(struct srv_opts *o, const struct opt *op, const char *shown, const char *val, char *err,
    size_t errlen)
{
	uint32_t v;

	if (take_u32(shown, val, op->o_min, op->o_max, &v, err, errlen))
		return -1;
	*(unsigned *)(void *)((char *)o + op->o_off) = v;
	return 0;
}

static int
set_u16(struct srv_opts *o, const struct opt *op, const char *shown, const char *val, char *err,
    size_t errlen)
{
	uint32_t v;

	if (take_u32(shown, val, op->o_min, op->o_max, &v, err, errlen))
		return -1;
	*(uint16_t *)(void *)((char *)o + op->o_off) = (uint16_t)v;
	return 0;
}

static int
set_queue(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	uint32_t v;

	if (take_u32(shown, val, op->o_min, op->o_max, &v, err, errlen))
		return -1;
	o->so_queue_max = (size_t)v * 1024;
	return 0;
}

static int
set_queue_total(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	uint32_t v;

	if (take_u32(shown, val, op->o_min, op->o_max, &v, err, errlen))
		return -1;
	o->so_queue_total = (size_t)v * 1024 * 1024;
	return 0;
}

static int
set_path(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	char *dst = (char *)o + op->o_off;

	if (val == NULL || *val == '\0') {
		snprintf(err, errlen, "%s needs a value", shown);
		return -1;
	}
	if (strlen(val) >= PATH_MAX) {
		snprintf(err, errlen, "%s: value too long", shown);
		return -1;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

/* ADDR:PORT, an IP address (IPv6 in brackets) and a port: no names, so
 * that what is listened on does not depend on a resolver at start */
static int
set_metrics(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int sl = sizeof(ss);
	uint16_t port = 0;

	(void)op;
	if (val && strlen(val) < sizeof(o->so_metrics) &&
	    evutil_parse_sockaddr_port(val, (struct sockaddr *)&ss, &sl) == 0)
		port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	if (port == 0) {
		snprintf(err, errlen, "%s: '%.60s' is not ADDR:PORT (an IP address and a port: "
		    "127.0.0.1:9100, [::1]:9100)", shown, val ? val : "");
		return -1;
	}
	memcpy(o->so_metrics, val, strlen(val) + 1);
	return 0;
}

/* a path for the local control socket (sun_path's size bounds it), or
 * none */
static int
set_control(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	struct sockaddr_un sun;

	(void)op;
	if (val == NULL || (val[0] != '/' && strcmp(val, "none") != 0)) {
		snprintf(err, errlen, "%s: '%.60s' is not an absolute path (or none)", shown,
		    val ? val : "");
		return -1;
	}
	if (strlen(val) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: longer than %zu characters", shown,
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(o->so_control, val, strlen(val) + 1);
	return 0;
}

static int
set_user(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	if (val == NULL || *val == '\0') {
		snprintf(err, errlen, "%s needs a value", shown);
		return -1;
	}
	if (strlen(val) >= sizeof(o->so_user)) {
		snprintf(err, errlen, "%s: value too long", shown);
		return -1;
	}
	memcpy(o->so_user, val, strlen(val) + 1);
	return 0;
}

/* a flag: given alone on the command line, yes/no (true/false, on/off,
 * 1/0) in the file */
static int
take_bool(const char *shown, const char *val, bool *out, char *err, size_t errlen)
{
	static const char *yes[] = { "yes", "true", "on", "1" }, *no[] = { "no", "false", "off", "0" };

	if (val == NULL) {
		*out = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(val, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(val, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	snprintf(err, errlen, "%s: '%.40s' is neither yes nor no", shown, val);
	return -1;
}

static int
set_flag(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	return take_bool(shown, val, (bool *)(void *)((char *)o + op->o_off), err, errlen);
}

static int
set_vnat_secure(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	if (take_bool(shown, val, &o->so_vnat_secure, err, errlen))
		return -1;
	if (o->so_vnat_secure)
		o->so_vnat = true;
	return 0;
}

static int
set_password(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	(void)shown;
	if (val == NULL || strlen(val) > PROTO_PASS_MAX || !passfile_valid(val)) {
		snprintf(err, errlen, "the password must be 1-%d characters without blanks",
		    PROTO_PASS_MAX);
		return -1;
	}
	memcpy(o->so_password, val, strlen(val) + 1);
	o->so_pwfile[0] = '\0';
	return 0;
}

static int
set_pwfile(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	if (set_path(o, op, shown, val, err, errlen))
		return -1;
	OPENSSL_cleanse(o->so_password, sizeof(o->so_password));
	return 0;
}

static int
set_listen(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	char spec[PROTO_HOST_MAX + 16];
	int sl = sizeof(ss);

	(void)op;
	if (val == NULL || *val == '\0' || strlen(val) > PROTO_HOST_MAX) {
		snprintf(err, errlen, "%s needs an address", shown);
		return -1;
	}
	snprintf(spec, sizeof(spec), strchr(val, ':') ? "[%s]:1" : "%s:1", val);
	if (strcmp(val, "_") != 0 && evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss,
	    &sl) != 0) {
		snprintf(err, errlen, "%s: '%.60s' is not an IP address (give an address of this "
		    "host, _ or ::)", shown, val);
		return -1;
	}
	for (size_t i = 0; i < o->so_nlisten; i++)
		if (strcmp(o->so_listen[i], val) == 0)
			return 0;
	if (o->so_nlisten == SRV_LISTEN_MAX) {
		snprintf(err, errlen, "%s: at most %d addresses", shown, SRV_LISTEN_MAX);
		return -1;
	}
	memcpy(o->so_listen[o->so_nlisten++], val, strlen(val) + 1);
	return 0;
}

static void
clear_listen(struct srv_opts *o)
{
	o->so_nlisten = 0;
}

static int
set_dev(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	if (val == NULL || !proto_valid_dev(val)) {
		snprintf(err, errlen, "%s: '%s' is not a device name", shown, val ? val : "");
		return -1;
	}
	for (size_t i = 0; i < o->so_ndevs; i++)
		if (strcmp(o->so_devs[i], val) == 0)
			return 0;
	if (o->so_ndevs == SRV_DEVS_MAX) {
		snprintf(err, errlen, "%s: at most %d devices", shown, SRV_DEVS_MAX);
		return -1;
	}
	memcpy(o->so_devs[o->so_ndevs++], val, strlen(val) + 1);
	return 0;
}

static void
clear_devs(struct srv_opts *o)
{
	o->so_ndevs = 0;
}

static int
set_verbose(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	(void)shown;
	(void)val;
	(void)err;
	(void)errlen;
	o->so_verbosity++;
	return 0;
}

static int
set_quiet(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	(void)shown;
	(void)val;
	(void)err;
	(void)errlen;
	o->so_verbosity = LOG_LVL_WARN;
	return 0;
}

static int
set_loglevel(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	if (val && strcmp(val, "warn") == 0)
		o->so_verbosity = LOG_LVL_WARN;
	else if (val && strcmp(val, "info") == 0)
		o->so_verbosity = LOG_LVL_INFO;
	else if (val && strcmp(val, "debug") == 0)
		o->so_verbosity = LOG_LVL_DEBUG;
	else {
		snprintf(err, errlen, "%s: '%.20s': use warn, info or debug", shown, val ? val : "");
		return -1;
	}
	return 0;
}

/* a process name as VNAT ADD takes it */
static bool
valid_proc(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= SRV_NAME_MAX && passfile_valid(name) && strchr(name, '=') == NULL;
}

static int
set_vproc(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	(void)op;
	if (val == NULL || !valid_proc(val)) {
		snprintf(err, errlen, "%s: '%.40s' is not a process name (1-%d characters, no "
		    "blanks; * = every process)", shown, val ? val : "", SRV_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < o->so_nvprocs; i++)
		if (strcmp(o->so_vprocs[i], val) == 0)
			return 0;
	if (o->so_nvprocs == SRV_VNAT_MAX) {
		snprintf(err, errlen, "%s: at most %d names", shown, SRV_VNAT_MAX);
		return -1;
	}
	memcpy(o->so_vprocs[o->so_nvprocs++], val, strlen(val) + 1);
	return 0;
}

static void
clear_vprocs(struct srv_opts *o)
{
	o->so_nvprocs = 0;
}

/* NAME=VALUE into a list of settings (a later one for NAME replaces it) */
static int
take_vset(const char *shown, const char *val, struct srv_vset *set, size_t *n, char *err,
    size_t errlen)
{
	const char *eq = val ? strchr(val, '=') : NULL;
	struct srv_vset v;
	size_t i;

	memset(&v, 0, sizeof(v));
	if (eq == NULL || eq == val || (size_t)(eq - val) > SRV_NAME_MAX ||
	    strlen(eq + 1) > SRV_MODE_MAX) {
		snprintf(err, errlen, "%s: '%.60s' is not NAME=VALUE (a process name of at most "
		    "%d characters)", shown, val ? val : "", SRV_NAME_MAX);
		return -1;
	}
	memcpy(v.vs_name, val, (size_t)(eq - val));
	memcpy(v.vs_value, eq + 1, strlen(eq + 1) + 1);
	if (!valid_proc(v.vs_name)) {
		snprintf(err, errlen, "%s: '%.40s' is not a process name", shown, v.vs_name);
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (strcmp(set[i].vs_name, v.vs_name) == 0)
			break;
	if (i == SRV_VNAT_MAX) {
		snprintf(err, errlen, "%s: at most %d names", shown, SRV_VNAT_MAX);
		return -1;
	}
	set[i] = v;
	if (i == *n)
		(*n)++;
	return 0;
}

static int
set_vhelper(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	const char *eq = val ? strchr(val, '=') : NULL;
	char why[300];

	(void)op;
	if (eq && vnat_helper_check(eq + 1, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", shown, why);
		return -1;
	}
	return take_vset(shown, val, o->so_vhelpers, &o->so_nvhelpers, err, errlen);
}

static void
clear_vhelpers(struct srv_opts *o)
{
	o->so_nvhelpers = 0;
}

static int
set_vconflict(struct srv_opts *o, const struct opt *op, const char *shown, const char *val,
    char *err, size_t errlen)
{
	const char *eq = val ? strchr(val, '=') : NULL;
	char why[300];

	(void)op;
	if (eq && vnat_conflict_check(eq + 1, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", shown, why);
		return -1;
	}
	return take_vset(shown, val, o->so_vconflicts, &o->so_nvconflicts, err, errlen);
}

static void
clear_vconflicts(struct srv_opts *o)
{
	o->so_nvconflicts = 0;
}

static const struct opt opts[] = {
	{ "password", NULL, OA_ONE, OW_FILE, set_password, 0, 0, 0, NULL, "password-file" },
	{ "password-file", NULL, OA_ONE, OW_CMD | OW_FILE, set_pwfile, OFF(so_pwfile), 0, 0,
	    NULL, "password" },
	{ "config", NULL, OA_ONE, OW_CMD, set_path, OFF(so_config), 0, 0, NULL, NULL },
	{ "tls", "-s", OA_FLAG, OW_CMD | OW_FILE, set_flag, OFF(so_tls), 0, 0, NULL, NULL },
	{ "listen", "-h", OA_ONE, OW_CMD | OW_FILE, set_listen, 0, 0, 0, clear_listen, NULL },
	{ "port", "-p", OA_ONE, OW_CMD | OW_FILE, set_u16, OFF(so_port), 1, 65535, NULL, NULL },
	{ "devices", "-d", OA_MANY, OW_CMD | OW_FILE, set_dev, 0, 0, 0, clear_devs, NULL },
	{ "state-dir", NULL, OA_ONE, OW_CMD | OW_FILE, set_path, OFF(so_statedir), 0, 0, NULL,
	    NULL },
	{ "cert", NULL, OA_ONE, OW_CMD | OW_FILE, set_path, OFF(so_cert), 0, 0, NULL, NULL },
	{ "key", NULL, OA_ONE, OW_CMD | OW_FILE, set_path, OFF(so_key), 0, 0, NULL, NULL },
	{ "ca", NULL, OA_ONE, OW_CMD | OW_FILE, set_path, OFF(so_ca), 0, 0, NULL, NULL },
	{ "known-servers", NULL, OA_ONE, OW_CMD | OW_FILE, set_path, OFF(so_known), 0, 0, NULL,
	    NULL },
	{ "auth-timeout", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_auth_timeout), 1, 3600,
	    NULL, NULL },
	{ "dial-timeout", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_dial_timeout), 1, 3600,
	    NULL, NULL },
	{ "max-unauth", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_max_unauth), 1,
	    GUARD_UNAUTH_MAX, NULL, NULL },
	{ "max-unauth-per-source", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32,
	    OFF(so_max_unauth_per_source), 1, GUARD_UNAUTH_MAX, NULL, NULL },
	{ "auth-penalty", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_auth_penalty), 0, 10000,
	    NULL, NULL },
	{ "idle-timeout", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_idle_timeout), 0, 86400,
	    NULL, NULL },
	{ "metrics", NULL, OA_ONE, OW_CMD | OW_FILE, set_metrics, 0, 0, 0, NULL, NULL },
	{ "control-socket", NULL, OA_ONE, OW_CMD | OW_FILE, set_control, 0, 0, 0, NULL, NULL },
	{ "fingerprint", NULL, OA_FLAG, OW_CMD, set_flag, OFF(so_fingerprint), 0, 0, NULL, NULL },
	{ "vnat-flush", NULL, OA_FLAG, OW_CMD, set_flag, OFF(so_vnat_flush), 0, 0, NULL, NULL },
	{ "queue-limit", NULL, OA_ONE, OW_CMD | OW_FILE, set_queue, 0, 64, 1024 * 1024, NULL,
	    NULL },
	{ "queue-total", NULL, OA_ONE, OW_CMD | OW_FILE, set_queue_total, 0, 1, 1024 * 1024,
	    NULL, NULL },
	{ "peer-timeout", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_dead_after), 3, 3600,
	    NULL, NULL },
	{ "max-handlers", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_max_handlers), 1,
	    65535, NULL, NULL },
	{ "linger", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_linger), 1, 86400, NULL,
	    NULL },
	{ "storm-limit", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_storm_pps), 0, 10000000,
	    NULL, NULL },
	{ "verbose", "-v", OA_FLAG, OW_CMD, set_verbose, 0, 0, 0, NULL, NULL },
	{ "quiet", "-q", OA_FLAG, OW_CMD, set_quiet, 0, 0, 0, NULL, NULL },
	{ "log-level", NULL, OA_ONE, OW_CMD | OW_FILE, set_loglevel, 0, 0, 0, NULL, NULL },
	{ "daemon", NULL, OA_FLAG, OW_CMD | OW_FILE, set_flag, OFF(so_daemon), 0, 0, NULL, NULL },
	{ "user", NULL, OA_ONE, OW_CMD | OW_FILE, set_user, 0, 0, 0, NULL, NULL },
	{ "vnat", NULL, OA_FLAG, OW_CMD | OW_FILE, set_flag, OFF(so_vnat), 0, 0, NULL, NULL },
	{ "vnat-secure", NULL, OA_FLAG, OW_CMD | OW_FILE, set_vnat_secure, 0, 0, 0, NULL, NULL },
	{ "vcmp-port", NULL, OA_ONE, OW_CMD | OW_FILE, set_u16, OFF(so_vcmp_port), 1, 65535, NULL,
	    NULL },
	{ "vcmp-sessions", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_vcmp.vl_sessions), 1,
	    VLIMIT_SESSIONS_MAX, NULL, NULL },
	{ "vcmp-per-source", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_vcmp.vl_per_source),
	    1, VLIMIT_SESSIONS_MAX, NULL, NULL },
	{ "vcmp-deadline", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_vcmp.vl_deadline), 1,
	    VLIMIT_DEADLINE_MAX, NULL, NULL },
	/* below one message's worth not even a seed-style exchange passes */
	{ "vcmp-entries", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_vcmp.vl_entries),
	    VCMP_V2_MAX_ENTRIES, VLIMIT_ENTRIES_MAX, NULL, NULL },
	{ "vcmp-pending", NULL, OA_ONE, OW_CMD | OW_FILE, set_u32, OFF(so_vcmp.vl_pending),
	    VCMP_V2_MAX_ENTRIES, VLIMIT_PENDING_MAX, NULL, NULL },
	{ "vnat-proc", NULL, OA_ONE, OW_CMD | OW_FILE, set_vproc, 0, 0, 0, clear_vprocs, NULL },
	{ "vnat-helper", NULL, OA_ONE, OW_CMD | OW_FILE, set_vhelper, 0, 0, 0, clear_vhelpers,
	    NULL },
	{ "vnat-conflict", NULL, OA_ONE, OW_CMD | OW_FILE, set_vconflict, 0, 0, 0,
	    clear_vconflicts, NULL },
};
#define NOPTS	(sizeof(opts) / sizeof(opts[0]))
_Static_assert(NOPTS <= OPTS_MAX, "struct opts_src holds every option");

static int
opt_index(const char *key, unsigned where)
{
	for (size_t k = 0; k < NOPTS; k++)
		if ((opts[k].o_where & where) && strcmp(opts[k].o_name, key) == 0)
			return (int)k;
	return -1;
}

/* one value of option k from src */
static int
opt_apply(struct srv_opts *o, struct opts_src *src, size_t k, const char *shown,
    const char *val, char *err, size_t errlen)
{
	const struct opt *op = &opts[k];
	int x;

	if (op->o_excl && (x = opt_index(op->o_excl, OW_CMD | OW_FILE)) >= 0 && src->os_seen[x]) {
		snprintf(err, errlen, "give the password or --password-file, not both");
		return -1;
	}
	if (src->os_file && !op->o_clear && src->os_seen[k]) {
		snprintf(err, errlen, "%s is already given on line %u", shown, src->os_seen[k]);
		return -1;
	}
	if (op->o_clear && !src->os_seen[k])
		op->o_clear(o);
	src->os_seen[k] = src->os_line ? src->os_line : 1;
	return op->o_set(o, op, shown, val, err, errlen);
}

void
opts_defaults(struct srv_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->so_port = 4455;
	o->so_auth_timeout = 30;
	o->so_dial_timeout = 15;
	o->so_queue_max = HANDLER_QUEUE_DEFAULT;
	o->so_queue_total = HANDLER_QUEUE_TOTAL_DEFAULT;
	o->so_storm_pps = HANDLER_STORM_DEFAULT;
	o->so_dead_after = HANDLER_DEAD_DEFAULT;
	o->so_linger = STAND_LINGER_DEFAULT;
	o->so_max_handlers = 4096;
	o->so_verbosity = LOG_LVL_INFO;
	o->so_vcmp_port = 2031;
	vlimit_defaults(&o->so_vcmp);
	o->so_max_unauth = 256;
	o->so_max_unauth_per_source = 32;
	o->so_auth_penalty = 100;
	o->so_idle_timeout = 300;
}

int
opts_set(struct srv_opts *o, struct opts_src *src, const char *key, const char *val,
    char *err, size_t errlen)
{
	int k = opt_index(key, src->os_file ? OW_FILE : OW_CMD);
	char *copy, *tok, *save;
	int rc = 0;

	if (k < 0) {
		snprintf(err, errlen, "unknown key '%.60s'", key);
		return -1;
	}
	if (opts[k].o_clear == NULL)
		return opt_apply(o, src, (size_t)k, key, val, err, errlen);
	/* a list in one value: blank-separated (and the key may be repeated) */
	if (val == NULL || (copy = strdup(val)) == NULL) {
		snprintf(err, errlen, "%s needs a value", key);
		return -1;
	}
	if ((tok = strtok_r(copy, " \t", &save)) == NULL) {
		snprintf(err, errlen, "%s needs a value", key);
		rc = -1;
	}
	for (; tok && rc == 0; tok = strtok_r(NULL, " \t", &save))
		rc = opt_apply(o, src, (size_t)k, key, tok, err, errlen);
	free(copy);
	return rc;
}

const char *
opts_config_path(int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
	}
	return path;
}

/* getopt_long's codes: a short option's letter, or OPT_LONG + its index in
 * opts[] for one without */
#define OPT_LONG	256
#define OPT_HELP	(OPT_LONG + (int)NOPTS)
#define OPT_VERSION	(OPT_HELP + 1)

/* the getopt_long tables, made from opts[] so that it stays the one list:
 * RETURN_IN_ORDER ("-") hands over the password and -d's values in their
 * place, ":" reports a missing value instead of printing it */
static void
cmd_tables(struct option *lo, char *shorts, size_t slen)
{
	size_t n = 0, k;

	snprintf(shorts, slen, "-:");
	for (k = 0; k < NOPTS; k++) {
		const struct opt *op = &opts[k];
		if (!(op->o_where & OW_CMD))
			continue;
		lo[n].name = op->o_name;
		lo[n].has_arg = op->o_arg == OA_FLAG ? no_argument : required_argument;
		lo[n].flag = NULL;
		lo[n].val = op->o_short ? op->o_short[1] : OPT_LONG + (int)k;
		n++;
		if (op->o_short) {
			size_t l = strlen(shorts);
			snprintf(shorts + l, slen - l, "%c%s", op->o_short[1],
			    op->o_arg == OA_FLAG ? "" : ":");
		}
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	lo[n++] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* the option of a getopt code, and how the user wrote it (for messages) */
static int
code_opt(int code, char *shown, size_t len)
{
	for (size_t k = 0; k < NOPTS; k++) {
		const struct opt *op = &opts[k];
		if (!(op->o_where & OW_CMD))
			continue;
		if ((op->o_short && code == op->o_short[1]) || code == OPT_LONG + (int)k) {
			if (op->o_short && code == op->o_short[1])
				snprintf(shown, len, "%s", op->o_short);
			else
				snprintf(shown, len, "--%s", op->o_name);
			return (int)k;
		}
	}
	return -1;
}

/* how the user wrote the option getopt_long returned: its long name when
 * it came as one (li, the long index, set), else its letter */
static void
code_shown(const struct option *lo, int li, int code, char *shown, size_t len)
{
	if (li >= 0)
		snprintf(shown, len, "--%s", lo[li].name);
	else
		snprintf(shown, len, "-%c", code);
}

/* getopt_long takes a unique prefix of a long option; vnet does not, so
 * that "--password s3cret" is not read as --password-file (and a name
 * added later cannot change what a prefix meant): the option as typed,
 * the argument before a separate value, must be the whole name */
static bool
abbreviated(char **argv, const struct option *lo, char *err, size_t errlen)
{
	const char *a = argv[optind - (optarg && optarg == argv[optind - 1] ? 2 : 1)];
	size_t n = strcspn(a + 2, "=");

	if (strncmp(a, "--", 2) == 0 && n == strlen(lo->name))
		return false;
	snprintf(err, errlen, "unknown option '%.*s'", (int)(n + 2), a);
	return true;
}

/* the option whose value is missing, as written: the last argument */
static void
missing_shown(char **argv, int code, char *shown, size_t len)
{
	const char *a = optind > 1 ? argv[optind - 1] : "";

	if (strncmp(a, "--", 2) == 0)
		snprintf(shown, len, "%.*s", (int)strcspn(a, "="), a);
	else if (code_opt(code, shown, len) < 0)
		snprintf(shown, len, "-%c", code);
}

/* why getopt_long refused argv[optind - 1]: unknown (or a prefix, which
 * getopt_long calls ambiguous), or a flag given a value */
static void
bad_option(char **argv, int code, char *err, size_t errlen)
{
	const char *a = optind > 1 ? argv[optind - 1] : "";
	char shown[80];

	if (code >= OPT_LONG || (code > 0 && code_opt(code, shown, sizeof(shown)) >= 0 &&
	    strncmp(a, "--", 2) == 0))
		snprintf(err, errlen, "%.*s takes no value", (int)strcspn(a, "="), a);
	else if (code > 0)
		snprintf(err, errlen, "unknown option '-%c'", code);
	else
		snprintf(err, errlen, "unknown option '%.*s'", (int)strcspn(a, "="), a);
}

/* a value that is not an option's: the password (the first argument), one
 * more of a list (-d's devices), or out of place */
static int
loose_arg(struct srv_opts *o, struct opts_src *src, const char *a, bool first, int many,
    const char *many_shown, char *err, size_t errlen)
{
	if (many >= 0)
		return opt_apply(o, src, (size_t)many, many_shown, a, err, errlen);
	if (first)
		return opt_apply(o, src, (size_t)opt_index("password", OW_FILE), a, a, err, errlen);
	snprintf(err, errlen, "unexpected argument '%s' (the password comes first; devices "
	    "follow -d)", a);
	return -1;
}

int
opts_cmdline(int argc, char **argv, struct srv_opts *o, char *err, size_t errlen)
{
	struct option lo[NOPTS + 3];
	char shorts[2 * NOPTS + 3], shown[80], many_shown[80] = "";
	struct opts_src src;
	int code, k, li, many = -1;

	memset(&src, 0, sizeof(src));
	cmd_tables(lo, shorts, sizeof(shorts));
	opterr = 0;
	optind = 0;	/* a full restart: SIGHUP parses argv again */
	for (;;) {
		li = -1;
		if ((code = getopt_long(argc, argv, shorts, lo, &li)) == -1)
			break;
		if (code == 1) {
			if (loose_arg(o, &src, optarg, optind == 2 && argv[1] == optarg, many,
			    many_shown, err, errlen))
				return -1;
			continue;
		}
		many = -1;
		if (li >= 0 && abbreviated(argv, &lo[li], err, errlen))
			return -1;
		if (code == OPT_HELP) {
			opts_usage(stdout);
			return 1;
		}
		if (code == OPT_VERSION) {
			printf("vnet %s (protocol %s)\n", VNET_VERSION, PROTO_VERSION);
			return 1;
		}
		if (code == '?') {
			bad_option(argv, optopt, err, errlen);
			return -1;
		}
		if (code == ':') {
			missing_shown(argv, optopt, shown, sizeof(shown));
			k = code_opt(optopt, many_shown, sizeof(many_shown));
			if (k >= 0 && opts[k].o_arg == OA_MANY)
				snprintf(err, errlen, strcmp(shown, "-d") == 0 ? "-d needs at least "
				    "one device" : "%s needs at least one value", shown);
			else
				snprintf(err, errlen, "%s needs a value", shown);
			return -1;
		}
		code_shown(lo, li, code, shown, sizeof(shown));
		if ((k = code_opt(code, many_shown, sizeof(many_shown))) < 0) {
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
		if (opts[k].o_arg == OA_MANY) {
			/* -d -v: the list is empty, "-v" is no device */
			if (optarg[0] == '-') {
				snprintf(err, errlen, strcmp(shown, "-d") == 0 ? "-d needs at least "
				    "one device" : "%s needs at least one value", shown);
				return -1;
			}
			many = k;
			snprintf(many_shown, sizeof(many_shown), "%s", shown);
		}
		if (opt_apply(o, &src, (size_t)k, shown, opts[k].o_arg == OA_FLAG ? NULL : optarg,
		    err, errlen))
			return -1;
	}
	if (optind < argc) {	/* after "--" */
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* the state folder and the files in it that were not given */
static int
finish_paths(struct srv_opts *o, char *err, size_t errlen)
{
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
opts_finish(struct srv_opts *o, char *err, size_t errlen)
{
	if (o->so_control[0] == '\0') {
		memcpy(o->so_control, SRV_CONTROL_DEFAULT, sizeof(SRV_CONTROL_DEFAULT));
		o->so_control_default = true;
	} else if (strcmp(o->so_control, "none") == 0)
		o->so_control[0] = '\0';
	/* --fingerprint shows the identity, --vnat-flush cleans up: no
	 * password, devices or address */
	if (o->so_fingerprint || o->so_vnat_flush)
		return finish_paths(o, err, errlen);
	if (o->so_pwfile[0] && passfile_read(o->so_pwfile, o->so_password,
	    sizeof(o->so_password), err, errlen))
		return -1;
	if (o->so_password[0] == '\0') {
		snprintf(err, errlen, "no password given (first argument, or --password-file)");
		return -1;
	}
	if (o->so_ndevs == 0 && !o->so_vnat) {
		snprintf(err, errlen, "-d <devices>+ is required (or --vnat for a host that only "
		    "migrates connections)");
		return -1;
	}
	if (o->so_nlisten == 0) {
		snprintf(err, errlen, "-h <_|host> is required (_ listens on every address)");
		return -1;
	}
	if (!o->so_vnat && (o->so_nvprocs || o->so_nvhelpers || o->so_nvconflicts)) {
		snprintf(err, errlen, "vnat-proc, vnat-helper and vnat-conflict need --vnat "
		    "(vnat = yes)");
		return -1;
	}
	return finish_paths(o, err, errlen);
}
