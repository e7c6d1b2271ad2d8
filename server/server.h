/* server: the vnet daemon's shared state: options, TLS contexts, the lists
 * of control sessions and handlers. */
#ifndef VNET_SERVER_H
#define VNET_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "common/proto.h"
#include "handler/handler.h"
#include "vnat/vlimit.h"

#define SRV_DEVS_MAX	64

struct srv_opts {
	char		 so_password[PROTO_PASS_MAX + 1];
	bool		 so_tls;
	char		 so_host[PROTO_HOST_MAX + 1];	/* "_" = any address */
	uint16_t	 so_port;
	char		 so_devs[SRV_DEVS_MAX][PROTO_DEV_MAX + 1];
	size_t		 so_ndevs;
	char		 so_statedir[PATH_MAX];
	char		 so_cert[PATH_MAX], so_key[PATH_MAX];
	char		 so_ca[PATH_MAX];		/* empty: pin instead */
	char		 so_known[PATH_MAX];
	unsigned	 so_auth_timeout;		/* seconds */
	unsigned	 so_dial_timeout;		/* seconds */
	size_t		 so_queue_max;			/* bytes per handler */
	unsigned	 so_dead_after;			/* --peer-timeout, s, 15 */
	unsigned	 so_linger;			/* --linger, s, 120 */
	uint32_t	 so_storm_pps;			/* --storm-limit, 0: none */
	int		 so_verbosity;
	bool		 so_daemon;
	char		 so_user[LOGIN_NAME_MAX + 1];	/* --user, empty: stay */
	bool		 so_vnat;			/* --vnat */
	bool		 so_vnat_secure;		/* --vnat-secure */
	uint16_t	 so_vcmp_port;			/* --vcmp-port, 2031 */
	struct vcmp_limits so_vcmp;			/* --vcmp-sessions ... --vcmp-pending */
	unsigned	 so_max_unauth;			/* --max-unauth, 256 */
	unsigned	 so_max_unauth_per_source;	/* --max-unauth-per-source, 32 */
	unsigned	 so_auth_penalty;		/* --auth-penalty, ms, 100; 0 = off */
	unsigned	 so_idle_timeout;		/* --idle-timeout, s, 300; 0 = off */
};

struct ctl;
struct dial;
struct guard;
struct lsn;
struct vnat;
struct reg;
struct stands;
TAILQ_HEAD(ctl_list, ctl);
TAILQ_HEAD(handler_list, handler);
TAILQ_HEAD(dial_list, dial);

struct server {
	struct srv_opts		 s_opts;
	struct event_base	*s_base;
	struct evdns_base	*s_dns;
	SSL_CTX			*s_tls_server;
	SSL_CTX			*s_tls_client;
	struct ctl_list		 s_ctls;
	struct handler_list	 s_handlers;
	struct dial_list	 s_dials;
	uint32_t		 s_next_id;
	uint64_t		 s_auth_failures;
	uint64_t		 s_bad_lines;
	struct vnat		*s_vnat;		/* NULL without --vnat */
	struct reg		*s_reg;			/* server/registry.h */
	struct stands		*s_stands;		/* server/standing.h */
	bool			 s_stopping;		/* shutting down: keep the state */
	struct guard		*s_guard;		/* unauthenticated connections */
	struct lsn		*s_lsn;			/* the listening socket */
	unsigned		 s_max_unauth;		/* --max-unauth, bounded by the fd limit */
};

/* Parses the command line.  Returns 0 to run, 1 when --help or --version
 * was printed, -1 with the reason in err. */
int opts_parse(int argc, char **argv, struct srv_opts *o, char *err, size_t errlen);
/* Prints the usage text to f. */
void opts_usage(FILE *f);

/* True when dev is one of the devices given with -d. */
bool srv_has_dev(const struct server *s, const char *dev);
/* A new handler identifier. */
uint32_t srv_new_id(struct server *s);
/* id is taken (a handler back from the state file): new ones come after. */
void srv_reserve_id(struct server *s, uint32_t id);
/* A new handler on bev for conf with the peer server peer_id (registry.h),
 * unless it is refused (a handler to this server itself, or overlapping
 * another: see reg_check); NULL with err set.  Registered in the list. */
struct handler *srv_start_handler(struct server *s, struct bufferevent *bev,
    const struct handler_conf *conf, const char *peer_id, char *err, size_t errlen);
/* Queues one protocol line (fmt, then "\n") on bev. */
void srv_send_line(struct bufferevent *bev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A new bufferevent for an accepted fd or, with fd -1, one to connect: over
 * TLS (-s) an OpenSSL one on the socket.  NULL on failure; fd is then still
 * the caller's to close. */
struct bufferevent *srv_bev_new(struct server *s, evutil_socket_t fd, bool accepting,
    const char *sni_host);

#endif
