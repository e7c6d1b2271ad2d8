/* notify: sd_notify READY, STOPPING and the watchdog's WATCHDOG=1 from a
 * libevent timer.  The timer runs in the one event loop, so a loop that
 * stops turning stops the pings and the service manager restarts vnet. */
#include "server/notify.h"

#include <stdint.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"

struct notify {
	struct event	*n_timer;
};

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (sd_notify(0, "WATCHDOG=1") < 0)
		log_warnx_rl("notify: WATCHDOG=1 not sent");
}

struct notify *
notify_ready(struct event_base *base, const char *status)
{
	struct timeval tv;
	struct notify *n;
	uint64_t usec = 0;
	int rc;

	if ((rc = sd_notifyf(0, "READY=1\nSTATUS=%s", status)) < 0)
		log_warnx("notify: READY=1 not sent (error %d)", -rc);
	else if (rc > 0)
		log_debug("notify: READY=1 sent");
	if ((rc = sd_watchdog_enabled(0, &usec)) <= 0 || usec == 0) {
		if (rc < 0)
			log_warnx("notify: WATCHDOG_USEC or WATCHDOG_PID unreadable: no watchdog");
		return NULL;
	}
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->n_timer = event_new(base, -1, EV_PERSIST, on_watchdog, n)) == NULL ||
	    event_add(n->n_timer, &tv) != 0) {
		log_warnx("notify: no watchdog timer (out of memory)");
		if (n && n->n_timer)
			event_free(n->n_timer);
		free(n);
		return NULL;
	}
	log_info("notify: WATCHDOG=1 every %llu ms", (unsigned long long)(usec / 1000));
	on_watchdog(-1, 0, n);
	return n;
}

void
notify_stopping(struct notify *n)
{
	sd_notify(0, "STOPPING=1");
	if (n == NULL)
		return;
	event_free(n->n_timer);
	free(n);
}
