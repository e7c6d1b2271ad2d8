/* bev: immediate writes on plain socket bufferevents, event priorities. */
#include "common/bev.h"

#include <stdbool.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>

size_t
bev_pending(struct bufferevent *bev)
{
	return evbuffer_get_length(bufferevent_get_output(bev));
}

/* an OpenSSL bufferevent: its output is plaintext, never for the socket */
static bool
is_tls(struct bufferevent *bev)
{
	return bufferevent_openssl_get_ssl(bev) != NULL;
}

void
bev_write_direct(struct bufferevent *bev)
{
	if (!is_tls(bev))
		bufferevent_disable(bev, EV_WRITE);
}

void
bev_flush_now(struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	bool watched;
	int n = 0;

	if (is_tls(bev))
		return;
	watched = (bufferevent_get_enabled(bev) & EV_WRITE) != 0;
	if (evbuffer_get_length(out) > 0) {
		/* libevent freezes the start of a bufferevent's output and
		 * unfreezes it the same way for its own writes */
		evbuffer_unfreeze(out, 1);
		n = evbuffer_write(out, bufferevent_getfd(bev));
		evbuffer_freeze(out, 1);
	}
	/* libevent's write event only while bytes wait for the socket, or to
	 * report an error: not an epoll_ctl pair for every frame */
	if (evbuffer_get_length(out) == 0 && n >= 0) {
		if (watched)
			bufferevent_disable(bev, EV_WRITE);
	} else if (!watched)
		bufferevent_enable(bev, EV_WRITE);
}

void
bev_flush_later(struct bufferevent *bev)
{
	if (!is_tls(bev) && (bufferevent_get_enabled(bev) & EV_WRITE) == 0)
		bufferevent_enable(bev, EV_WRITE);
}

int
bev_priority_set(struct bufferevent *bev, int prio)
{
	int old = event_get_priority(&bev->ev_read);

	/* both socket events, or neither: libevent's own setter would leave
	 * the read event changed when the write event is active */
	if (event_priority_set(&bev->ev_read, prio) != 0)
		return -1;
	if (event_priority_set(&bev->ev_write, prio) != 0) {
		(void)event_priority_set(&bev->ev_read, old);
		return -1;
	}
	return 0;
}
