/* vnet: the server.  One libevent loop for control sessions, dials and
 * handlers; SIGINT/SIGTERM close everything and exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "common/log.h"
#include "common/tls.h"
#include "server/ctl.h"
#include "server/dial.h"
#include "server/config.h"
#include "server/registry.h"
#include "server/reload.h"
#include "server/standing.h"
#include "server/guard.h"
#include "server/ident.h"
#include "server/listener.h"
#include "server/metrics.h"
#include "server/notify.h"
#include "server/privs.h"
#include "server/server.h"
#include "vnat/vnat.h"

bool
srv_has_dev(const struct server *s, const char *dev)
{
	size_t i;

	for (i = 0; i < s->s_opts.so_ndevs; i++)
		if (strcmp(s->s_opts.so_devs[i], dev) == 0)
			return true;
	return false;
}

uint32_t
srv_new_id(struct server *s)
{
	return s->s_next_id++;
}

void
srv_reserve_id(struct server *s, uint32_t id)
{
	if (id >= s->s_next_id)
		s->s_next_id = id + 1;
}

static void
handler_gone(struct handler *h, void *arg)
{
	struct server *s = arg;

	TAILQ_REMOVE(&s->s_handlers, h, h_entry);
	reg_release(s, handler_conf_of(h));
	stand_handler_gone(s, h);
}

int
srv_handler_room(struct server *s, char *err, size_t errlen)
{
	struct handler *h;
	unsigned n = 0;

	TAILQ_FOREACH(h, &s->s_handlers, h_entry)
		n++;
	if (n < s->s_opts.so_max_handlers)
		return 0;
	snprintf(err, errlen, "too many handlers: this server has %u, its limit "
	    "(--max-handlers %u)", n, s->s_opts.so_max_handlers);
	return -1;
}

struct handler *
srv_start_handler(struct server *s, struct bufferevent *bev, const struct handler_conf *conf,
    const char *peer_id, char *err, size_t errlen)
{
	struct handler_conf hc = *conf;
	struct handler *h;

	if (srv_handler_room(s, err, errlen) != 0)
		return NULL;
	if (reg_acquire(s, &hc, peer_id, err, errlen) != 0)
		return NULL;
	if ((h = handler_start(s->s_base, bev, &hc, handler_gone, s, err, errlen)) == NULL) {
		reg_release(s, &hc);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&s->s_handlers, h, h_entry);
	return h;
}

void
srv_send_line(struct bufferevent *bev, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\n", 1);
}

/* Over TLS, an OpenSSL bufferevent on the socket itself: one SSL_read per
 * record, and libevent hands all that is queued to SSL_write on its write
 * event (a batch of frames, one record).  A filter over a socket
 * bufferevent would add a copy and an SSL_read that finds nothing per
 * record. */
struct bufferevent *
srv_bev_new(struct server *s, evutil_socket_t fd, bool accepting, const char *sni_host)
{
	struct bufferevent *bev;
	SSL *ssl;

	if (!s->s_opts.so_tls)
		return bufferevent_socket_new(s->s_base, fd, BEV_OPT_CLOSE_ON_FREE);
	if ((ssl = SSL_new(accepting ? s->s_tls_server : s->s_tls_client)) == NULL)
		return NULL;
	if (!accepting)
		tls_client_prepare(ssl, sni_host, s->s_opts.so_ca[0] != '\0');
	bev = bufferevent_openssl_socket_new(s->s_base, fd, ssl,
	    accepting ? BUFFEREVENT_SSL_ACCEPTING : BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE);
	/* fails only out of memory.  With CLOSE_ON_FREE, libevent frees ssl
	 * with the half-built bufferevent (or leaks it if it failed earlier),
	 * so it is not freed here.  The caller closes fd, as without TLS;
	 * if the socket BIO was already made, that close comes second and
	 * fails with EBADF. */
	if (bev == NULL)
		return NULL;
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;

	(void)what;
	log_info("signal %d: closing %s", (int)sig, "handlers and sessions");
	event_base_loopbreak(s->s_base);
}

static void
setup_tls(struct server *s)
{
	char err[512];

	if (!s->s_opts.so_tls)
		return;
	if (tls_ensure_identity(s->s_opts.so_cert, s->s_opts.so_key, err, sizeof(err)) != 0)
		fatalx("TLS identity: %s", err);
	if ((s->s_tls_server = tls_server_ctx(s->s_opts.so_cert, s->s_opts.so_key, err,
	    sizeof(err))) == NULL)
		fatalx("TLS: %s", err);
	if ((s->s_tls_client = tls_client_ctx(s->s_opts.so_ca[0] ? s->s_opts.so_ca : NULL,
	    err, sizeof(err))) == NULL)
		fatalx("TLS: %s", err);
	{
		X509 *x = SSL_CTX_get0_certificate(s->s_tls_server);
		char fp[TLS_FP_LEN] = "?";
		if (x)
			tls_fingerprint(x, fp, sizeof(fp));
		log_info("TLS 1.3 on; certificate %s (%s)", s->s_opts.so_cert, fp);
	}
}

/* Unauthenticated connections may hold at most a quarter of the
 * descriptors, whatever --max-unauth says: the rest stays for sessions
 * that authenticated, handlers and their captures. */
static void
setup_guard(struct server *s)
{
	struct guard_cfg gf;
	rlim_t nofile = lsn_raise_nofile();

	s->s_max_unauth = s->s_opts.so_max_unauth;
	if (nofile / 4 < s->s_max_unauth) {
		s->s_max_unauth = nofile / 4 > 0 ? (unsigned)(nofile / 4) : 1;
		log_info("at most %u unauthenticated connections (a quarter of the descriptor "
		    "limit; --max-unauth %u)", s->s_max_unauth, s->s_opts.so_max_unauth);
	}
	memset(&gf, 0, sizeof(gf));
	gf.gf_max_unauth = s->s_max_unauth;
	gf.gf_max_per_source = s->s_opts.so_max_unauth_per_source;
	gf.gf_penalty_ms = s->s_opts.so_auth_penalty;
	if ((s->s_guard = guard_new(&gf)) == NULL)
		fatalx("out of memory");
}

static void
shutdown_all(struct server *s)
{
	struct handler *h;
	struct ctl *c;
	struct dial *d;

	/* no goodbye, and the state file keeps the dialled handlers: peers
	 * redial or wait for this server to come back */
	s->s_stopping = true;
	while ((h = TAILQ_FIRST(&s->s_handlers)) != NULL)
		handler_close(h, "server shutting down");
	/* sessions before standing: one waiting for a HANDLE detaches */
	while ((c = TAILQ_FIRST(&s->s_ctls)) != NULL)
		ctl_close(c, "server shutting down");
	stand_shutdown(s);
	while ((d = TAILQ_FIRST(&s->s_dials)) != NULL)
		dial_close(d);
}

int
main(int argc, char **argv)
{
	struct server s;
	struct event *sig_int, *sig_term;
	struct notify *nt;
	struct conf *cf;
	char err[700], where[SRV_LISTEN_MAX * (PROTO_HOST_MAX + 1) + 1] = "";
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = conf_load(argc, argv, &cf, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc < 0) {
		const char *path = opts_config_path(argc, argv);
		/* one line: what is wrong, and where to read more (the file's
		 * errors say FILE:LINE and need no pointer to the options) */
		fprintf(stderr, "vnet: %s%s\n", err, path && strncmp(err, path, strlen(path)) == 0 ?
		    "" : " (see vnet --help)");
		return 2;
	}
	if (cf->cf_opts.so_fingerprint) {
		rc = ident_show(&cf->cf_opts, stdout);
		conf_free(cf);
		return rc == 0 ? 0 : 1;
	}
	if (cf->cf_opts.so_vnat_flush) {
		log_init("vnet", cf->cf_opts.so_verbosity, 0);
		rc = vnat_flush(cf->cf_opts.so_statedir, stdout);
		conf_free(cf);
		return rc;
	}
	s.s_opts = cf->cf_opts;
	log_init("vnet", s.s_opts.so_verbosity, 0);
	signal(SIGPIPE, SIG_IGN);
	TAILQ_INIT(&s.s_ctls);
	TAILQ_INIT(&s.s_handlers);
	TAILQ_INIT(&s.s_dials);
	s.s_next_id = 1;
	for (i = 0; i < s.s_opts.so_ndevs; i++)
		if (if_nametoindex(s.s_opts.so_devs[i]) == 0)
			log_warnx("device %s does not exist (yet): handlers on it will fail until "
			    "it does", s.s_opts.so_devs[i]);
	if ((s.s_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if (event_base_priority_init(s.s_base, HANDLER_EV_PRIOS) != 0)
		fatalx("event_base_priority_init failed");
	if ((s.s_dns = evdns_base_new(s.s_base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL &&
	    (s.s_dns = evdns_base_new(s.s_base, 0)) == NULL)
		fatalx("evdns_base_new failed");
	if (reg_init(&s) != 0 || stand_init(&s) != 0)
		fatalx("cannot make this server's instance (out of memory or randomness)");
	setup_tls(&s);
	if (s.s_opts.so_vnat) {
		struct vnat_opts vo = { s.s_opts.so_vcmp_port, s.s_opts.so_vcmp,
		    s.s_opts.so_vnat_secure, s.s_opts.so_statedir };
		if ((s.s_vnat = vnat_start(s.s_base, &vo, err, sizeof(err))) == NULL)
			fatalx("vnat: %s", err);
	} else if (vnat_state_left(s.s_opts.so_statedir))
		log_warnx("vnat: %s/vnat.state records connections a vnet --vnat left in the "
		    "kernel: start with --vnat to adopt them, or run vnet --vnat-flush to remove "
		    "them", s.s_opts.so_statedir);
	setup_guard(&s);
	handler_set_queue_total(s.s_opts.so_queue_total);
	for (i = 0; i < s.s_opts.so_nlisten; i++)
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s", i ? " " : "",
		    s.s_opts.so_listen[i]);
	if ((s.s_lsn = lsn_open(&s)) == NULL)
		fatal("cannot listen on %s port %u", where, s.s_opts.so_port);
	if (lsn_open_local(s.s_lsn, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (s.s_opts.so_metrics[0] && (s.s_metrics = metrics_start(&s, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	sig_int = evsignal_new(s.s_base, SIGINT, on_signal, &s);
	sig_term = evsignal_new(s.s_base, SIGTERM, on_signal, &s);
	evsignal_add(sig_int, NULL);
	evsignal_add(sig_term, NULL);
	if (s.s_opts.so_daemon) {
		if (daemon(0, 0) != 0)
			fatal("daemon");
		log_init("vnet", s.s_opts.so_verbosity, 1);
	}
	log_info("vnet listening on %s port %u%s, %zu device(s)", strcmp(where, "_") == 0 ?
	    "every address" : where, s.s_opts.so_port,
	    s.s_opts.so_tls ? " (TLS)" : "", s.s_opts.so_ndevs);
	if (privs_drop(&s.s_opts, err, sizeof(err)) != 0)
		fatalx("%s", err);
	stand_load(&s);
	if (reload_start(&s, cf, argc, argv) != 0)
		fatalx("out of memory");
	nt = notify_ready(s.s_base, "listening; standing handlers started");
	event_base_dispatch(s.s_base);
	notify_stopping(nt);
	shutdown_all(&s);
	metrics_stop(s.s_metrics);
	reload_stop(&s);
	vnat_stop(s.s_vnat);
	lsn_close(s.s_lsn);
	guard_free(s.s_guard);
	event_free(sig_int);
	event_free(sig_term);
	evdns_base_free(s.s_dns, 0);
	reg_free(&s);
	SSL_CTX_free(s.s_tls_server);
	SSL_CTX_free(s.s_tls_client);
	event_base_free(s.s_base);
	OPENSSL_cleanse(s.s_opts.so_password, sizeof(s.s_opts.so_password));
	log_info("vnet stopped");
	return 0;
}
