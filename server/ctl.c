/* ctl: control sessions: the text protocol (doc/PROTOCOL.md, "Text mode"
 * and "VNAT requests"; VNET 0.9's is seed 003, section 6). */
#include "server/ctl.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "common/bev.h"
#include "common/defer.h"
#include "common/err.h"
#include "common/log.h"
#include "server/dial.h"
#include "server/registry.h"
#include "server/standing.h"
#include "server/guard.h"
#include "server/listener.h"
#include "vnat/vnat.h"

#define CTL_MAX_ERRORS_UNAUTH	8	/* bad lines before HELLO, then close */
#define CTL_FLUSH_MAX_MS	5000	/* closing: a reply's time to leave */

/* CTL_PENALTY: a HELLO waits for its answer (guard's delay for its source);
 * nothing more is read meanwhile */
enum ctl_state { CTL_HELLO, CTL_PENALTY, CTL_READY, CTL_WAIT, CTL_CLOSING };

struct ctl {
	TAILQ_ENTRY(ctl)	 c_entry;
	struct server		*c_srv;
	struct bufferevent	*c_bev;
	struct event		*c_timer;	/* no HELLO in time; later: idle; closing: flush */
	struct event		*c_answer;	/* CTL_PENALTY: answers the HELLO */
	struct defer		*c_reread;	/* lines that waited behind an answer */
	struct defer		*c_closer;	/* closing: the reply has left */
	enum ctl_state		 c_state;
	unsigned		 c_errors;
	char			 c_peer[80];
	struct stand		*c_stand;	/* a HANDLE waiting for its first dial */
	char			 c_instance[PROTO_INSTANCE_LEN + 1];	/* PEER, a server */
	struct guard_conn	 c_gc;		/* counted until authenticated */
	uint64_t		 c_deadline_ms;	/* the HELLO's answer, at the latest */
	uint64_t		 c_line_ms;	/* the last complete line */
	bool			 c_hello_ok;	/* CTL_PENALTY: the password was right */
	bool			 c_local;	/* the control socket: authenticated */
	char			 c_version[sizeof(((struct proto_msg *)0)->pm_version)];
};

static void ctl_read(struct bufferevent *bev, void *arg);
static void ctl_handle_done(struct ctl *c, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ctl_written(struct bufferevent *bev, void *arg);
static void ctl_event(struct bufferevent *bev, short what, void *arg);

#define ctl_reply(c, ...)	srv_send_line((c)->c_bev, __VA_ARGS__)

/* the clock of the guard's bookings and of the idle limit */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
timer_in_ms(struct event *ev, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static void
ctl_close_now(void *arg)
{
	ctl_close(arg, "closed after reply");
}

/* Sends what is queued, then closes: from the write callback once the
 * output is empty (over TLS it holds plaintext, empty once OpenSSL has
 * written it), or after CTL_FLUSH_MAX_MS (ctl_timeout).  The close itself
 * comes on the next loop turn: over TLS libevent writes, and calls the
 * write callback, from inside the evbuffer_add of a reply. */
static void
ctl_close_later(struct ctl *c)
{
	if (c->c_state == CTL_CLOSING)
		return;
	c->c_state = CTL_CLOSING;
	bufferevent_disable(c->c_bev, EV_READ);
	bufferevent_setwatermark(c->c_bev, EV_WRITE, 0, 0);
	bufferevent_setcb(c->c_bev, ctl_read, ctl_written, ctl_event, c);
	timer_in_ms(c->c_timer, CTL_FLUSH_MAX_MS);
	if (bev_pending(c->c_bev) == 0)
		defer_run(c->c_closer);
}

static void
ctl_written(struct bufferevent *bev, void *arg)
{
	struct ctl *c = arg;

	if (c->c_state == CTL_CLOSING && bev_pending(bev) == 0)
		defer_run(c->c_closer);
}

void
ctl_close(struct ctl *c, const char *reason)
{
	log_debug_rl("control %s: %s", c->c_peer, reason);
	guard_leave(c->c_srv->s_guard, &c->c_gc);
	if (c->c_stand)
		stand_detach(c->c_stand);
	vnat_ctl_detach(c->c_srv->s_vnat, c);	/* a RESUME or SUSPEND goes on unanswered */
	TAILQ_REMOVE(&c->c_srv->s_ctls, c, c_entry);
	if (c->c_timer)
		event_free(c->c_timer);
	defer_free(c->c_reread);
	defer_free(c->c_closer);
	if (c->c_answer)
		event_free(c->c_answer);
	if (c->c_bev) {
		bufferevent_free(c->c_bev);
		lsn_fd_freed(c->c_srv->s_lsn);
	}
	free(c);
}

bool
ctl_drop_oldest_unauth(struct server *s, const char *why)
{
	struct guard_conn *gc = guard_oldest(s->s_guard);
	struct ctl *c;

	if (gc == NULL)
		return false;
	c = gc->gc_owner;
	log_info_rl("control %s: dropped, the oldest unauthenticated connection: %s", c->c_peer,
	    why);
	ctl_close(c, why);
	return true;
}

static bool
password_ok(const char *want, const char *got)
{
	unsigned char a[32], b[32];
	unsigned int la = 0, lb = 0;

	if (!EVP_Digest(want, strlen(want), a, &la, EVP_sha256(), NULL) ||
	    !EVP_Digest(got, strlen(got), b, &lb, EVP_sha256(), NULL))
		return false;
	return CRYPTO_memcmp(a, b, sizeof(a)) == 0;
}

/* the idle limit of an authenticated session, checked lazily: the timer
 * is armed once per period, not once per line */
static void
ctl_idle_arm(struct ctl *c, uint64_t now)
{
	uint64_t limit = (uint64_t)c->c_srv->s_opts.so_idle_timeout * 1000;

	event_del(c->c_timer);
	if (limit == 0)
		return;
	timer_in_ms(c->c_timer, now - c->c_line_ms >= limit ? 0 : limit - (now - c->c_line_ms));
}

/* answers a HELLO whose wait, if any, is over */
static void
hello_answer(struct ctl *c)
{
	if (!c->c_hello_ok) {
		c->c_srv->s_auth_failures++;
		log_warnx_rl("control %s: wrong password in HELLO (%llu failures so far)", c->c_peer,
		    (unsigned long long)c->c_srv->s_auth_failures);
		ctl_reply(c, "NOK wrong password");
		ctl_close_later(c);
		return;
	}
	guard_leave(c->c_srv->s_guard, &c->c_gc);
	c->c_state = CTL_READY;
	c->c_errors = 0;
	c->c_line_ms = mono_ms();
	ctl_idle_arm(c, c->c_line_ms);
	log_debug_rl("control %s: authenticated (client version %s)", c->c_peer, c->c_version);
	ctl_reply(c, "OK %s", PROTO_VERSION);
}

static void
hello_wait_over(evutil_socket_t fd, short what, void *arg)
{
	struct ctl *c = arg;

	(void)fd;
	(void)what;
	if (c->c_state != CTL_PENALTY)
		return;
	hello_answer(c);
	/* lines that came behind the HELLO, from the loop rather than from here */
	if (c->c_state == CTL_READY && evbuffer_get_length(bufferevent_get_input(c->c_bev)) > 0)
		defer_run(c->c_reread);
}

/* The answer waits for the guard's booking for this source, right or
 * wrong password alike, so that its timing tells nothing; a source whose
 * bookings reach past this connection's auth deadline is refused at once
 * without being told whether the password was right. */
static void
hello_check(struct ctl *c, const struct proto_msg *m)
{
	uint64_t now = mono_ms(), at;

	c->c_hello_ok = password_ok(c->c_srv->s_opts.so_password, m->pm_password);
	snprintf(c->c_version, sizeof(c->c_version), "%s", m->pm_version);
	if (!guard_hello(c->c_srv->s_guard, &c->c_gc, c->c_hello_ok, now, c->c_deadline_ms, &at)) {
		log_warnx_rl("control %s: HELLO refused: too many wrong passwords from this address",
		    c->c_peer);
		ctl_reply(c, "NOK too many wrong passwords from your address: try again later");
		ctl_close_later(c);
		return;
	}
	if (at <= now) {
		hello_answer(c);
		return;
	}
	c->c_state = CTL_PENALTY;
	timer_in_ms(c->c_answer, at - now);
}

static bool
req_devices(struct ctl *c, const struct proto_msg *m)
{
	const struct srv_opts *o = &c->c_srv->s_opts;
	size_t i;

	(void)m;
	ctl_reply(c, "OK devices");
	ctl_reply(c, "%zu", o->so_ndevs);
	for (i = 0; i < o->so_ndevs; i++)
		ctl_reply(c, "%s", o->so_devs[i]);
	return true;
}

/* HANDLERS? and STATS? [id] */
static void
list_handlers(struct ctl *c, bool stats, const struct proto_msg *m)
{
	struct handler *h;
	char line[MAC_LIST_MAX * MAC_STRLEN + 512];
	size_t n = 0;

	TAILQ_FOREACH(h, &c->c_srv->s_handlers, h_entry)
		if (!m->pm_has_id || h->h_conf.hc_id == m->pm_id)
			n++;
	if (m->pm_has_id && n == 0) {
		ctl_reply(c, "NOK no such handler %u", m->pm_id);
		return;
	}
	ctl_reply(c, "OK %s", stats ? "stats" : "handlers");
	ctl_reply(c, "%zu", n);
	TAILQ_FOREACH(h, &c->c_srv->s_handlers, h_entry) {
		if (m->pm_has_id && h->h_conf.hc_id != m->pm_id)
			continue;
		if (stats)
			handler_format_stats(h, line, sizeof(line));
		else
			handler_format(h, line, sizeof(line));
		ctl_reply(c, "%s", line);
	}
}

static bool
req_handlers(struct ctl *c, const struct proto_msg *m)
{
	list_handlers(c, false, m);
	return true;
}

static bool
req_stats(struct ctl *c, const struct proto_msg *m)
{
	list_handlers(c, true, m);
	return true;
}

static bool
req_close(struct ctl *c, const struct proto_msg *m)
{
	struct handler *h;
	char why[128];

	TAILQ_FOREACH(h, &c->c_srv->s_handlers, h_entry)
		if (h->h_conf.hc_id == m->pm_id)
			break;
	if (h == NULL) {
		ctl_reply(c, "NOK no such handler %u", m->pm_id);
		return true;
	}
	snprintf(why, sizeof(why), "CLOSE from %s", c->c_peer);
	stand_close(c->c_srv, h, why);
	ctl_reply(c, "OK closed %u", m->pm_id);
	return true;
}

static void
unknown_dev(struct ctl *c, const char *dev)
{
	const struct srv_opts *o = &c->c_srv->s_opts;
	char list[SRV_DEVS_MAX * (PROTO_DEV_MAX + 1) + 1] = "";
	size_t i;

	for (i = 0; i < o->so_ndevs; i++) {
		strcat(list, i ? " " : "");
		strcat(list, o->so_devs[i]);
	}
	ctl_reply(c, "NOK unknown device '%s' (this server serves: %s)", dev,
	    o->so_ndevs ? list : "no devices");
}

/* standing.c: the first dial of this session's HANDLE ended */
static void
handle_done(void *arg, bool ok, const char *text)
{
	ctl_handle_done(arg, ok, "%s", text);
}

static bool
req_handle(struct ctl *c, const struct proto_msg *m)
{
	char err[128];

	if (!srv_has_dev(c->c_srv, m->pm_ldev)) {
		unknown_dev(c, m->pm_ldev);
		return true;
	}
	/* before the dial: the second server is not made to start one */
	if (srv_handler_room(c->c_srv, err, sizeof(err)) != 0) {
		ctl_reply(c, "NOK %s", err);
		return true;
	}
	c->c_state = CTL_WAIT;
	if ((c->c_stand = stand_handle(c->c_srv, m, handle_done, c)) == NULL) {
		c->c_state = CTL_READY;
		ctl_reply(c, "NOK cannot start a connection to %s", m->pm_rhost);
	}
	return true;
}

/* answers a request that waited (HANDLE, VNAT RESUME or SUSPEND) */
static void
ctl_handle_done(struct ctl *c, bool ok, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->c_stand = NULL;
	ctl_reply(c, "%s %s", ok ? "OK" : "NOK", text);
	c->c_state = CTL_READY;
	c->c_line_ms = mono_ms();	/* idle from the answer on, not from the request */
	/* lines that waited behind HANDLE, from the loop rather than from
	 * here: the caller (a dial's end) goes on after this */
	if (evbuffer_get_length(bufferevent_get_input(c->c_bev)) > 0)
		defer_run(c->c_reread);
}

/* BEGIN: we are the second server; on success the session becomes a
 * handler (and is gone: false) */
static bool
req_begin(struct ctl *c, const struct proto_msg *m)
{
	struct handler_conf hc;
	struct bufferevent *bev = c->c_bev;
	char err[512], addr[sizeof(c->c_peer)], peer_id[REG_PEER_ID_MAX + 1], *colon;
	char peer[PROTO_HOST_MAX + 32];

	if (c->c_local) {
		ctl_reply(c, "NOK BEGIN comes from a second server over TCP, not on the local "
		    "socket");
		return true;
	}
	if (!srv_has_dev(c->c_srv, m->pm_rdev)) {
		unknown_dev(c, m->pm_rdev);
		return true;
	}
	/* the peer: its instance if it said PEER, else its address */
	snprintf(addr, sizeof(addr), "%s", c->c_peer);
	if ((colon = strrchr(addr, ':')) != NULL)
		*colon = '\0';
	reg_peer_id(peer_id, c->c_instance, addr);
	if (c->c_instance[0])
		snprintf(peer, sizeof(peer), "%s (vnet %.8s)", c->c_peer, c->c_instance);
	else
		snprintf(peer, sizeof(peer), "%s", c->c_peer);
	if (m->pm_token[0]) {
		/* a dialler that will come back: a new handler, or its own */
		if (stand_begin(c->c_srv, m, peer_id, peer, bev, err, sizeof(err)) == 0) {
			log_warnx_rl("control %s: BEGIN refused: %s", c->c_peer, err);
			ctl_reply(c, "NOK %s", err);
			return true;
		}
	} else {
		memset(&hc, 0, sizeof(hc));
		hc.hc_id = srv_new_id(c->c_srv);
		hc.hc_role = m->pm_rrole;
		hc.hc_rrole = m->pm_lrole;
		memcpy(hc.hc_dev, m->pm_rdev, sizeof(hc.hc_dev));
		memcpy(hc.hc_rdev, m->pm_ldev, sizeof(hc.hc_rdev));
		hc.hc_addrs = m->pm_addrs;
		hc.hc_queue_max = c->c_srv->s_opts.so_queue_max;
		hc.hc_dead_after = c->c_srv->s_opts.so_dead_after;
		hc.hc_records = m->pm_records;
		snprintf(hc.hc_peer, sizeof(hc.hc_peer), "%s", peer);
		if (srv_start_handler(c->c_srv, bev, &hc, peer_id, err, sizeof(err)) == NULL) {
			log_warnx_rl("control %s: BEGIN refused: %s", c->c_peer, err);
			ctl_reply(c, "NOK %s", err);
			return true;
		}
	}
	/* the handler owns bev now; its first frames can come only from later
	 * loop iterations, so this OK goes ahead of them (the output's start
	 * is frozen by libevent: no prepending) */
	if (m->pm_records)
		evbuffer_add_printf(bufferevent_get_output(bev), "OK records=1\n");
	else
		evbuffer_add(bufferevent_get_output(bev), "OK\n", 3);
	bev_flush_now(bev);	/* plain: the handler writes its socket itself */
	c->c_bev = NULL;
	ctl_close(c, "became a handler");
	return false;
}

/* a VNAT RESUME or SUSPEND ended */
static void
ctl_vnat_done(void *arg, bool ok, const char *text)
{
	ctl_handle_done(arg, ok, "%s", text);
}

static void
ctl_vnat_line(void *arg, const char *line)
{
	struct ctl *c = arg;

	ctl_reply(c, "%s", line);
}

/* VNAT requests are handled and answered in vnat/ */
static void
do_vnat(struct ctl *c, const struct proto_msg *m)
{
	if (vnat_ctl_request(c->c_srv->s_vnat, m, ctl_vnat_line, ctl_vnat_done, c) ==
	    VNAT_CTL_PENDING)
		c->c_state = CTL_WAIT;
}

static void
bad_line(struct ctl *c, const char *why)
{
	c->c_srv->s_bad_lines++;
	log_debug_rl("control %s: refused: %s", c->c_peer, why);
	ctl_reply(c, "NOK %s", why);
	if (c->c_state == CTL_HELLO && ++c->c_errors >= CTL_MAX_ERRORS_UNAUTH) {
		log_warnx_rl("control %s: %u bad lines before HELLO: closing", c->c_peer, c->c_errors);
		ctl_close_later(c);
	}
}

static bool
req_hello(struct ctl *c, const struct proto_msg *m)
{
	/* a script written for TCP may still say HELLO: its password is not
	 * looked at, the file's permissions let it in */
	if (c->c_local) {
		log_debug_rl("control %s: HELLO on the local socket (password ignored, client "
		    "version %s)", c->c_peer, m->pm_version);
		ctl_reply(c, "OK %s", PROTO_VERSION);
		return true;
	}
	if (c->c_state != CTL_HELLO)
		bad_line(c, "already authenticated");
	else
		hello_check(c, m);
	return true;
}

static bool
req_done(struct ctl *c, const struct proto_msg *m)
{
	(void)m;
	ctl_reply(c, "OK bye");
	ctl_close_later(c);
	return true;
}

static bool
req_vnat(struct ctl *c, const struct proto_msg *m)
{
	do_vnat(c, m);
	return true;
}

/* a first server says who it is before BEGIN; the answer says who this
 * one is, so that either end can tell a handler to itself or a second one
 * with the same peer */
static bool
req_peer(struct ctl *c, const struct proto_msg *m)
{
	memcpy(c->c_instance, m->pm_instance, sizeof(c->c_instance));
	ctl_reply(c, "OK peer %s", reg_instance(c->c_srv));
	return true;
}

/* One request's handler: false when the session is gone (c is freed). */
typedef bool ctl_req_fn(struct ctl *c, const struct proto_msg *m);

/* by the index of common/proto.c's proto_reqs: every request of
 * PROTO_REQUESTS has its req_ function here, or this does not compile */
static ctl_req_fn *const ctl_reqs[PROTO_NCMDS] = {
#define CTL_REQ(e, f)	[e] = req_##f,
	PROTO_REQUESTS(CTL_REQ)
#undef CTL_REQ
};

/* handles one line; false when the session is gone or must not read on */
static bool
ctl_line(struct ctl *c, const char *line)
{
	struct proto_msg m;
	char err[256];

	if (proto_parse(line, &m, err, sizeof(err)) != VNET_OK) {
		bad_line(c, err);
		return c->c_state != CTL_CLOSING;
	}
	if (c->c_state == CTL_HELLO && (proto_reqs[m.pm_cmd].pr_flags & PROTO_AUTH)) {
		bad_line(c, "not authenticated: send HELLO password version first");
		return c->c_state != CTL_CLOSING;
	}
	if (!ctl_reqs[m.pm_cmd](c, &m))
		return false;
	OPENSSL_cleanse(&m.pm_password, sizeof(m.pm_password));
	return c->c_state == CTL_HELLO || c->c_state == CTL_READY;
}

static void
ctl_read(struct bufferevent *bev, void *arg)
{
	struct ctl *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line;

	while (c->c_state == CTL_HELLO || c->c_state == CTL_READY) {
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (line == NULL && evbuffer_get_length(in) <= PROTO_LINE_MAX)
			return;
		if (line == NULL || n > PROTO_LINE_MAX || strlen(line) != n) {
			bool nul = line && n <= PROTO_LINE_MAX;
			free(line);
			c->c_srv->s_bad_lines++;
			log_warnx_rl("control %s: %s: closing", c->c_peer, nul ? "NUL byte in line" :
			    "line over 4096 bytes");
			if (nul)
				ctl_reply(c, "NOK NUL byte in line");
			else
				ctl_reply(c, "NOK line too long (at most %d bytes)", PROTO_LINE_MAX);
			ctl_close_later(c);
			return;
		}
		/* only whole lines count against the idle limit: a trickle of
		 * bytes without a line end does not keep a session open */
		c->c_line_ms = mono_ms();
		bool more = ctl_line(c, line);
		OPENSSL_cleanse(line, n);
		free(line);
		if (!more)
			return;
	}
}

static void
ctl_reread(void *arg)
{
	struct ctl *c = arg;

	ctl_read(c->c_bev, c);
}

static void
ctl_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl *c = arg;
	unsigned long e;
	char why[160];

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_EOF) {
		ctl_close(c, "peer closed");
		return;
	}
	if ((e = bufferevent_get_openssl_error(bev)) != 0) {
		char ebuf[120];
		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		snprintf(why, sizeof(why), "TLS error: %s", ebuf);
		/* a port probe that closes at once is no news */
		if (ERR_GET_REASON(e) != SSL_R_UNEXPECTED_EOF_WHILE_READING)
			log_warnx_rl("control %s: %s (is the client using -s?)", c->c_peer, why);
	} else
		snprintf(why, sizeof(why), "connection error");
	ctl_close(c, why);
}

static void
ctl_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ctl *c = arg;
	unsigned idle = c->c_srv->s_opts.so_idle_timeout;
	uint64_t now = mono_ms();

	(void)fd;
	(void)what;
	switch (c->c_state) {
	case CTL_HELLO:
	case CTL_PENALTY:
		log_info_rl("control %s: no HELLO within %u s: closing", c->c_peer,
		    c->c_srv->s_opts.so_auth_timeout);
		ctl_reply(c, "NOK timeout: no HELLO within %u s", c->c_srv->s_opts.so_auth_timeout);
		ctl_close_later(c);
		break;
	case CTL_READY:
		if (now - c->c_line_ms < (uint64_t)idle * 1000) {
			ctl_idle_arm(c, now);
			break;
		}
		log_info_rl("control %s: idle for %u s: closing", c->c_peer, idle);
		ctl_reply(c, "NOK idle for %u s: closing", idle);
		ctl_close_later(c);
		break;
	case CTL_WAIT:
		/* a request being answered is not idleness */
		c->c_line_ms = now;
		ctl_idle_arm(c, now);
		break;
	case CTL_CLOSING:
		/* the reply did not leave in time */
		ctl_close(c, "closed after reply");
		break;
	}
}

/* makes room for one more unauthenticated connection from k: the oldest
 * of its source past the per-source cap, the oldest in all past the cap in
 * all.  Authenticated sessions and handlers are never counted. */
static void
ctl_make_room(struct server *s, const struct guard_key *k)
{
	struct guard_conn *gc;
	char src[GUARD_KEY_STRLEN];

	while ((gc = guard_victim(s->s_guard, k)) != NULL) {
		struct ctl *v = gc->gc_owner;
		guard_key_format(k, src, sizeof(src));
		log_info_rl("control %s: dropped for a new connection from %s: too many "
		    "unauthenticated connections (%u now; caps %u in all, %u per source)",
		    v->c_peer, src, guard_unauth(s->s_guard), s->s_max_unauth,
		    s->s_opts.so_max_unauth_per_source);
		s->s_unauth_capped++;
		ctl_close(v, "too many unauthenticated connections");
	}
}

/* a new session in the list, its timers made; NULL out of memory (fd
 * closed) */
static struct ctl *
ctl_new(struct server *s, evutil_socket_t fd, const char *peer)
{
	struct ctl *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx_rl("control %s: out of memory", peer);
		evutil_closesocket(fd);
		return NULL;
	}
	c->c_srv = s;
	c->c_gc.gc_owner = c;
	snprintf(c->c_peer, sizeof(c->c_peer), "%s", peer);
	TAILQ_INSERT_TAIL(&s->s_ctls, c, c_entry);
	if ((c->c_timer = evtimer_new(s->s_base, ctl_timeout, c)) == NULL ||
	    (c->c_answer = evtimer_new(s->s_base, hello_wait_over, c)) == NULL ||
	    (c->c_reread = defer_new(s->s_base, ctl_reread, c)) == NULL ||
	    (c->c_closer = defer_new(s->s_base, ctl_close_now, c)) == NULL) {
		evutil_closesocket(fd);
		ctl_close(c, "out of memory");
		return NULL;
	}
	return c;
}

static void
ctl_start_reading(struct ctl *c)
{
	bufferevent_setcb(c->c_bev, ctl_read, NULL, ctl_event, c);
	bufferevent_setwatermark(c->c_bev, EV_READ, 0, PROTO_LINE_MAX * 4);
	bufferevent_enable(c->c_bev, EV_READ | EV_WRITE);
}

void
ctl_accept(struct server *s, evutil_socket_t fd, const struct sockaddr *sa, const char *peer)
{
	uint64_t now = mono_ms();
	struct guard_key k;
	struct ctl *c;
	int one = 1;

	if (!guard_key_from_sa(sa, &k))
		memset(&k, 0, sizeof(k));
	ctl_make_room(s, &k);
	if ((c = ctl_new(s, fd, peer)) == NULL)
		return;
	c->c_deadline_ms = now + (uint64_t)s->s_opts.so_auth_timeout * 1000;
	/* answers leave as soon as they are written (no Nagle wait behind a
	 * delayed ACK): a control session is a request and its answer */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (guard_enter(s->s_guard, &c->c_gc, &k, now) != 0 ||
	    (c->c_bev = srv_bev_new(s, fd, true, NULL)) == NULL) {
		if (c->c_bev == NULL)
			evutil_closesocket(fd);
		ctl_close(c, "out of memory");
		return;
	}
	ctl_start_reading(c);
	timer_in_ms(c->c_timer, (uint64_t)s->s_opts.so_auth_timeout * 1000);
	log_debug_rl("control %s: connected", peer);
}

void
ctl_accept_local(struct server *s, evutil_socket_t fd, const char *who)
{
	char peer[sizeof(((struct ctl *)0)->c_peer)];
	struct ctl *c;

	snprintf(peer, sizeof(peer), "local (%s)", who);
	if ((c = ctl_new(s, fd, peer)) == NULL)
		return;
	/* plain even under -s: the socket never leaves the host */
	if ((c->c_bev = bufferevent_socket_new(s->s_base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		ctl_close(c, "out of memory");
		return;
	}
	c->c_local = true;
	c->c_state = CTL_READY;
	c->c_line_ms = mono_ms();
	ctl_start_reading(c);
	ctl_idle_arm(c, c->c_line_ms);
	log_info_rl("control %s: connected, authenticated by the socket", peer);
}

unsigned
ctl_sessions(const struct server *s)
{
	const struct ctl *c;
	unsigned n = 0;

	TAILQ_FOREACH(c, &s->s_ctls, c_entry)
		n++;
	return n;
}
