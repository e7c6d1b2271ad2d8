/* opts: vnetclient's command line (doc/vnetclient.1), the seed's:
 *   vnetclient [-s] [-p password1] [-o port1] -h <host1> -c <command> ...
 * with the seed's commands and options unchanged, plus the VNAT commands
 * and long options (--password-file, --ca, --known-servers, --timeout,
 * --json, --forget, --require-pin, --control-socket), read by getopt_long
 * (--opt value and --opt=value).  Without -h the local control socket. */
#ifndef VNET_CLIENT_OPTS_H
#define VNET_CLIENT_OPTS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/json.h"
#include "common/mac.h"
#include "common/proto.h"

#define CLI_SYNOPSIS	"vnetclient [-s] [-p password1] [-o port1] -h <host1> -c <command>"
#define CLI_SOCKET	"/run/vnet/control"	/* without -h, --control-socket, VNET_CONTROL */

struct cli;

/* One command of -c (client/main.c's table, cli_cmds): how it runs, the
 * letters of its own options (-i is "i"), and its --help text. */
struct cli_cmd {
	const char	*cc_name;
	int		(*cc_fn)(struct cli *c);	/* after HELLO; an exit status */
	const char	*cc_opts;
	const char	*cc_usage;	/* the name and its options */
	const char	*cc_help;	/* what it does, lines joined by \n */
	const char	*cc_more;	/* NULL, or lines of its options (handle) */
	enum json_rec	 cc_json;	/* --json: the records of its answer */
};

extern const struct cli_cmd cli_cmds[];
extern const size_t cli_ncmds;

struct cli_opts {
	bool		 co_tls;
	bool		 co_have_pw1, co_have_pw2;
	char		 co_pw1[PROTO_PASS_MAX + 1], co_pw2[PROTO_PASS_MAX + 1];
	uint16_t	 co_port1, co_port2;
	char		 co_host1[PROTO_HOST_MAX + 1], co_host2[PROTO_HOST_MAX + 1];
	char		 co_cmd[16];
	const struct cli_cmd *co_cc;		/* co_cmd's entry, once checked */
	uint32_t	 co_id;			/* close -i, stats -i */
	bool		 co_has_id;
	char		 co_dev1[PROTO_DEV_MAX + 1], co_dev2[PROTO_DEV_MAX + 1];
	char		 co_cfg[8];		/* local | remote */
	char		 co_name[64];		/* vadd/vdel/helper -n name, resume -n address */
	char		 co_mode[272];		/* helper -m mode */
	char		*co_addrs[MAC_LIST_MAX];
	size_t		 co_naddrs;
	char		 co_ca[PATH_MAX], co_known[PATH_MAX];
	unsigned	 co_timeout;
	bool		 co_quiet;
	bool		 co_json;		/* --json: one JSON document on stdout */
	bool		 co_require_pin;	/* --require-pin: refuse an unknown server */
	bool		 co_local;		/* no -h: the control socket co_socket */
	char		 co_socket[108];	/* sizeof(sun_path) */
	bool		 co_forget;		/* --forget: remove co_host1:co_port1's pins */
};

/* Parses argv (getopt_long) and checks every value before anything is
 * asked or connected.  Returns 0 to run, 1 when --help/--version was
 * printed, -1 with the reason, one line, in err. */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);
/* Prints the usage text. */
void cli_usage(FILE *f);

#endif
