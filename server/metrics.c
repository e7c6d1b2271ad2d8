/* metrics: one table defines every metric (name, type, help, where its
 * value is read); a scrape takes one snapshot of the server, of each
 * handler and of VNAT, then writes the table family by family.  Rows that
 * share a name are one family told apart by a label (the drop reasons);
 * only the first of them carries the help. */
#include "server/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "common/log.h"
#include "server/ctl.h"
#include "server/guard.h"
#include "server/prom.h"
#include "vnat/vnat.h"

#define METRICS_PATH		"/metrics"
#define METRICS_TIMEOUT_S	10	/* a scraper that sends nothing is closed after */
#define METRICS_RETRY_S		1	/* out of descriptors: accept again after */

struct metrics {
	struct server		*m_srv;
	struct evhttp		*m_http;
};

/* the server-wide values, as scraped */
struct msrv {
	uint64_t ms_handlers, ms_sessions, ms_unauth;
	uint64_t ms_accepted, ms_auth_failures, ms_bad_lines, ms_capped, ms_nofd;
	uint64_t ms_queued;
};

/* one handler, as scraped: its values and its labels */
struct mhand {
	struct handler_stats	 mh_st;
	uint64_t		 mh_up, mh_queued, mh_unmatched;
	char			 mh_id[16];
	char			 mh_peer[PROTO_HOST_MAX + 16];
	const char		*mh_dev, *mh_role;
};

enum mscope { MS_SERVER, MS_HANDLER, MS_VNAT };

struct metric {
	const char	*m_name;
	enum prom_type	 m_type;
	const char	*m_help;	/* NULL: a further row of the family above */
	enum mscope	 m_scope;
	size_t		 m_off;		/* the uint64_t in the scope's snapshot */
	const char	*m_lname, *m_lval;	/* the row's own label, or NULL */
};

#define SRV(f)		MS_SERVER, offsetof(struct msrv, f)
#define HST(f)		MS_HANDLER, offsetof(struct mhand, mh_st.f)
#define HND(f)		MS_HANDLER, offsetof(struct mhand, f)
#define VNT(f)		MS_VNAT, offsetof(struct vnat_snapshot, f)
#define DROP(r, f)	{ "vnet_handler_dropped_frames_total", PROM_COUNTER, NULL, HST(f), "reason", r }
#define C		PROM_COUNTER
#define G		PROM_GAUGE

static const struct metric metrics[] = {
	{ "vnet_handlers", G, "Handlers on this server, waiting ones included.",
	    SRV(ms_handlers), NULL, NULL },
	{ "vnet_control_sessions", G, "Control sessions open, authenticated or not.",
	    SRV(ms_sessions), NULL, NULL },
	{ "vnet_unauthenticated_connections", G, "Control connections that have not "
	    "authenticated yet.", SRV(ms_unauth), NULL, NULL },
	{ "vnet_connections_accepted_total", C, "Connections accepted on the control port.",
	    SRV(ms_accepted), NULL, NULL },
	{ "vnet_auth_failures_total", C, "HELLOs with a wrong password.",
	    SRV(ms_auth_failures), NULL, NULL },
	{ "vnet_bad_lines_total", C, "Control lines refused as malformed or unknown.",
	    SRV(ms_bad_lines), NULL, NULL },
	{ "vnet_unauthenticated_dropped_total", C, "Unauthenticated connections closed to make "
	    "room: past --max-unauth or --max-unauth-per-source (cap), or out of descriptors.",
	    SRV(ms_capped), "reason", "cap" },
	{ "vnet_unauthenticated_dropped_total", C, NULL, SRV(ms_nofd), "reason", "descriptors" },
	{ "vnet_queued_bytes", G, "Bytes waiting for their peers in all handlers together "
	    "(at most --queue-total).", SRV(ms_queued), NULL, NULL },

	{ "vnet_handler_up", G, "1 while the handler has a connection to its peer, 0 while it "
	    "waits for one.", HND(mh_up), NULL, NULL },
	{ "vnet_handler_sent_frames_total", C, "Frames captured and queued to the peer.",
	    HST(hs_sent_frames), NULL, NULL },
	{ "vnet_handler_sent_bytes_total", C, "Bytes of the frames queued to the peer.",
	    HST(hs_sent_bytes), NULL, NULL },
	{ "vnet_handler_received_frames_total", C, "Frames from the peer, injected.",
	    HST(hs_recv_frames), NULL, NULL },
	{ "vnet_handler_received_bytes_total", C, "Bytes of the frames from the peer, injected.",
	    HST(hs_recv_bytes), NULL, NULL },
	{ "vnet_handler_dropped_frames_total", C, "Frames dropped, by reason (the drop_ counters "
	    "of STATS?).", HST(hs_drop_queue), "reason", "queue" },
	DROP("truncated", hs_drop_truncated),
	DROP("toobig", hs_drop_toobig),
	DROP("inject", hs_drop_inject),
	DROP("malformed", hs_drop_malformed),
	DROP("kernel", hs_drop_kernel),
	DROP("loop", hs_drop_loop),
	DROP("storm", hs_drop_storm),
	DROP("filtered", hs_drop_filtered),
	DROP("down", hs_drop_down),
	DROP("queue_total", hs_drop_queue_total),
	{ "vnet_handler_reconnects_total", C, "Links after the handler's first.",
	    HST(hs_reconnects), NULL, NULL },
	{ "vnet_handler_queued_bytes", G, "Bytes waiting to be sent to the peer.",
	    HND(mh_queued), NULL, NULL },
	{ "vnet_handler_device_unmatched_frames_total", C, "Frames the kernel filter of the "
	    "handler's device passed that no handler on it took (the device's count, "
	    "dev_unmatched in STATS?).", HND(mh_unmatched), NULL, NULL },

	{ "vnet_vnat_translations", G, "VNAT translations in the nftables table.",
	    VNT(vn_translations), NULL, NULL },
	{ "vnet_vnat_kept_addresses", G, "Old addresses kept on lo for moved connections.",
	    VNT(vn_kept), NULL, NULL },
	{ "vnet_vnat_suspended", G, "1 after VNAT SUSPEND until RESUME.",
	    VNT(vn_suspended), NULL, NULL },
	{ "vnet_vnat_peer_suspended_connections", G, "Connections peers said they suspend.",
	    VNT(vn_peer_suspended), NULL, NULL },
	{ "vnet_vnat_keys", G, "Connection keys agreed at SUSPEND and held.",
	    VNT(vn_keys), NULL, NULL },
	{ "vnet_vnat_peer_suspensions_total", C, "Connections peers suspended (VNAT_SUS entries "
	    "accepted).", VNT(vn_peer_suspensions), NULL, NULL },
	{ "vnet_vnat_vcmp_messages_total", C, "VCMP messages received.",
	    VNT(vn_msgs), NULL, NULL },
	{ "vnet_vnat_updated_total", C, "Connections updated by peers' VNAT_UPD.",
	    VNT(vn_updated), NULL, NULL },
	{ "vnet_vnat_unknown_total", C, "Connections named in VNAT_UPD that this host does not "
	    "have.", VNT(vn_unknown), NULL, NULL },
	{ "vnet_vnat_refused_total", C, "VCMP messages or sessions refused: bad input, over a "
	    "limit, past the deadline, or given way (refused in VNAT STATS?).",
	    VNT(vn_bad), NULL, NULL },
	{ "vnet_vnat_auth_refused_total", C, "Updates refused for a missing or wrong key.",
	    VNT(vn_auth_refused), NULL, NULL },
	{ "vnet_vnat_keyless_total", C, "Keyless updates accepted.",
	    VNT(vn_keyless), NULL, NULL },
	{ "vnet_vnat_conflicts_total", C, "Updates refused for an address conflict.",
	    VNT(vn_conflicts), NULL, NULL },
	{ "vnet_vnat_nft_errors_total", C, "nftables batches that failed.",
	    VNT(vn_nft_errors), NULL, NULL },
	{ "vnet_vnat_kicked_total", C, "Backed-off connections made to retransmit at once when "
	    "their translation was applied.", VNT(vn_kicked), NULL, NULL },
};
#define NMETRICS	(sizeof(metrics) / sizeof(metrics[0]))

static uint64_t
value_at(const void *snap, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)snap + off, sizeof(v));
	return v;
}

static void
snap_server(struct server *s, struct msrv *ms)
{
	struct handler *h;

	memset(ms, 0, sizeof(*ms));
	TAILQ_FOREACH(h, &s->s_handlers, h_entry)
		ms->ms_handlers++;
	ms->ms_sessions = ctl_sessions(s);
	ms->ms_unauth = s->s_guard ? guard_unauth(s->s_guard) : 0;
	ms->ms_accepted = s->s_accepted;
	ms->ms_auth_failures = s->s_auth_failures;
	ms->ms_bad_lines = s->s_bad_lines;
	ms->ms_capped = s->s_unauth_capped;
	ms->ms_nofd = s->s_unauth_nofd;
	ms->ms_queued = handler_queued_total();
}

static void
snap_handler(struct server *s, struct handler *h, struct mhand *mh)
{
	const struct handler_conf *hc = handler_conf_of(h);

	handler_stats_of(h, &mh->mh_st);
	mh->mh_up = handler_is_up(h);
	mh->mh_queued = handler_queued(h);
	mh->mh_unmatched = handler_dev_unmatched(h);
	snprintf(mh->mh_id, sizeof(mh->mh_id), "%u", hc->hc_id);
	handler_peer_of(h, s->s_opts.so_port, mh->mh_peer, sizeof(mh->mh_peer));
	mh->mh_dev = hc->hc_dev;
	mh->mh_role = hc->hc_role == PROTO_LOCAL ? "local" : "remote";
}

/* the samples of row m, one per handler */
static int
write_handlers(struct evbuffer *b, const struct metric *m, const struct mhand *mh, size_t n)
{
	struct prom_label l[5];

	for (size_t i = 0; i < n; i++) {
		l[0] = (struct prom_label){ "id", mh[i].mh_id };
		l[1] = (struct prom_label){ "device", mh[i].mh_dev };
		l[2] = (struct prom_label){ "peer", mh[i].mh_peer };
		l[3] = (struct prom_label){ "role", mh[i].mh_role };
		l[4] = (struct prom_label){ m->m_lname, m->m_lval };
		if (prom_sample(b, m->m_name, l, m->m_lname ? 5 : 4,
		    value_at(&mh[i], m->m_off)) != 0)
			return -1;
	}
	return 0;
}

int
metrics_write(struct server *s, struct evbuffer *b)
{
	struct vnat_snapshot vs;
	struct mhand *mh = NULL;
	struct handler *h;
	struct msrv ms;
	size_t n = 0;
	int rc = -1;

	snap_server(s, &ms);
	if (ms.ms_handlers && (mh = calloc(ms.ms_handlers, sizeof(*mh))) == NULL)
		return -1;
	TAILQ_FOREACH(h, &s->s_handlers, h_entry)
		snap_handler(s, h, &mh[n++]);
	if (s->s_vnat)
		vnat_stats_snapshot(s->s_vnat, &vs);
	for (size_t i = 0; i < NMETRICS; i++) {
		const struct metric *m = &metrics[i];
		struct prom_label l = { m->m_lname, m->m_lval };
		if (m->m_scope == MS_VNAT && s->s_vnat == NULL)
			continue;
		if (m->m_help && prom_family(b, m->m_name, m->m_type, m->m_help) != 0)
			goto out;
		if (m->m_scope == MS_HANDLER) {
			if (write_handlers(b, m, mh, n) != 0)
				goto out;
		} else if (prom_sample(b, m->m_name, &l, m->m_lname ? 1 : 0,
		    value_at(m->m_scope == MS_VNAT ? (const void *)&vs : (const void *)&ms,
		    m->m_off)) != 0)
			goto out;
	}
	rc = 0;
out:
	free(mh);
	return rc;
}

/* an error with a one-line text body (evhttp_send_error drops the
 * headers set before it, Allow among them) */
static void
refuse(struct evhttp_request *req, int code, const char *reason, const char *allow)
{
	struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();

	evhttp_add_header(hdr, "Content-Type", "text/plain; charset=utf-8");
	if (allow)
		evhttp_add_header(hdr, "Allow", allow);
	if (body)
		evbuffer_add_printf(body, "%d %s: only GET " METRICS_PATH " is served here\n", code,
		    reason);
	evhttp_send_reply(req, code, reason, body);
	if (body)
		evbuffer_free(body);
}

static void
serve(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
	struct evbuffer *body;

	if (path == NULL || strcmp(path, METRICS_PATH) != 0) {
		refuse(req, HTTP_NOTFOUND, "Not Found", NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		refuse(req, HTTP_BADMETHOD, "Method Not Allowed", "GET, HEAD");
		return;
	}
	if ((body = evbuffer_new()) == NULL || metrics_write(m->m_srv, body) != 0) {
		log_warnx_rl("metrics: out of memory for a scrape");
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	} else {
		evhttp_add_header(hdr, "Content-Type", PROM_CONTENT_TYPE);
		evhttp_send_reply(req, HTTP_OK, "OK", body);
	}
	if (body)
		evbuffer_free(body);
}

static void
accept_again(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evconnlistener_enable(arg);
}

/* Out of descriptors, libevent would retry the accept on every loop turn
 * (a busy loop and a warning each time): pause for a second instead.  The
 * control listener (server/listener.c) makes room; a scrape can wait. */
static void
accept_failed(struct evconnlistener *lst, void *arg)
{
	struct timeval tv = { METRICS_RETRY_S, 0 };
	int err = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
		log_warn_rl("metrics: accept");
		return;
	}
	/* libevent frees the timer when it fires, or with the base; it may
	 * outlive the listener (metrics_stop) but not fire, the loop having
	 * stopped by then */
	if (event_base_once(evconnlistener_get_base(lst), -1, EV_TIMEOUT, accept_again, lst,
	    &tv) != 0)
		return;		/* no timer either: keep trying from the loop */
	errno = err;
	log_warn_rl("metrics: accept: paused for %d s", METRICS_RETRY_S);
	evconnlistener_disable(lst);
}

struct metrics *
metrics_start(struct server *s, char *err, size_t errlen)
{
	const char *where = s->s_opts.so_metrics;
	struct sockaddr_storage ss;
	struct evconnlistener *lst;
	struct metrics *m;
	int sl = sizeof(ss);

	if (evutil_parse_sockaddr_port(where, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(err, errlen, "--metrics %s: not ADDR:PORT", where);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL || (m->m_http = evhttp_new(s->s_base)) == NULL) {
		free(m);
		snprintf(err, errlen, "--metrics: out of memory");
		return NULL;
	}
	m->m_srv = s;
	if ((lst = evconnlistener_new_bind(s->s_base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16, (struct sockaddr *)&ss, sl)) == NULL) {
		snprintf(err, errlen, "--metrics %s: cannot listen: %s", where, strerror(errno));
		metrics_stop(m);
		return NULL;
	}
	if (evhttp_bind_listener(m->m_http, lst) == NULL) {
		evconnlistener_free(lst);
		snprintf(err, errlen, "--metrics: out of memory");
		metrics_stop(m);
		return NULL;
	}
	evconnlistener_set_error_cb(lst, accept_failed);
	/* every method reaches serve, which answers 405 to all but GET and HEAD */
	evhttp_set_allowed_methods(m->m_http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(m->m_http, METRICS_TIMEOUT_S);
	evhttp_set_max_headers_size(m->m_http, 8192);
	evhttp_set_max_body_size(m->m_http, 4096);
	evhttp_set_gencb(m->m_http, serve, m);
	log_info("metrics on http://%s" METRICS_PATH, where);
	return m;
}

void
metrics_stop(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->m_http)
		evhttp_free(m->m_http);
	free(m);
}
