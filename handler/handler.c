/* handler: forwarding between capture, connection (link.c) and injection. */
#include "handler/handler.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/bev.h"
#include "common/defer.h"
#include "common/log.h"
#include "handler/dev.h"
#include "handler/filter.h"
#include "handler/inject.h"
#include "handler/link.h"

static size_t queue_total = HANDLER_QUEUE_TOTAL_DEFAULT;

void
handler_set_queue_total(size_t bytes)
{
	queue_total = bytes;
}

size_t
handler_queued_total(void)
{
	return link_queued_total();
}

/* Storm control, as managed switches do it: a token bucket per handler for
 * frames to group addresses, refilled at hc_storm_pps a second and holding
 * one second's worth; the capture's own time stamps, no clock call. */
static bool
storm_allows(struct handler *h, const struct timeval *ts)
{
	const uint64_t one = 1000000, cap = (uint64_t)h->h_conf.hc_storm_pps * one;
	int64_t us;

	if (h->h_conf.hc_storm_pps == 0)
		return true;
	us = (int64_t)(ts->tv_sec - h->h_storm_last.tv_sec) * 1000000 +
	    (ts->tv_usec - h->h_storm_last.tv_usec);
	if (us < 0) {
		/* the wall clock stepped back: start again from now */
		h->h_storm_last = *ts;
		us = 0;
	}
	if (us > 0) {
		/* a second refills the whole bucket: no overflow for long gaps */
		h->h_storm_tokens = us >= 1000000 ? cap :
		    h->h_storm_tokens + (uint64_t)us * h->h_conf.hc_storm_pps;
		if (h->h_storm_tokens > cap)
			h->h_storm_tokens = cap;
		h->h_storm_last = *ts;
	}
	if (h->h_storm_tokens >= one) {
		h->h_storm_tokens -= one;
		return true;
	}
	if (h->h_st.hs_drop_storm++ == 0)
		log_warnx("handler %u: broadcast/multicast frames over %u a second towards %s: "
		    "the excess is dropped (drop_storm in STATS?; --storm-limit)", h->h_conf.hc_id,
		    h->h_conf.hc_storm_pps, h->h_conf.hc_peer);
	return false;
}

void
handler_cap_loop(struct handler *h)
{
	/* a frame a handler of this server injected from where this one
	 * would send it: it would come back for ever */
	if (h->h_st.hs_drop_loop++ == 0)
		log_warnx("handler %u: dropped a frame that another handler of this server "
		    "received from %s on %s and injected on %s: it would go back where it "
		    "came from (a loop; further ones are counted in drop_loop)",
		    h->h_conf.hc_id, h->h_conf.hc_peer, h->h_conf.hc_rdev, h->h_conf.hc_dev);
}

bool
handler_cap_frame(struct handler *h, const struct pcap_pkthdr *ph, const u_char *data)
{
	struct evbuffer *out;
	struct evbuffer_iovec vec;

	if (ph->caplen < ph->len || ph->len < FRAME_MIN || ph->len > FRAME_MAX) {
		h->h_st.hs_drop_truncated++;
		return false;
	}
	if ((data[0] & 0x01) && !storm_allows(h, &ph->ts))
		return false;
	if (h->h_bev == NULL) {
		h->h_st.hs_drop_down++;
		return false;
	}
	out = bufferevent_get_output(h->h_bev);
	if (bev_pending(h->h_bev) >= h->h_conf.hc_queue_max) {
		h->h_st.hs_drop_queue++;
		return false;
	}
	if (link_queued_total() + FRAME_HDR_LEN + ph->len > queue_total) {
		if (h->h_st.hs_drop_queue_total++ == 0)
			log_warnx("handler %u: the handlers of this server hold %zu bytes for their "
			    "peers (--queue-total): frames dropped (drop_queue_total in STATS?)",
			    h->h_conf.hc_id, link_queued_total());
		return false;
	}
	/* one add per frame; over TLS libevent hands all that waits to
	 * SSL_write on its write event: a batch, one record */
	if (evbuffer_reserve_space(out, FRAME_HDR_LEN + ph->len, &vec, 1) < 1 ||
	    vec.iov_len < FRAME_HDR_LEN + ph->len) {
		h->h_st.hs_drop_queue++;
		return false;
	}
	frame_hdr_encode(vec.iov_base, ph->len);
	memcpy((uint8_t *)vec.iov_base + FRAME_HDR_LEN, data, ph->len);
	vec.iov_len = FRAME_HDR_LEN + ph->len;
	evbuffer_commit_space(out, &vec, 1);
	h->h_st.hs_sent_frames++;
	h->h_st.hs_sent_bytes += ph->len;
	return true;
}

void
handler_cap_flush(struct handler *h)
{
	if (h->h_bev == NULL)
		return;
	h->h_sent_ms = link_now_ms();
	if (h->h_unans_ms == 0)
		h->h_unans_ms = h->h_sent_ms;
	link_flush(h, h->h_sent_ms);
}

void
handler_rx_frame(struct handler *h, uint8_t *frame, size_t len)
{
	/* only what the peer's side would have captured: a peer cannot put
	 * frames from other sources (or to other destinations) on this LAN */
	if (!filt_match(&h->h_conf.hc_addrs, h->h_conf.hc_role == PROTO_LOCAL ? PROTO_REMOTE :
	    PROTO_LOCAL, frame)) {
		if (h->h_st.hs_drop_filtered++ == 0)
			log_warnx("handler %u: %s sent a frame from %02x:%02x:%02x:%02x:%02x:%02x to "
			    "%02x:%02x:%02x:%02x:%02x:%02x that its list does not allow: not injected "
			    "(further ones are counted in drop_filtered)", h->h_conf.hc_id,
			    h->h_conf.hc_peer, frame[6], frame[7], frame[8], frame[9],
			    frame[10], frame[11], frame[0], frame[1], frame[2], frame[3],
			    frame[4], frame[5]);
		return;
	}
	switch (dev_inject(h->h_dev, h, frame, len)) {
	case INJ_OK:
		h->h_st.hs_recv_frames++;
		h->h_st.hs_recv_bytes += len;
		break;
	case INJ_TOO_BIG:
		if (h->h_st.hs_drop_toobig++ == 0)
			log_warnx("handler %u: %zu-byte frame exceeds the MTU %u of %s and is "
			    "not TCP: dropped (counted in STATS?)", h->h_conf.hc_id, len,
			    dev_mtu(h->h_dev), h->h_conf.hc_dev);
		break;
	case INJ_MALFORMED:
		h->h_st.hs_drop_malformed++;
		break;
	case INJ_BUSY:
		h->h_st.hs_drop_inject++;
		break;
	case INJ_ERROR:
		if (h->h_st.hs_drop_inject++ == 0)
			log_warn("handler %u: inject on %s", h->h_conf.hc_id, h->h_conf.hc_dev);
		break;
	}
}

struct handler *
handler_start(struct event_base *base, struct bufferevent *bev,
    const struct handler_conf *conf, handler_close_cb on_close, void *arg,
    char *err, size_t errlen)
{
	struct handler *h;
	char filter[8192];

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->h_conf = *conf;
	if (h->h_conf.hc_queue_max == 0)
		h->h_conf.hc_queue_max = HANDLER_QUEUE_DEFAULT;
	if (h->h_conf.hc_peer[0] == '\0')
		snprintf(h->h_conf.hc_peer, sizeof(h->h_conf.hc_peer), "the peer");
	h->h_storm_tokens = (uint64_t)conf->hc_storm_pps * 1000000;
	if (filt_build(&conf->hc_addrs, conf->hc_role, filter, sizeof(filter)) != 0) {
		snprintf(err, errlen, "address list too long for a filter");
		goto fail;
	}
	if ((h->h_dev = dev_join(base, h, &h->h_devm, err, errlen)) == NULL)
		goto fail;
	h->h_on_close = on_close;
	h->h_arg = arg;
	if (link_timer_start(h, base) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	link_take(h, bev, conf->hc_records);
	log_info("handler %u: %s on %s <-> %s on %s at %s:%u (%s), filter: %s", conf->hc_id,
	    proto_role_name(conf->hc_role), conf->hc_dev, proto_role_name(conf->hc_rrole),
	    conf->hc_rdev, h->h_raddr, h->h_rport, h->h_conf.hc_peer, filter);
	return h;
fail:
	defer_free(h->h_reread);
	if (h->h_live_ev)
		event_free(h->h_live_ev);
	if (h->h_dev)
		dev_leave(h->h_dev, &h->h_devm);
	free(h);
	return NULL;
}

void
handler_close(struct handler *h, const char *reason)
{
	char st[512];

	handler_format_stats(h, st, sizeof(st));
	log_info("handler %u closed: %s; %s", h->h_conf.hc_id, reason, st);
	defer_free(h->h_reread);
	event_free(h->h_live_ev);
	dev_leave(h->h_dev, &h->h_devm);
	link_release(h);
	if (h->h_on_close)
		h->h_on_close(h, h->h_arg);
	free(h);
}

void
handler_set_link_cbs(struct handler *h, handler_link_cb on_down, handler_link_cb on_stall,
    void *arg)
{
	h->h_on_down = on_down;
	h->h_on_stall = on_stall;
	h->h_link_arg = arg;
}

bool
handler_is_stalled(const struct handler *h)
{
	return h->h_bev != NULL && h->h_stalled;
}

void
handler_attach(struct handler *h, struct bufferevent *bev, bool records)
{
	uint64_t gap = (link_now_ms() - h->h_state_ms) / 1000;

	if (h->h_bev) {
		/* make before break: the new one took over, the old one goes */
		link_free(h);
		gap = 0;
	}
	h->h_st.hs_reconnects++;
	link_take(h, bev, records);
	log_info_rl("handler %u: link to %s back on %s:%u <-> %s:%u after %llu s (reconnect %llu)",
	    h->h_conf.hc_id, h->h_conf.hc_peer, h->h_laddr, h->h_lport, h->h_raddr,
	    h->h_rport, (unsigned long long)gap, (unsigned long long)h->h_st.hs_reconnects);
}

int
handler_set_origin(struct handler *h, uint16_t origin, const char *peer_id, const char *peer,
    char *err, size_t errlen)
{
	/* the mark is the server's, the origin is compared in user space
	 * (dev_inject): nothing in the kernel changes */
	(void)err;
	(void)errlen;
	h->h_conf.hc_origin = origin;
	snprintf(h->h_conf.hc_peer_id, sizeof(h->h_conf.hc_peer_id), "%s", peer_id);
	snprintf(h->h_conf.hc_peer, sizeof(h->h_conf.hc_peer), "%s", peer);
	return 0;
}

bool
handler_got_goodbye(const struct handler *h)
{
	return h->h_goodbye_rx;
}

void
handler_goodbye(struct handler *h)
{
	h->h_goodbye = true;
}

bool
handler_is_up(const struct handler *h)
{
	return h->h_bev != NULL;
}

const struct handler_conf *
handler_conf_of(const struct handler *h)
{
	return &h->h_conf;
}

void
handler_format(const struct handler *h, char *buf, size_t len)
{
	char addrs[MAC_LIST_MAX * MAC_STRLEN];

	if (mac_list_format(&h->h_conf.hc_addrs, addrs, sizeof(addrs)) != 0)
		addrs[0] = '\0';
	snprintf(buf, len, "%u %s %s %u %s <-> %s %s %u %s %s", h->h_conf.hc_id,
	    proto_role_name(h->h_conf.hc_role), h->h_laddr, h->h_lport, h->h_conf.hc_dev,
	    proto_role_name(h->h_conf.hc_rrole), h->h_raddr, h->h_rport, h->h_conf.hc_rdev,
	    addrs);
}

void
handler_stats_of(struct handler *h, struct handler_stats *out)
{
	if (h->h_dev)
		h->h_st.hs_drop_kernel = dev_kernel_drops(h->h_dev);
	*out = h->h_st;
}

size_t
handler_queued(const struct handler *h)
{
	return h->h_bev ? bev_pending(h->h_bev) : 0;
}

uint64_t
handler_dev_unmatched(const struct handler *h)
{
	return h->h_dev ? dev_unmatched(h->h_dev) : 0;
}

void
handler_peer_of(const struct handler *h, uint16_t listen_port, char *buf, size_t len)
{
	if (h->h_lport == listen_port)
		snprintf(buf, len, "%s", h->h_raddr);
	else
		snprintf(buf, len, strchr(h->h_raddr, ':') ? "[%s]:%u" : "%s:%u", h->h_raddr,
		    (unsigned)h->h_rport);
}

void
handler_format_stats(struct handler *h, char *buf, size_t len)
{
	struct handler_stats st;
	const struct handler_stats *s = &st;
	uint64_t now = link_now_ms();

	handler_stats_of(h, &st);
	snprintf(buf, len, "%u sent_frames=%" PRIu64 " sent_bytes=%" PRIu64
	    " recv_frames=%" PRIu64 " recv_bytes=%" PRIu64 " drop_queue=%" PRIu64
	    " drop_truncated=%" PRIu64 " drop_toobig=%" PRIu64 " drop_inject=%" PRIu64
	    " drop_malformed=%" PRIu64 " drop_kernel=%" PRIu64 " drop_loop=%" PRIu64
	    " drop_storm=%" PRIu64 " drop_filtered=%" PRIu64 " drop_down=%" PRIu64
	    " drop_queue_total=%" PRIu64
	    " queued_bytes=%zu state=%s state_secs=%" PRIu64 " last_heard_secs=%" PRIu64
	    " reconnects=%" PRIu64 " dev_unmatched=%" PRIu64,
	    h->h_conf.hc_id, s->hs_sent_frames, s->hs_sent_bytes, s->hs_recv_frames,
	    s->hs_recv_bytes, s->hs_drop_queue, s->hs_drop_truncated, s->hs_drop_toobig,
	    s->hs_drop_inject, s->hs_drop_malformed, s->hs_drop_kernel, s->hs_drop_loop,
	    s->hs_drop_storm, s->hs_drop_filtered, s->hs_drop_down, s->hs_drop_queue_total,
	    handler_queued(h), h->h_bev ? "up" : "down",
	    (now - h->h_state_ms) / 1000, (now - h->h_heard_ms) / 1000, s->hs_reconnects,
	    handler_dev_unmatched(h));
}
