/* metrics: `--metrics ADDR:PORT` serves GET /metrics in the Prometheus text
 * format (server/prom.h) through libevent's HTTP server on the server's
 * event_base: per-handler counters, the server's sessions and
 * authentication failures, and VNAT's counters (doc/PROTOCOL.md,
 * "Metrics"). */
#ifndef VNET_METRICS_H
#define VNET_METRICS_H

#include <stddef.h>

#include <event2/buffer.h>

#include "server/server.h"

struct metrics;

/* Listens on s's --metrics address; NULL with the reason in err. */
struct metrics *metrics_start(struct server *s, char *err, size_t errlen);
/* The one teardown: closes the listener and open HTTP connections; m may be NULL. */
void metrics_stop(struct metrics *m);
/* Writes every metric of s, as they are now, into b; 0, or -1 out of memory. */
int metrics_write(struct server *s, struct evbuffer *b);

#endif
