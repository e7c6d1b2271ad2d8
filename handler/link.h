/* link: a handler's connection to its peer server (private to handler/):
 * reading records, liveness (keepalive records, TCP keepalive and user
 * timeout, silence), losing and replacing the connection, the goodbye. */
#ifndef VNET_LINK_H
#define VNET_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "handler/handler.h"

#define LINK_STALL_MS	2000	/* sending, nothing acknowledged: redial alongside */

/* Monotonic milliseconds. */
uint64_t link_now_ms(void);
/* Takes bev as h's connection (h_bev must be NULL): callbacks, socket
 * options, names, the read watermark; frames already in its input are read
 * from the loop. */
void link_take(struct handler *h, struct bufferevent *bev, bool records);
/* Starts the once-a-second liveness timer and makes the deferred read of
 * link_take (h_reread); -1 out of memory. */
int link_timer_start(struct handler *h, struct event_base *base);
/* The connection is gone or unusable: drops it and, with an on_down
 * callback, waits for a new one; otherwise closes h (h is freed then). */
void link_lost(struct handler *h, const char *why);
/* Frees h's connection (h_bev), which no longer counts in the total. */
void link_free(struct handler *h);
/* After frames were queued to h's peer (at now, link_now_ms): h's link
 * classified again (a quiet link that starts a bulk transfer is busy from
 * now on, handler/quiet.h) and its output written, at once if quiet, else
 * from its write event. */
void link_flush(struct handler *h, uint64_t now);
/* Bytes waiting for the peers in every handler's connection. */
size_t link_queued_total(void);
/* At close: a goodbye record to a peer that takes them when the handler is
 * closed for good (h_goodbye), then the connection is freed once that has
 * left (or after 2 s). */
void link_release(struct handler *h);

/* handler.c: inject the frame of len bytes that h received (frame may be
 * rewritten: checksum fields). */
void handler_rx_frame(struct handler *h, uint8_t *frame, size_t len);

#endif
