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
#include "vnat/vnat.h"

#define SRV_DEVS_MAX	64
#define SRV_LISTEN_MAX	8	/* listen addresses */
#define SRV_VNAT_MAX	64	/* VNAT process names, helpers, policies (VNAT_PROCS_MAX) */
#define SRV_NAME_MAX	15	/* a process name (comm) */
#define SRV_MODE_MAX	271	/* a helper mode: exec:/path */
#define SRV_CONTROL_DEFAULT	"/run/vnet/control"	/* the local control socket */

struct srv_opts {
	char		 so_password[PROTO_PASS_MAX + 1];
	char		 so_pwfile[PATH_MAX];		/* read into so_password by opts_finish */
	char		 so_config[PATH_MAX];		/* --config; "" none */
	bool		 so_tls;
	char		 so_listen[SRV_LISTEN_MAX][PROTO_HOST_MAX + 1];	/* "_" = any IPv4 */
	size_t		 so_nlisten;
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
	size_t		 so_queue_total;		/* bytes, all handlers */
	unsigned	 so_dead_after;			/* --peer-timeout, s, 15 */
	unsigned	 so_linger;			/* --linger, s, 120 */
	unsigned	 so_max_handlers;		/* --max-handlers, 4096 */
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
	char		 so_metrics[PROTO_HOST_MAX + 9];	/* --metrics ADDR:PORT; "" off */
	char		 so_control[PATH_MAX];	/* --control-socket; "" off (after opts_finish) */
	bool		 so_control_default;	/* so_control is SRV_CONTROL_DEFAULT, not given */
	bool		 so_fingerprint;	/* --fingerprint: print the identity's, exit */
	bool		 so_vnat_flush;		/* --vnat-flush: remove what vnat left, exit */
	/* --vnat-proc NAME, --vnat-helper NAME=MODE, --vnat-conflict NAME=POLICY */
	char		 so_vprocs[SRV_VNAT_MAX][SRV_NAME_MAX + 1];
	size_t		 so_nvprocs;
	struct srv_vset {
		char	vs_name[SRV_NAME_MAX + 1];
		char	vs_value[SRV_MODE_MAX + 1];
	}		 so_vhelpers[SRV_VNAT_MAX], so_vconflicts[SRV_VNAT_MAX];
	size_t		 so_nvhelpers, so_nvconflicts;
};

/* Where one option came from, while a source (the configuration file, then
 * the command line) is read: what it set, and on which line. */
#define OPTS_MAX	64
struct opts_src {
	const char	*os_file;		/* NULL: the command line */
	unsigned	 os_line;		/* the line being read */
	unsigned	 os_seen[OPTS_MAX];	/* per option: its line (1 on the command line) */
};

struct ctl;
struct dial;
struct guard;
struct lsn;
struct metrics;
struct vnat;
struct reg;
struct stands;
struct reload;
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
	struct reload		*s_reload;		/* server/reload.h */
	bool			 s_stopping;		/* shutting down: keep the state */
	struct guard		*s_guard;		/* unauthenticated connections */
	struct lsn		*s_lsn;			/* the listening sockets */
	unsigned		 s_max_unauth;		/* --max-unauth, bounded by the fd limit */
	struct metrics		*s_metrics;		/* --metrics; NULL: off */
	uint64_t		 s_accepted;		/* connections accepted (listener.c) */
	uint64_t		 s_unauth_capped;	/* unauthenticated, closed past a cap */
	uint64_t		 s_unauth_nofd;		/* ... closed for a descriptor */
};

/* The options' defaults. */
void opts_defaults(struct srv_opts *o);
/* Sets option key (a long option's name without "--", as in the
 * configuration file) to val (NULL for a flag given on the command line) as
 * source src gives it: the first value of a list in a source replaces what
 * an earlier source gave.  0, or -1 with the reason in err. */
int opts_set(struct srv_opts *o, struct opts_src *src, const char *key, const char *val,
    char *err, size_t errlen);
/* The value of --config in argv, or NULL. */
const char *opts_config_path(int argc, char **argv);
/* Applies the command line over o.  Returns 0, 1 when --help or --version
 * was printed, -1 with the reason in err. */
int opts_cmdline(int argc, char **argv, struct srv_opts *o, char *err, size_t errlen);
/* Checks what the sources left together (a password, devices, an address)
 * and fills in the defaults that depend on others; reads the password
 * file.  0, or -1 with the reason in err. */
int opts_finish(struct srv_opts *o, char *err, size_t errlen);
/* Prints the usage text to f. */
void opts_usage(FILE *f);

/* True when dev is one of the devices given with -d. */
bool srv_has_dev(const struct server *s, const char *dev);
/* A new handler identifier. */
uint32_t srv_new_id(struct server *s);
/* id is taken (a handler back from the state file): new ones come after. */
void srv_reserve_id(struct server *s, uint32_t id);
/* 0 while s runs fewer handlers than --max-handlers; -1 with the NOK
 * reason in err. */
int srv_handler_room(struct server *s, char *err, size_t errlen);
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
