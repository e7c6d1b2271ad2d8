/* Unit tests: direct writes on a bufferevent (common/bev): libevent's write
 * event is on exactly while bytes wait for the socket; an OpenSSL
 * bufferevent is left to libevent (its output is plaintext); event priorities
 * of both kinds. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>

#include "common/bev.h"

static struct event_base *base;
static struct bufferevent *bev;
static int peer;

static void
setup(void)
{
	int sv[2], small = 4096;

	signal(SIGPIPE, SIG_IGN);	/* as in vnet */
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* a small send buffer, so that a few writes fill it */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	cr_assert_eq(evutil_make_socket_nonblocking(sv[0]), 0);
	peer = sv[1];
	base = event_base_new();
	cr_assert_not_null(base);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	cr_assert_not_null(bev);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	bev_write_direct(bev);
}

static void
teardown(void)
{
	bufferevent_free(bev);
	event_base_free(base);
	close(peer);
}

TestSuite(bev, .init = setup, .fini = teardown);

static bool
watched(void)
{
	return (bufferevent_get_enabled(bev) & EV_WRITE) != 0;
}

static size_t
drain_peer(void)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	return total;
}

Test(bev, written_at_once_without_the_write_event)
{
	cr_assert_not(watched(), "the write event stays off after bev_write_direct");
	bufferevent_write(bev, "frame", 5);
	cr_assert_eq(bev_pending(bev), 5);
	bev_flush_now(bev);
	cr_assert_eq(bev_pending(bev), 0);
	cr_assert_not(watched());
	char buf[8];
	cr_assert_eq(recv(peer, buf, sizeof(buf), MSG_DONTWAIT), 5);
	cr_assert_eq(memcmp(buf, "frame", 5), 0);
	/* nothing queued: a flush writes nothing and changes nothing */
	bev_flush_now(bev);
	cr_assert_not(watched());
}

Test(bev, a_full_socket_leaves_the_rest_to_libevent)
{
	static char chunk[16384];
	size_t sent = 0, got;

	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 64; i++) {
		bufferevent_write(bev, chunk, sizeof(chunk));
		sent += sizeof(chunk);
	}
	bev_flush_now(bev);
	cr_assert_gt(bev_pending(bev), 0, "the socket took %zu bytes at once", sent);
	cr_assert(watched(), "bytes wait: the write event is on");
	/* the peer reads; libevent writes the rest by itself */
	got = 0;
	for (int i = 0; i < 10000 && got < sent; i++) {
		got += drain_peer();
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	got += drain_peer();
	cr_assert_eq(got, sent, "all %zu bytes arrive (%zu)", sent, got);
	cr_assert_eq(bev_pending(bev), 0);
	/* the next flush finds nothing waiting and turns the event off again */
	bev_flush_now(bev);
	cr_assert_not(watched());
}

Test(bev, an_error_is_left_for_the_bufferevent_to_report)
{
	close(peer);
	peer = open("/dev/null", O_RDONLY);
	bufferevent_write(bev, "late", 4);
	bev_flush_now(bev);	/* EPIPE: the event goes on, libevent reports it */
	cr_assert(watched());
}

/* over TLS the output is plaintext: bev_flush_now must not write it, and
 * libevent's write event (which hands it to OpenSSL) must stay on */
Test(bev, tls_output_is_never_written_to_the_socket)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	struct bufferevent *tls;
	char buf[64];
	int sv[2];

	cr_assert_not_null(ctx);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(evutil_make_socket_nonblocking(sv[0]), 0);
	tls = bufferevent_openssl_socket_new(base, sv[0], SSL_new(ctx), BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
	cr_assert_not_null(tls);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	bev_write_direct(tls);
	cr_assert(bufferevent_get_enabled(tls) & EV_WRITE, "libevent keeps writing over TLS");
	bufferevent_write(tls, "secret frame", 12);
	cr_assert_eq(bev_pending(tls), 12);
	bev_flush_now(tls);
	event_base_loop(base, EVLOOP_NONBLOCK);	/* no handshake: nothing may go out */
	cr_assert_lt(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0, "bytes reached the socket");
	cr_assert_eq(bev_pending(tls), 12, "the plaintext waits for the handshake");
	cr_assert(bufferevent_get_enabled(tls) & EV_WRITE);
	bufferevent_free(tls);
	close(sv[1]);
	SSL_CTX_free(ctx);
}

/* event priorities (quiet links first): both kinds of bufferevent, both
 * events; a priority the base lacks is refused */
Test(bev, priorities_of_plain_and_tls_bufferevents)
{
	struct event_base *pb = event_base_new();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	struct bufferevent *plain, *tls;
	int sv[2], sw[2];

	cr_assert_not_null(pb);
	cr_assert_not_null(ctx);
	cr_assert_eq(event_base_priority_init(pb, 2), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sw), 0);
	plain = bufferevent_socket_new(pb, sv[0], BEV_OPT_CLOSE_ON_FREE);
	tls = bufferevent_openssl_socket_new(pb, sw[0], SSL_new(ctx), BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
	cr_assert_not_null(plain);
	cr_assert_not_null(tls);
	bufferevent_enable(plain, EV_READ | EV_WRITE);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	cr_assert_eq(event_get_priority(&plain->ev_read), 1, "the default is the middle");
	cr_assert_eq(bev_priority_set(plain, 0), 0);
	cr_assert_eq(bev_priority_set(tls, 0), 0);
	cr_assert_eq(event_get_priority(&plain->ev_read), 0);
	cr_assert_eq(event_get_priority(&plain->ev_write), 0);
	cr_assert_eq(event_get_priority(&tls->ev_read), 0);
	cr_assert_eq(event_get_priority(&tls->ev_write), 0);
	cr_assert_eq(bev_priority_set(tls, 1), 0);
	cr_assert_eq(event_get_priority(&tls->ev_read), 1);
	cr_assert_eq(bev_priority_set(plain, 2), -1, "the base has priorities 0 and 1 only");
	cr_assert_eq(bev_priority_set(tls, 2), -1);
	cr_assert_eq(event_get_priority(&plain->ev_read), 0, "unchanged after a refusal");
	bufferevent_free(plain);
	bufferevent_free(tls);
	close(sv[1]);
	close(sw[1]);
	SSL_CTX_free(ctx);
	event_base_free(pb);
}
