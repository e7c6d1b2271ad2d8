/* listener: accept, and hold still when descriptors run out.  libevent
 * retries a failing accept on every loop turn while the connection waits
 * in the backlog: with EMFILE that is a busy loop and a log line per turn.
 * Here the listener is disabled instead, and re-enabled from a timer or as
 * soon as a session closes. */
#include "server/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "common/addrfmt.h"
#include "common/log.h"
#include "server/ctl.h"
#include "server/ctlsock.h"

#define LSN_RETRY_MS	200	/* paused, nothing to drop: try again after */
#define LSN_SOON_MS	10	/* a descriptor was freed: try again after */
#define LSN_QUIET_MS	1000	/* an episode ends this long after its last failure */

struct lsn {
	struct server		*l_srv;
	struct evconnlistener	*l_lst[SRV_LISTEN_MAX + 1];	/* one per address, the local */
	size_t			 l_n;
	struct evconnlistener	*l_local;	/* the control socket (in l_lst too) */
	gid_t			 l_local_gid;	/* its group, let in with root */
	char			 l_local_path[PATH_MAX];	/* removed at lsn_close */
	struct event		*l_timer;	/* re-enables a paused listener */
	struct event		*l_quiet;	/* ends an episode once accept works again */
	bool			 l_paused;	/* disabled for lack of descriptors */
	bool			 l_episode;	/* accept has failed since the last success */
	bool			 l_soon;	/* l_timer is armed for LSN_SOON_MS */
	bool			 l_took;	/* accepted one since the last failure */
	struct timeval		 l_since;	/* the episode's start */
	struct timeval		 l_last;	/* the episode's last failure */
	unsigned long		 l_failed;	/* accepts that failed in the episode */
	unsigned long		 l_dropped;	/* unauthenticated connections dropped for room */
};

rlim_t
lsn_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return 1024;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("setrlimit(RLIMIT_NOFILE, %llu)", (unsigned long long)rl.rlim_max);
			return was;
		}
	}
	log_info("descriptor limit %llu (was %llu, hard limit %llu)",
	    (unsigned long long)rl.rlim_cur, (unsigned long long)was,
	    (unsigned long long)rl.rlim_max);
	return rl.rlim_cur;
}

static void
lsn_retry_in(struct lsn *l, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	l->l_soon = ms <= LSN_SOON_MS;
	evtimer_add(l->l_timer, &tv);
}

static void
lsn_resume(evutil_socket_t fd, short what, void *arg)
{
	struct lsn *l = arg;
	struct timeval quiet = { LSN_QUIET_MS / 1000, (LSN_QUIET_MS % 1000) * 1000 };

	(void)fd;
	(void)what;
	l->l_paused = false;
	l->l_soon = false;
	for (size_t i = 0; i < l->l_n; i++)
		evconnlistener_enable(l->l_lst[i]);
	evtimer_add(l->l_quiet, &quiet);
}

void
lsn_fd_freed(struct lsn *l)
{
	if (l && l->l_paused && !l->l_soon)
		lsn_retry_in(l, LSN_SOON_MS);
}

/* An episode ends at an accept that worked, once accept has not failed
 * for a while: a flood that keeps the descriptors at their limit (fail,
 * drop, accept, fail...) makes one episode, not one per connection, and a
 * listener that merely found nothing waiting has not shown it can accept.
 * Runs from l_quiet (armed at each resume) and from each accept. */
static void
lsn_episode_check(evutil_socket_t fd, short what, void *arg)
{
	struct lsn *l = arg;
	struct timeval now, d, quiet = { LSN_QUIET_MS / 1000, (LSN_QUIET_MS % 1000) * 1000 };

	(void)fd;
	(void)what;
	if (l->l_paused || !l->l_episode || !l->l_took)
		return;		/* the next resume or accept checks again */
	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &l->l_last, &d);
	if (evutil_timercmp(&d, &quiet, <)) {
		evutil_timersub(&quiet, &d, &d);
		evtimer_add(l->l_quiet, &d);
		return;
	}
	evutil_timersub(&now, &l->l_since, &d);
	log_warnx_rl("accept: accepting again after %ld.%01ld s without descriptors (%lu accept(s) "
	    "failed, %lu unauthenticated connection(s) dropped to make room)", (long)d.tv_sec,
	    (long)d.tv_usec / 100000, l->l_failed, l->l_dropped);
	l->l_episode = false;
}

static void
lsn_accept(struct evconnlistener *lst, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct lsn *l = arg;
	char host[ADDRFMT_ADDRLEN], peer[80];
	uint16_t port;

	(void)lst;
	(void)salen;
	l->l_srv->s_accepted++;
	if (l->l_episode) {
		l->l_took = true;
		if (!evtimer_pending(l->l_quiet, NULL))
			lsn_episode_check(-1, 0, l);
	}
	/* "host:port", an IPv6 host without brackets, as logs always said */
	addrfmt_sockaddr(sa, host, sizeof(host), &port);
	snprintf(peer, sizeof(peer), "%s:%u", host, port);
	ctl_accept(l->l_srv, fd, sa, peer);
}

/* the local control socket: root or the socket's group (the file's mode
 * has let in no one else), the same sessions without HELLO */
static void
lsn_accept_local(struct evconnlistener *lst, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct lsn *l = arg;
	char who[64];

	(void)lst;
	(void)sa;
	(void)salen;
	l->l_srv->s_accepted++;
	if (!ctlsock_peer_ok(fd, l->l_local_gid, who, sizeof(who))) {
		log_warnx_rl("control local (%s): refused: neither root nor in group %u", who,
		    (unsigned)l->l_local_gid);
		evutil_closesocket(fd);
		return;
	}
	ctl_accept_local(l->l_srv, fd, who);
}

static void
lsn_error(struct evconnlistener *lst, void *arg)
{
	struct lsn *l = arg;
	int err = EVUTIL_SOCKET_ERROR();
	bool dropped;

	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
		/* nothing to wait for: keep accepting, but a remote party may
		 * cause these (ECONNABORTED is already ignored by libevent) */
		log_warn_rl("accept");
		return;
	}
	(void)lst;
	for (size_t i = 0; i < l->l_n; i++)
		evconnlistener_disable(l->l_lst[i]);
	l->l_paused = true;
	l->l_failed++;
	l->l_took = false;
	evutil_gettimeofday(&l->l_last, NULL);
	if (!l->l_episode) {
		l->l_episode = true;
		l->l_failed = 1;
		l->l_dropped = 0;
		evutil_gettimeofday(&l->l_since, NULL);
		errno = err;
		log_warn_rl("accept: out of descriptors, listener paused (retrying every %d ms; "
		    "raise the limit with ulimit -n or LimitNOFILE=)", LSN_RETRY_MS);
	}
	/* a legitimate client should not lose to one that never said HELLO;
	 * the descriptor is released when libevent finalizes the session, so
	 * the retry comes from the timer, not from here */
	dropped = ctl_drop_oldest_unauth(l->l_srv, "out of descriptors");
	l->l_dropped += dropped;
	l->l_srv->s_unauth_nofd += dropped;
	lsn_retry_in(l, dropped ? LSN_SOON_MS : LSN_RETRY_MS);
}

/* one address of the options; "_" is INADDR_ANY, as the seed says (IPv6
 * clients reach "-h ::") */
static int
lsn_addr(const char *host, uint16_t port, struct sockaddr_storage *ss, int *sl)
{
	char spec[PROTO_HOST_MAX + 16];

	memset(ss, 0, sizeof(*ss));
	*sl = sizeof(*ss);
	if (strcmp(host, "_") == 0) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons(port);
		*sl = sizeof(*s4);
		return 0;
	}
	if (strchr(host, ':'))
		snprintf(spec, sizeof(spec), "[%s]:%u", host, port);
	else
		snprintf(spec, sizeof(spec), "%s:%u", host, port);
	return evutil_parse_sockaddr_port(spec, (struct sockaddr *)ss, sl);
}

struct lsn *
lsn_open(struct server *s)
{
	const struct srv_opts *o = &s->s_opts;
	struct sockaddr_storage ss;
	struct lsn *l;
	unsigned flags;
	int sl, saved;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->l_srv = s;
	if ((l->l_timer = evtimer_new(s->s_base, lsn_resume, l)) == NULL ||
	    (l->l_quiet = evtimer_new(s->s_base, lsn_episode_check, l)) == NULL)
		goto fail;
	for (; l->l_n < o->so_nlisten; l->l_n++) {
		const char *host = o->so_listen[l->l_n];
		if (lsn_addr(host, o->so_port, &ss, &sl) != 0)
			fatalx("-h %s: not an IP address (give an address of this host, or _)", host);
		/* with several addresses, :: is IPv6 only so that _ can have IPv4 */
		flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
		if (o->so_nlisten > 1 && ss.ss_family == AF_INET6)
			flags |= LEV_OPT_BIND_IPV6ONLY;
		if ((l->l_lst[l->l_n] = evconnlistener_new_bind(s->s_base, lsn_accept, l, flags, 64,
		    (struct sockaddr *)&ss, sl)) == NULL) {
			if (o->so_nlisten > 1)
				log_warn("listen on %s port %u", host, o->so_port);
			goto fail;
		}
		evconnlistener_set_error_cb(l->l_lst[l->l_n], lsn_error);
	}
	return l;
fail:
	saved = errno;
	lsn_close(l);
	errno = saved;
	return NULL;
}

int
lsn_open_local(struct lsn *l, char *err, size_t errlen)
{
	const struct srv_opts *o = &l->l_srv->s_opts;
	int fd;

	if (o->so_control[0] == '\0')
		return 0;
	fd = ctlsock_open(o->so_control, !o->so_control_default, o->so_user, &l->l_local_gid,
	    err, errlen);
	if (fd == CTLSOCK_SKIPPED)
		return 0;
	if (fd < 0)
		return -1;
	snprintf(l->l_local_path, sizeof(l->l_local_path), "%s", o->so_control);
	if ((l->l_local = evconnlistener_new(l->l_srv->s_base, lsn_accept_local, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd)) == NULL) {
		close(fd);
		snprintf(err, errlen, "control socket %s: out of memory", o->so_control);
		return -1;
	}
	evconnlistener_set_error_cb(l->l_local, lsn_error);
	l->l_lst[l->l_n++] = l->l_local;	/* paused and resumed with the others */
	log_info("control socket %s (group %u)", o->so_control, (unsigned)l->l_local_gid);
	return 0;
}

void
lsn_close(struct lsn *l)
{
	if (l == NULL)
		return;
	if (l->l_timer)
		event_free(l->l_timer);
	if (l->l_quiet)
		event_free(l->l_quiet);
	for (size_t i = 0; i < l->l_n; i++)
		evconnlistener_free(l->l_lst[i]);
	if (l->l_local_path[0])
		ctlsock_remove(l->l_local_path);
	free(l);
}
