/* handler: one bridging connection.  Frames captured on the local device go
 * to the peer server over the handler's TCP (TLS) connection; frames from
 * the peer are injected on the local device.  handler_close is the one
 * teardown. */
#ifndef VNET_HANDLER_H
#define VNET_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/frame.h"
#include "common/mac.h"
#include "common/proto.h"
#include "handler/dev.h"
#include "handler/quiet.h"

#define HANDLER_MARK_BASE	0x766e0000u	/* "vn" in the high half of SO_MARK */
#define HANDLER_QUEUE_DEFAULT	(4u * 1024 * 1024)
#define HANDLER_QUEUE_TOTAL_DEFAULT	(256u * 1024 * 1024)	/* all handlers together */
#define HANDLER_STORM_DEFAULT	1000u	/* broadcast/multicast frames a second */
#define HANDLER_DEAD_DEFAULT	15u	/* seconds of silence before the link is lost */
/* The event base's priorities (event_base_priority_init): 0 for quiet
 * captures and links (handler/quiet.h), which go first, 1 (the default)
 * for everything else. */
#define HANDLER_EV_PRIOS	2

struct handler_stats {
	uint64_t hs_sent_frames, hs_sent_bytes;	/* captured, queued to the peer */
	uint64_t hs_recv_frames, hs_recv_bytes;	/* from the peer, injected */
	uint64_t hs_drop_queue;			/* connection could not keep up */
	uint64_t hs_drop_truncated;		/* capture shorter than the frame */
	uint64_t hs_drop_toobig;		/* over the MTU, not segmentable */
	uint64_t hs_drop_inject;		/* device busy or send error */
	uint64_t hs_drop_malformed;		/* IP/TCP/UDP headers cut short */
	uint64_t hs_drop_kernel;		/* capture ring overflow */
	uint64_t hs_drop_loop;			/* would go back where it came from */
	uint64_t hs_drop_storm;			/* broadcast/multicast over the limit */
	uint64_t hs_drop_filtered;		/* from the peer, not in the list */
	uint64_t hs_drop_down;			/* captured while the link was down */
	uint64_t hs_drop_queue_total;		/* all handlers' queues at the server's bound */
	uint64_t hs_reconnects;			/* links after the first */
};

struct handler;
typedef void (*handler_close_cb)(struct handler *h, void *arg);
/* the link was lost (why), or has been silent while frames wait (why NULL) */
typedef void (*handler_link_cb)(struct handler *h, void *arg, const char *why);

struct handler_conf {
	uint32_t	 hc_id;
	enum proto_role	 hc_role, hc_rrole;
	char		 hc_dev[PROTO_DEV_MAX + 1];
	char		 hc_rdev[PROTO_DEV_MAX + 1];
	struct mac_list	 hc_addrs;
	size_t		 hc_queue_max;	/* bytes queued towards the peer */
	uint32_t	 hc_storm_pps;	/* group frames a second to the peer; 0: no limit */
	uint16_t	 hc_origin;	/* where frames go and come from (the peer
					 * server and its device), as a number
					 * unique on this server: the injection
					 * mark, and the loop guard's key */
	char		 hc_peer[PROTO_HOST_MAX + 32];	/* the peer server, for logs */
	char		 hc_peer_id[72];/* the peer server, for comparisons */
	unsigned	 hc_dead_after;	/* seconds of silence: link lost (0: default) */
	bool		 hc_records;	/* the peer takes keepalive and goodbye records */
	char		 hc_token[PROTO_INSTANCE_LEN + 1];	/* the dialler's; "" */
};

struct handler {
	TAILQ_ENTRY(handler)	 h_entry;
	struct handler_conf	 h_conf;
	char			 h_laddr[64], h_raddr[64];
	uint16_t		 h_lport, h_rport;
	struct bufferevent	*h_bev;
	struct dev		*h_dev;		/* its device's capture and injection */
	struct dev_member	 h_devm;	/* dev.c's */
	struct handler_stats	 h_st;
	struct event		*h_live_ev;	/* once a second: keepalive, silence */
	struct defer		*h_reread;	/* input that came with the connection */
	uint64_t		 h_heard_ms;	/* monotonic: last byte from the peer */
	uint64_t		 h_sent_ms;	/* last record queued to the peer */
	uint64_t		 h_state_ms;	/* when the link came up or went down */
	uint64_t		 h_unans_ms;	/* first frame out since last heard; 0 */
	uint64_t		 h_acked_ms;	/* the tick that first saw data unacknowledged; 0 */
	bool			 h_stalled;	/* stalled while sending: told the owner */
	struct quiet		 h_quiet;	/* its link's events at priority 0 */
	uint64_t		 h_rx_raw;	/* bytes of records read from the link */
	bool			 h_goodbye;	/* closing for good (CLOSE): tell the peer */
	bool			 h_goodbye_rx;	/* closed by the peer's goodbye */
	handler_link_cb		 h_on_down, h_on_stall;
	void			*h_link_arg;
	uint64_t		 h_storm_tokens;	/* in millionths of a frame */
	struct timeval		 h_storm_last;		/* capture time of the last refill */
	handler_close_cb	 h_on_close;
	void			*h_arg;
};

/* Starts forwarding on an established connection (input may already hold
 * frames); takes bev over.  NULL with the reason in err (bev not taken). */
struct handler *handler_start(struct event_base *base, struct bufferevent *bev,
    const struct handler_conf *conf, handler_close_cb on_close, void *arg,
    char *err, size_t errlen);
/* The one teardown: logs reason and counters, closes capture, injection and
 * connection (after a goodbye record to a peer that takes them, so that it
 * does not redial), calls the owner's callback and frees h. */
void handler_close(struct handler *h, const char *reason);
/* With on_down, a lost link (closed, failed, silent for hc_dead_after
 * seconds) leaves the handler waiting without a connection (frames dropped
 * and counted) and calls on_down; the owner brings a new one with
 * handler_attach or ends it with handler_close.  Without, a lost link
 * closes the handler.  on_stall (may be NULL): the link has carried frames
 * out but heard nothing for 2 s (a dead path TCP has not noticed yet);
 * called once per silence, for a make-before-break redial. */
void handler_set_link_cbs(struct handler *h, handler_link_cb on_down, handler_link_cb on_stall,
    void *arg);
/* True while h has a connection that has carried frames out but heard
 * nothing for 2 s. */
bool handler_is_stalled(const struct handler *h);
/* A new connection for h (its peer came back, or a redial): the old one,
 * if any, is dropped; h keeps its identifier, counters and capture. */
void handler_attach(struct handler *h, struct bufferevent *bev, bool records);
/* The next handler_close is for good (CLOSE): a peer that takes records
 * gets a goodbye and does not redial. */
void handler_goodbye(struct handler *h);
/* The peer server (after a restart it has another instance) and origin
 * number (the injection mark and loop-guard key) change: the injection
 * socket and the capture filter take the new mark.  -1 with err set. */
int handler_set_origin(struct handler *h, uint16_t origin, const char *peer_id, const char *peer,
    char *err, size_t errlen);
/* True when h is being closed because its peer said goodbye. */
bool handler_got_goodbye(const struct handler *h);
/* True while h has a connection. */
bool handler_is_up(const struct handler *h);
/* The configuration h runs with. */
const struct handler_conf *handler_conf_of(const struct handler *h);
/* Copies h's counters into out (the kernel's capture drops read now). */
void handler_stats_of(struct handler *h, struct handler_stats *out);
/* Bytes all handlers together may hold for their peers (--queue-total);
 * frames beyond are dropped and counted in drop_queue_total. */
void handler_set_queue_total(size_t bytes);
/* Bytes waiting for their peers in every handler's connection now. */
size_t handler_queued_total(void);
/* Bytes waiting for the peer in h's connection (0 while the link is down). */
size_t handler_queued(const struct handler *h);
/* Frames h's device captured that no handler on it took (dev_unmatched). */
uint64_t handler_dev_unmatched(const struct handler *h);
/* Writes the peer server of h's last connection: "addr:port" ("[v6]:port")
 * when this side dialled it, the address alone when it was accepted on
 * listen_port (the dialler's source port changes with every redial). */
void handler_peer_of(const struct handler *h, uint16_t listen_port, char *buf, size_t len);
/* Writes the seed's HANDLERS? line for h (doc/PROTOCOL.md, "HANDLERS? lines"). */
void handler_format(const struct handler *h, char *buf, size_t len);
/* Writes "id key=value ..." counters for h (doc/PROTOCOL.md, "STATS? lines"). */
void handler_format_stats(struct handler *h, char *buf, size_t len);

#endif
