/* link: a handler's connection, its liveness, loss, return and goodbye. */
#include "handler/link.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/addrfmt.h"
#include "common/bev.h"
#include "common/defer.h"
#include "common/err.h"
#include "common/frame.h"
#include "common/log.h"

#define LINK_IO_MAX	(256 * 1024)	/* read per callback */
/* written per callback: a bulk link's send (through the kernel's whole
 * path to the next hop) does not hold the loop for long (fairness) */
#define LINK_WRITE_MAX	(64 * 1024)
#define LINK_KA_BUSY_MS	500	/* answer what arrives, at most this often */
#define LINK_DRAIN_S	2	/* a goodbye's time to leave */

/* one frame at a time is read from a peer, by every handler in turn: one
 * buffer for all, not 64 KiB each */
static uint8_t rx_buf[FRAME_MAX];
/* bytes in every handler's output, kept by a callback on each: the
 * server-wide bound (handler_set_queue_total) reads it per frame */
static size_t queued_total;

static void
out_counted(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	(void)b;
	(void)arg;
	queued_total += i->n_added;
	queued_total -= i->n_deleted;
}

size_t
link_queued_total(void)
{
	return queued_total;
}

/* h's connection no longer counts in queued_total */
static void
uncount(struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	if (evbuffer_remove_cb(out, out_counted, NULL) == 0)
		queued_total -= evbuffer_get_length(out);
}

void
link_free(struct handler *h)
{
	uncount(h->h_bev);
	bufferevent_free(h->h_bev);
	h->h_bev = NULL;
}

uint64_t
link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned
dead_after(const struct handler *h)
{
	return h->h_conf.hc_dead_after ? h->h_conf.hc_dead_after : HANDLER_DEAD_DEFAULT;
}

/* TCP_NODELAY, and liveness from the kernel too: keepalive probes and a
 * user timeout (unacknowledged data) within the handler's bound, for a
 * peer that sends no keepalive records (VNET 0.9).  With records, silence
 * (live_tick) notices a dead path at the bound and says so; the kernel's
 * two are then a backstop LINK_KERNEL_SLACK s later, so that they never win
 * that race on a loaded machine with a vaguer "Connection timed out". */
#define LINK_KERNEL_SLACK	5
static void
sock_setup(struct handler *h)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = bufferevent_getfd(h->h_bev), one = 1;
	unsigned slack = h->h_conf.hc_records ? LINK_KERNEL_SLACK : 0;
	int idle = (int)(dead_after(h) / 3 ? dead_after(h) / 3 : 1);
	int cnt = 2 + (int)((slack + (unsigned)idle - 1) / (unsigned)idle);
	unsigned uto = (dead_after(h) + slack) * 1000;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &uto, sizeof(uto));
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		addrfmt_sockaddr((struct sockaddr *)&ss, h->h_laddr, sizeof(h->h_laddr), &h->h_lport);
	sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		addrfmt_sockaddr((struct sockaddr *)&ss, h->h_raddr, sizeof(h->h_raddr), &h->h_rport);
}

/* Wake up when n bytes are in (0: any).  Only on a change: every
 * bufferevent_setwatermark call re-enables reading, a call into libevent's
 * backend.  No high mark: frames are injected as they are decoded, so the
 * input never holds more than one read (at most LINK_IO_MAX) and a
 * partial frame; a high mark would also make every drain of the input
 * re-enable reading. */
static void
rx_wait(struct bufferevent *bev, size_t n)
{
	size_t low = 0;

	if (bufferevent_getwatermark(bev, EV_READ, &low, NULL) == 0 && low == n)
		return;
	bufferevent_setwatermark(bev, EV_READ, n, 0);
}

static void send_record(struct handler *h, uint8_t type);

/* bytes that h's link carried: queued to the peer, and read from it
 * whatever became of them (injected, refused, keepalive records) */
static uint64_t
moved(struct handler *h)
{
	return h->h_st.hs_sent_bytes + h->h_rx_raw;
}

/* Quiet links first (handler/quiet.h): a VM's ping or ssh session is not
 * queued behind a bulk transfer's reads and writes when both are ready. */
static void
classify(struct handler *h, uint64_t now)
{
	bool quiet;

	if (h->h_bev == NULL)
		return;
	quiet = quiet_want(&h->h_quiet, moved(h), now);
	/* refused for an event active just now: the next call asks again */
	if (quiet != quiet_is(&h->h_quiet) &&
	    bev_priority_set(h->h_bev, quiet ? 0 : HANDLER_EV_PRIOS - 1) == 0)
		quiet_set(&h->h_quiet, quiet);
}

/* what waits in h's output, to the socket */
static void
flush(struct handler *h)
{
	/* a quiet link's bytes now rather than on the next loop turn: one
	 * epoll round trip less (latency).  A busy link's wait for its write
	 * event, after quiet links' and captures', LINK_WRITE_MAX at a time,
	 * so that a capture's turn costs copies, not sends, and its ring does
	 * not keep other VMs' frames waiting (fairness).  Over TLS libevent's
	 * write event does it either way. */
	if (quiet_is(&h->h_quiet))
		bev_flush_now(h->h_bev);
	else
		bev_flush_later(h->h_bev);
}

void
link_flush(struct handler *h, uint64_t now)
{
	classify(h, now);
	flush(h);
}

static void
peer_read(struct bufferevent *bev, void *arg)
{
	struct handler *h = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[FRAME_HDR_LEN], type;
	char why[128];
	int len;

	h->h_heard_ms = link_now_ms();
	h->h_unans_ms = 0;
	for (;;) {
		size_t avail = evbuffer_get_length(in);
		if (avail < FRAME_HDR_LEN)
			break;
		evbuffer_copyout(in, hdr, sizeof(hdr));
		len = frame_rec_decode(hdr, sizeof(hdr), h->h_conf.hc_records, &type);
		if (len < 0) {
			snprintf(why, sizeof(why), "protocol error from peer: bad frame header "
			    "%02x %02x %02x %02x (%s)", hdr[0], hdr[1], hdr[2], hdr[3],
			    vnet_strerror(len));
			link_lost(h, why);
			return;
		}
		if (avail < FRAME_HDR_LEN + (size_t)len) {
			/* wake up only when the whole frame is here */
			rx_wait(bev, FRAME_HDR_LEN + (size_t)len);
			classify(h, h->h_heard_ms);
			return;
		}
		evbuffer_drain(in, FRAME_HDR_LEN);
		h->h_rx_raw += FRAME_HDR_LEN + (size_t)len;
		if (type == FRAME_T_GOODBYE) {
			h->h_goodbye_rx = true;
			handler_close(h, "closed by the peer (CLOSE there)");
			return;
		}
		if (type == FRAME_T_ETH) {
			evbuffer_remove(in, rx_buf, (size_t)len);
			handler_rx_frame(h, rx_buf, (size_t)len);
		}
	}
	rx_wait(bev, 0);
	classify(h, h->h_heard_ms);
	/* a sender hears from this side within a round trip, even when
	 * nothing goes its way: its silence then means a dead path */
	if (h->h_conf.hc_records && h->h_heard_ms >= h->h_sent_ms + LINK_KA_BUSY_MS)
		send_record(h, FRAME_T_KEEPALIVE);
}

static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	struct handler *h = arg;
	size_t left = evbuffer_get_length(bufferevent_get_input(bev));
	char why[160];

	if (what & BEV_EVENT_EOF) {
		if (left)
			snprintf(why, sizeof(why), "peer closed mid-frame (%zu bytes of a frame "
			    "left unread)", left);
		else
			snprintf(why, sizeof(why), "peer closed the connection");
	} else if (what & BEV_EVENT_ERROR) {
		unsigned long e = bufferevent_get_openssl_error(bev);
		if (e && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			snprintf(why, sizeof(why), "peer closed the connection%s", left ?
			    " mid-frame" : "");
		else if (e) {
			char ebuf[120];
			ERR_error_string_n(e, ebuf, sizeof(ebuf));
			snprintf(why, sizeof(why), "TLS error on the connection: %s", ebuf);
		} else
			snprintf(why, sizeof(why), "connection error: %s",
			    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	} else
		return;
	link_lost(h, why);
}

void
link_take(struct handler *h, struct bufferevent *bev, bool records)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	h->h_bev = bev;
	if (evbuffer_add_cb(out, out_counted, NULL) != NULL)
		queued_total += evbuffer_get_length(out);
	h->h_conf.hc_records = records;
	h->h_heard_ms = h->h_sent_ms = h->h_state_ms = link_now_ms();
	h->h_unans_ms = 0;
	h->h_stalled = false;
	h->h_acked_ms = 0;
	/* at the default priority until a quiet second */
	quiet_init(&h->h_quiet, moved(h), link_now_ms());
	sock_setup(h);
	/* libevent reads and writes at most 16 KiB per call by default: too
	 * little for 64 KiB super-frames at several Gbit/s */
	bufferevent_set_max_single_read(bev, LINK_IO_MAX);
	bufferevent_set_max_single_write(bev, LINK_WRITE_MAX);
	bufferevent_setcb(bev, peer_read, NULL, peer_event, h);
	/* the control session's line limit goes */
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	bev_write_direct(bev);
	/* frames that arrived behind the BEGIN line; deferred, so that a bad
	 * one closes the handler after the caller has registered it */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		defer_run(h->h_reread);
}

static void
send_record(struct handler *h, uint8_t type)
{
	uint8_t hdr[FRAME_HDR_LEN];

	frame_rec_encode(hdr, type, 0);
	evbuffer_add(bufferevent_get_output(h->h_bev), hdr, sizeof(hdr));
	flush(h);
	h->h_sent_ms = link_now_ms();
}

/* The kernel's word on the link: stalled (1) when data has waited for an
 * acknowledgement for LINK_STALL_MS with none at all meanwhile: a dead path
 * or a dead direction of it, or TCP's retransmission backed off after a
 * burst of losses; not when the path is merely full, where a slow uplink
 * shared by many handlers delays each link's frames (and so its peer's
 * answer) by seconds while acknowledgements keep coming.  0: moving or
 * idle; -1: no TCP_INFO. */
static int
kernel_stalled(struct handler *h, uint64_t now)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);

	if (getsockopt(bufferevent_getfd(h->h_bev), IPPROTO_TCP, TCP_INFO, &ti, &sl) != 0 ||
	    sl < offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(ti.tcpi_last_ack_recv))
		return -1;
	if (ti.tcpi_unacked == 0) {
		h->h_acked_ms = 0;	/* nothing waits */
		return 0;
	}
	/* waiting since this tick at the latest: counted from here */
	if (h->h_acked_ms == 0) {
		h->h_acked_ms = now;
		return 0;
	}
	return now - h->h_acked_ms >= LINK_STALL_MS && ti.tcpi_last_ack_recv >= LINK_STALL_MS;
}

/* Once a second.  With a peer that sends keepalive records, silence for
 * the handler's bound loses the link, and a keepalive record goes when
 * nothing was sent for a third of the bound, or when something arrived
 * since this side last sent (peer_read answers at once, at most every half
 * second): a sender hears from its peer within a second of its frames, so
 * frames out and nothing heard for 2 s since would mean a dead path.  The
 * kernel knows better (kernel_stalled): with its word, that decides; the
 * silence only where TCP_INFO is missing.  A stall: on_stall. */
static void
live_tick(evutil_socket_t fd, short what, void *arg)
{
	struct handler *h = arg;
	uint64_t now = link_now_ms(), dead = dead_after(h) * 1000ull;
	char why[96];
	int ks;

	(void)fd;
	(void)what;
	if (h->h_bev == NULL || !h->h_conf.hc_records)
		return;		/* without records: TCP's keepalive and user timeout */
	if (now - h->h_heard_ms >= dead) {
		snprintf(why, sizeof(why), "nothing heard from the peer for %u s", dead_after(h));
		link_lost(h, why);
		return;
	}
	/* idle for a third of the bound, or something arrived since this
	 * side last sent (peer_read answers at most every LINK_KA_BUSY_MS) */
	if (now - h->h_sent_ms >= dead / 3 || h->h_heard_ms > h->h_sent_ms)
		send_record(h, FRAME_T_KEEPALIVE);
	classify(h, now);
	if ((ks = kernel_stalled(h, now)) < 0)
		ks = h->h_unans_ms && now - h->h_unans_ms >= LINK_STALL_MS;
	if (!ks)
		h->h_stalled = false;	/* moving again: a later stall is news */
	else if (h->h_on_stall && !h->h_stalled) {
		h->h_stalled = true;
		h->h_on_stall(h, h->h_link_arg, NULL);
	}
}

/* link_take's read of what came with the connection (which may have been
 * lost and replaced since: only what waits counts as heard) */
static void
reread(void *arg)
{
	struct handler *h = arg;

	if (h->h_bev && evbuffer_get_length(bufferevent_get_input(h->h_bev)) > 0)
		peer_read(h->h_bev, h);
}

int
link_timer_start(struct handler *h, struct event_base *base)
{
	struct timeval sec = { 1, 0 };

	if ((h->h_reread = defer_new(base, reread, h)) == NULL ||
	    (h->h_live_ev = event_new(base, -1, EV_PERSIST, live_tick, h)) == NULL)
		return -1;
	return event_add(h->h_live_ev, &sec);
}

void
link_lost(struct handler *h, const char *why)
{
	if (h->h_on_down == NULL) {
		handler_close(h, why);
		return;
	}
	log_warnx_rl("handler %u: link to %s lost: %s; frames are dropped until it is back",
	    h->h_conf.hc_id, h->h_conf.hc_peer, why);
	link_free(h);
	h->h_state_ms = link_now_ms();
	h->h_on_down(h, h->h_link_arg, why);
}

static void
drained(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void
drain_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	/* an error or the timeout: the goodbye is as gone as it gets */
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF | BEV_EVENT_TIMEOUT))
		bufferevent_free(bev);
}

void
link_release(struct handler *h)
{
	struct bufferevent *bev = h->h_bev;
	struct timeval tv = { LINK_DRAIN_S, 0 };

	h->h_bev = NULL;
	if (bev == NULL)
		return;
	uncount(bev);
	/* a goodbye only for good: after a shutdown or a crash the peer
	 * redials, or waits for this side to come back */
	if (!h->h_conf.hc_records || !h->h_goodbye) {
		bufferevent_free(bev);
		return;
	}
	/* behind what is queued (a frame may be half written: nothing can be
	 * taken out), with LINK_DRAIN_S of patience that progress renews */
	h->h_bev = bev;
	send_record(h, FRAME_T_GOODBYE);
	h->h_bev = NULL;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
	    bufferevent_openssl_get_ssl(bev) == NULL) {
		bufferevent_free(bev);
		return;
	}
	/* closed by its write callback once the goodbye has left */
	bufferevent_setcb(bev, NULL, drained, drain_event, NULL);
	bufferevent_disable(bev, EV_READ);
	bufferevent_enable(bev, EV_WRITE);
	bufferevent_set_timeouts(bev, NULL, &tv);
}
