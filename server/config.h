/* config: the configuration file (vnet --config FILE), INI read by libinih:
 *
 *   # the options: the long options' names, before any section or in [vnet]
 *   listen = _ ::
 *   devices = eth0
 *   password-file = /etc/vnet/password
 *   vnat-proc = firefox ssh
 *
 *   [handler vm1]                      a standing handler, dialled by this server
 *   device = eth0                      local device (one of devices)
 *   peer = 198.18.44.2                 the second server, its port (4455)
 *   peer-device = vmnet1               and its device
 *   role = local                       this side's config (HANDLE's local_config)
 *   addresses = 02:00:00:00:42:10 ff:ff:ff:ff:ff:ff
 *   password-file = /etc/vnet/host.pass   the second server's password
 *   fingerprint = SHA256:<hex>         optional (TLS): the one key it may show
 *
 * conf_load reads the file, lays the command line over it and validates the
 * whole (handlers against the devices, password files read) before anything
 * is used: a file with an error is refused as a whole, with its line. */
#ifndef VNET_CONFIG_H
#define VNET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/pin.h"
#include "common/proto.h"
#include "server/server.h"

#define CONF_DEFAULT_PATH	"/etc/vnet/vnet.conf"	/* the service's */
#define CONF_HANDLERS_MAX	256
#define CONF_LINE_MAX		8192
#define CONF_NAME_MAX		63	/* a handler's name: STAND_NAME_MAX */

struct conf_handler {
	char		 ch_name[CONF_NAME_MAX + 1];
	unsigned	 ch_line;	/* its [handler NAME] line */
	struct proto_msg ch_msg;	/* the HANDLE, the second server's password included */
	char		 ch_fp[PIN_FP_LEN];	/* fingerprint: the peer's key; "" pin */
};

struct conf {
	struct srv_opts		 cf_opts;
	struct conf_handler	*cf_h;
	size_t			 cf_nh;
};

/* The options: defaults, the file of --config if any, the command line over
 * it; all of it checked.  Returns 0 with a new *out (conf_free), 1 when
 * --help or --version was printed, -1 with the reason in err ("FILE:LINE:
 * ..." for an error of the file's). */
int conf_load(int argc, char **argv, struct conf **out, char *err, size_t errlen);
/* Frees cf, its passwords wiped. */
void conf_free(struct conf *cf);
/* The handler called name, or NULL. */
const struct conf_handler *conf_handler(const struct conf *cf, const char *name);
/* True when fp is "SHA256:" and 64 hex digits (either case): a key
 * fingerprint as vnet --fingerprint prints it. */
bool conf_valid_fp(const char *fp);
/* True when two HANDLEs make the same handler: roles, devices, peer, port,
 * addresses and password. */
bool conf_handle_same(const struct proto_msg *a, const struct proto_msg *b);

#endif
