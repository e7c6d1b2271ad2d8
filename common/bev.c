/* bev: pending bytes and immediate writes on (filtered) bufferevents. */
#include "common/bev.h"

#include <event2/buffer.h>

size_t
bev_pending(struct bufferevent *bev)
{
	struct bufferevent *sock = bufferevent_get_underlying(bev);
	size_t n = evbuffer_get_length(bufferevent_get_output(bev));

	return sock ? n + evbuffer_get_length(bufferevent_get_output(sock)) : n;
}

void
bev_flush_now(struct bufferevent *bev)
{
	struct bufferevent *sock = bufferevent_get_underlying(bev);
	struct evbuffer *out;

	if (sock == NULL)
		sock = bev;
	out = bufferevent_get_output(sock);
	if (evbuffer_get_length(out) == 0)
		return;
	/* libevent freezes the start of a bufferevent's output and unfreezes
	 * it the same way for its own writes */
	evbuffer_unfreeze(out, 1);
	(void)evbuffer_write(out, bufferevent_getfd(sock));
	evbuffer_freeze(out, 1);
}
