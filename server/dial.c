/* dial: set up a handler's connection with a second server
 * (doc/PROTOCOL.md, "Server to server"; VNET 0.9's is seed 003, "VNET
 * Server to VNET server"): connect, HELLO password version, PEER, BEGIN
 * ..., then binary; the outcome goes to the owner's callback. */
#include "server/dial.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "common/defer.h"
#include "common/fd.h"
#include "common/log.h"
#include "common/tls.h"
#include "server/registry.h"

/* Dials that have not had their HELLO answered yet, at most: a second
 * server drops the oldest of a source's unauthenticated connections past
 * its cap (vnet: 32), so a proxy that redials many handlers at once after
 * an outage paces them rather than losing some to that cap.  The others
 * wait their turn (DIAL_QUEUED) within their --dial-timeout. */
#define DIAL_PARALLEL	8

enum dial_state { DIAL_QUEUED, DIAL_CONNECT, DIAL_HELLO, DIAL_PEER, DIAL_BEGIN };

struct dial {
	TAILQ_ENTRY(dial)	 d_entry;
	struct server		*d_srv;
	dial_cb			 d_cb;
	void			*d_arg;
	const struct handler	*d_for;		/* the handler redialled, or NULL */
	char			 d_token[PROTO_INSTANCE_LEN + 1];
	char			 d_fp[TLS_FP_LEN];	/* the peer's key, if named; "" */
	bool			 d_ext;		/* the peer said PEER: extensions */
	unsigned		 d_timeout_ms;	/* to connect (over TLS: and handshake) */
	struct bufferevent	*d_bev;
	struct event		*d_timer;
	struct defer		*d_start;	/* dial_go, from the loop */
	enum dial_state		 d_state;
	struct proto_msg	 d_msg;
	char			 d_where[PROTO_HOST_MAX + 16];
	char			 d_peer_id[REG_PEER_ID_MAX + 1];
	char			 d_peer[PROTO_HOST_MAX + 32];	/* for logs: where, its instance */
	bool			 d_records;	/* the answer to BEGIN said records=1 */
};

static void dial_go(void *arg);

/* dials before their HELLO's answer */
static unsigned
dial_unanswered(const struct server *s)
{
	const struct dial *d;
	unsigned n = 0;

	TAILQ_FOREACH(d, &s->s_dials, d_entry)
		n += d->d_state == DIAL_CONNECT || d->d_state == DIAL_HELLO;
	return n;
}

/* starts queued dials, oldest first, while fewer than DIAL_PARALLEL wait
 * for a HELLO's answer; from the loop (d_start), never from here */
static void
dial_next(struct server *s)
{
	unsigned n = dial_unanswered(s);
	struct dial *d;

	TAILQ_FOREACH(d, &s->s_dials, d_entry) {
		if (n >= DIAL_PARALLEL)
			break;
		if (d->d_state != DIAL_QUEUED)
			continue;
		d->d_state = DIAL_CONNECT;
		defer_run(d->d_start);
		n++;
	}
}

void
dial_close(struct dial *d)
{
	bool was_unanswered = d->d_state == DIAL_CONNECT || d->d_state == DIAL_HELLO;

	TAILQ_REMOVE(&d->d_srv->s_dials, d, d_entry);
	if (was_unanswered)
		dial_next(d->d_srv);
	if (d->d_timer)
		event_free(d->d_timer);
	defer_free(d->d_start);
	if (d->d_bev)
		bufferevent_free(d->d_bev);
	OPENSSL_cleanse(d->d_msg.pm_password, sizeof(d->d_msg.pm_password));
	free(d);
}

/* ends the dial with its outcome for the owner */
static void
dial_finish(struct dial *d, enum dial_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
dial_finish(struct dial *d, enum dial_result r, const char *fmt, ...)
{
	struct dial_outcome o = { r, NULL, false, d->d_peer_id, d->d_peer, NULL };
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	o.do_text = text;
	if (r == DIAL_OK) {
		o.do_bev = d->d_bev;
		o.do_records = d->d_records;
		d->d_bev = NULL;
	}
	d->d_cb(d->d_arg, &o);
	dial_close(d);
}

#define send_line(d, ...)	srv_send_line((d)->d_bev, __VA_ARGS__)

/* the address the connection reached, for a peer that does not say PEER */
static void
peer_addr(struct dial *d, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	evutil_socket_t fd = bufferevent_getfd(d->d_bev);

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, buf, (socklen_t)len, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, len, "%.*s", (int)len - 1, d->d_msg.pm_rhost);
}

/* The answer to PEER: the second server's instance (a server without PEER
 * answers NOK and is known by its address).  This side checks the handler
 * before BEGIN: a handler to this server itself, or one overlapping a
 * handler it has with the same peer, goes no further. */
static bool
peer_known(struct dial *d, bool ok, const char *rest)
{
	char addr[INET6_ADDRSTRLEN + 8], err[512];
	const char *inst = NULL;

	if (ok && strncmp(rest, "peer ", 5) == 0 && proto_valid_instance(rest + 5))
		inst = rest + 5;
	else if (ok) {
		dial_finish(d, DIAL_REFUSED, "second server answered PEER with '%.80s'", rest);
		return false;
	}
	d->d_ext = inst != NULL;
	peer_addr(d, addr, sizeof(addr));
	reg_peer_id(d->d_peer_id, inst, addr);
	if (inst)
		snprintf(d->d_peer, sizeof(d->d_peer), "%.*s (vnet %.8s)",
		    (int)sizeof(d->d_peer) - 20, d->d_where, inst);
	else
		snprintf(d->d_peer, sizeof(d->d_peer), "%.*s", (int)sizeof(d->d_peer) - 1,
		    d->d_where);
	if (reg_check(d->d_srv, d->d_msg.pm_ldev, d->d_peer_id, &d->d_msg.pm_addrs, d->d_for,
	    err, sizeof(err)) != 0) {
		dial_finish(d, DIAL_HERE, "%s", err);
		return false;
	}
	return true;
}

static void
send_begin(struct dial *d)
{
	const struct proto_msg *m = &d->d_msg;
	char addrs[MAC_LIST_MAX * MAC_STRLEN];

	mac_list_format(&m->pm_addrs, addrs, sizeof(addrs));
	/* the extensions only to a server that said PEER: VNET 0.9 would
	 * refuse them as addresses */
	if (d->d_ext)
		send_line(d, "BEGIN %s %s %s %s %s token=%s records=1", proto_role_name(m->pm_lrole),
		    m->pm_ldev, proto_role_name(m->pm_rrole), m->pm_rdev, addrs, d->d_token);
	else
		send_line(d, "BEGIN %s %s %s %s %s", proto_role_name(m->pm_lrole), m->pm_ldev,
		    proto_role_name(m->pm_rrole), m->pm_rdev, addrs);
	d->d_state = DIAL_BEGIN;
}

static void
dial_read(struct bufferevent *bev, void *arg)
{
	struct dial *d = arg;
	const char *rest;
	size_t n;
	char *line;
	int st;

	line = evbuffer_readln(bufferevent_get_input(bev), &n, EVBUFFER_EOL_CRLF);
	if (line == NULL) {
		if (evbuffer_get_length(bufferevent_get_input(bev)) > PROTO_LINE_MAX)
			dial_finish(d, DIAL_REFUSED, "second server sent a line over %d bytes", PROTO_LINE_MAX);
		return;
	}
	st = proto_reply_status(line, &rest);
	if (st < 0) {
		dial_finish(d, DIAL_REFUSED, "second server answered '%.80s', not OK/NOK", line);
	} else if (d->d_state == DIAL_PEER) {
		if (!peer_known(d, st == 1, rest))
			goto out;
		send_begin(d);
		goto next;
	} else if (st == 0) {
		dial_finish(d, strncmp(rest, PROTO_GONE_PREFIX, strlen(PROTO_GONE_PREFIX)) == 0 ?
		    DIAL_GONE : DIAL_REFUSED, "second server refused %s: %.200s",
		    d->d_state == DIAL_HELLO ? "HELLO" : "BEGIN", rest);
	} else if (d->d_state == DIAL_HELLO) {
		/* who the second server is, before anything is set up there */
		send_line(d, "PEER %s", reg_instance(d->d_srv));
		d->d_state = DIAL_PEER;
		dial_next(d->d_srv);
		goto next;
	} else {
		d->d_records = d->d_ext && strstr(rest, "records=1") != NULL;
		dial_finish(d, DIAL_OK, "handler connected to %s", d->d_peer);
	}
out:
	free(line);
	return;
next:
	free(line);
	/* the next answer may already be here */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		dial_read(bev, arg);
}

/* whether the TCP connection was ever made */
static int
peer_connected(evutil_socket_t fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

/* a handler of the configuration names its peer's key: exactly that one
 * (a CA, if any, has verified the chain during the handshake already) */
static int
check_named_key(struct dial *d, SSL *ssl, char *msg, size_t msglen)
{
	struct pin_ids ids;

	msg[0] = '\0';
	if (tls_peer_ids(ssl, &ids) != 0) {
		snprintf(msg, msglen, "%s sent no certificate", d->d_where);
		return -1;
	}
	if (strcmp(ids.pi_key, d->d_fp) != 0) {
		snprintf(msg, msglen, "%s shows the key %s, not the fingerprint the configuration "
		    "names (%s): refused", d->d_where, ids.pi_key, d->d_fp);
		return -1;
	}
	return 0;
}

static void
dial_event(struct bufferevent *bev, short what, void *arg)
{
	struct dial *d = arg;
	int err = EVUTIL_SOCKET_ERROR(), dnserr;
	unsigned long e;
	char msg[512];

	/* a socket libevent made (a second server given by name): the first
	 * moment it shows */
	fd_cloexec(bufferevent_getfd(bev));
	if (what & BEV_EVENT_CONNECTED) {
		int one = 1;

		/* HELLO, PEER and BEGIN each wait for their answer: no Nagle */
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (d->d_srv->s_opts.so_tls) {
			SSL *ssl = bufferevent_openssl_get_ssl(bev);
			if (d->d_fp[0] ? check_named_key(d, ssl, msg, sizeof(msg)) :
			    tls_check_peer(ssl, d->d_srv->s_opts.so_known, d->d_msg.pm_rhost,
			    d->d_msg.pm_rport, d->d_srv->s_opts.so_ca[0] != '\0', msg, sizeof(msg))) {
				dial_finish(d, DIAL_REFUSED, "%s", msg);
				return;
			}
			if (msg[0])
				log_warnx_rl("%s", msg);
		}
		send_line(d, "HELLO %s %s", d->d_msg.pm_password, PROTO_VERSION);
		d->d_state = DIAL_HELLO;
		/* connected: the rest has the usual patience */
		{
			struct timeval tv = { (time_t)d->d_srv->s_opts.so_dial_timeout, 0 };
			evtimer_add(d->d_timer, &tv);
		}
		return;
	}
	if ((dnserr = bufferevent_socket_get_dns_error(bev)) != 0) {
		dial_finish(d, DIAL_UNREACHABLE, "cannot resolve %s: %s", d->d_msg.pm_rhost,
		    evutil_gai_strerror(dnserr));
	} else if (d->d_state == DIAL_CONNECT && !peer_connected(bufferevent_getfd(bev))) {
		/* over TLS the refused connect shows as the handshake's end */
		dial_finish(d, DIAL_UNREACHABLE, "cannot reach second server: %s",
		    err ? evutil_socket_error_to_string(err) : "connection failed");
	} else if (what & BEV_EVENT_EOF) {
		dial_finish(d, DIAL_UNREACHABLE, "second server closed the connection%s",
		    d->d_state == DIAL_CONNECT ? " during the TLS handshake (does it use -s?)" : "");
	} else if ((e = bufferevent_get_openssl_error(bev)) != 0) {
		ERR_error_string_n(e, msg, sizeof(msg));
		dial_finish(d, DIAL_REFUSED, "TLS error with second server: %s", msg);
	} else
		dial_finish(d, DIAL_UNREACHABLE, "connection to second server failed: %s",
		    evutil_socket_error_to_string(err));
}

static void
dial_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct dial *d = arg;

	(void)fd;
	(void)what;
	if ((d->d_state == DIAL_QUEUED || d->d_state == DIAL_CONNECT) && d->d_timeout_ms % 1000)
		dial_finish(d, DIAL_UNREACHABLE, "cannot reach second server: no connection within "
		    "%u ms", d->d_timeout_ms);
	else if (d->d_state == DIAL_QUEUED || d->d_state == DIAL_CONNECT)
		dial_finish(d, DIAL_UNREACHABLE, "cannot reach second server: no connection within "
		    "%u s", d->d_timeout_ms / 1000);
	else
		dial_finish(d, DIAL_UNREACHABLE, "second server did not answer within %u s",
		    d->d_srv->s_opts.so_dial_timeout);
}

/* A second server given as an address gets a socket of ours, close-on-exec
 * from the start (libevent 2.1 would make one without); for a name the
 * family is known only once it is resolved, and dial_event marks the one
 * libevent made.  Returns the family to resolve for. */
static int
dial_socket(struct dial *d)
{
	struct in6_addr a;
	int af = AF_UNSPEC, fd;

	if (inet_pton(AF_INET, d->d_msg.pm_rhost, &a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, d->d_msg.pm_rhost, &a) == 1)
		af = AF_INET6;
	if (af == AF_UNSPEC ||
	    (fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return AF_UNSPEC;
	if (bufferevent_setfd(d->d_bev, fd) != 0) {
		close(fd);
		return AF_UNSPEC;
	}
	return af;
}

/* runs from the loop, not from inside a control session's callback: the
 * connection may fail (and the dial end) before this returns */
static void
dial_go(void *arg)
{
	struct dial *d = arg;

	log_info_rl("HANDLE: connecting to %s", d->d_where);
	if (bufferevent_socket_connect_hostname(d->d_bev, d->d_srv->s_dns, dial_socket(d),
	    d->d_msg.pm_rhost, d->d_msg.pm_rport) != 0)
		log_debug_rl("HANDLE: connect to %s failed at once", d->d_where);
}

struct dial *
dial_start(struct server *s, const struct proto_msg *m, const char *token,
    const char *peer_fp, const struct handler *h, unsigned timeout_ms, dial_cb cb, void *arg)
{
	struct timeval tv = { (time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000 };
	struct dial *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->d_srv = s;
	d->d_cb = cb;
	d->d_arg = arg;
	d->d_for = h;
	d->d_timeout_ms = timeout_ms;
	snprintf(d->d_token, sizeof(d->d_token), "%s", token);
	snprintf(d->d_fp, sizeof(d->d_fp), "%s", peer_fp ? peer_fp : "");
	d->d_state = DIAL_QUEUED;
	d->d_msg = *m;
	snprintf(d->d_where, sizeof(d->d_where), "%s:%u", m->pm_rhost, m->pm_rport);
	snprintf(d->d_peer, sizeof(d->d_peer), "%s", d->d_where);
	TAILQ_INSERT_TAIL(&s->s_dials, d, d_entry);
	if ((d->d_bev = srv_bev_new(s, -1, false, m->pm_rhost)) == NULL ||
	    (d->d_timer = evtimer_new(s->s_base, dial_timeout, d)) == NULL ||
	    (d->d_start = defer_new(s->s_base, dial_go, d)) == NULL) {
		dial_close(d);
		return NULL;
	}
	bufferevent_setcb(d->d_bev, dial_read, NULL, dial_event, d);
	bufferevent_enable(d->d_bev, EV_READ | EV_WRITE);
	evtimer_add(d->d_timer, &tv);
	dial_next(s);
	return d;
}
