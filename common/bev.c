/* bev: pending bytes and immediate writes on (filtered) bufferevents. */
#include "common/bev.h"

#include <stdbool.h>

#include <event2/buffer.h>
#include <event2/event.h>

size_t
bev_pending(struct bufferevent *bev)
{
	struct bufferevent *sock = bufferevent_get_underlying(bev);
	size_t n = evbuffer_get_length(bufferevent_get_output(bev));

	return sock ? n + evbuffer_get_length(bufferevent_get_output(sock)) : n;
}

static struct bufferevent *
sock_of(struct bufferevent *bev)
{
	struct bufferevent *sock = bufferevent_get_underlying(bev);

	return sock ? sock : bev;
}

void
bev_write_direct(struct bufferevent *bev)
{
	bufferevent_disable(sock_of(bev), EV_WRITE);
}

void
bev_flush_now(struct bufferevent *bev)
{
	struct bufferevent *sock = sock_of(bev);
	struct evbuffer *out = bufferevent_get_output(sock);
	bool watched = (bufferevent_get_enabled(sock) & EV_WRITE) != 0;
	int n = 0;

	if (evbuffer_get_length(out) > 0) {
		/* libevent freezes the start of a bufferevent's output and
		 * unfreezes it the same way for its own writes */
		evbuffer_unfreeze(out, 1);
		n = evbuffer_write(out, bufferevent_getfd(sock));
		evbuffer_freeze(out, 1);
	}
	/* libevent's write event only while bytes wait for the socket, or to
	 * report an error: not an epoll_ctl pair for every frame */
	if (evbuffer_get_length(out) == 0 && n >= 0) {
		if (watched)
			bufferevent_disable(sock, EV_WRITE);
	} else if (!watched)
		bufferevent_enable(sock, EV_WRITE);
}
