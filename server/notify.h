/* notify: systemd's readiness protocol (sd_notify) and watchdog.  Without
 * NOTIFY_SOCKET in the environment every call does nothing. */
#ifndef VNET_NOTIFY_H
#define VNET_NOTIFY_H

#include <event2/event.h>

struct notify;

/* Tells the service manager vnet is ready (READY=1 with a status line) and,
 * when it asked for a watchdog (WATCHDOG_USEC, and WATCHDOG_PID unset or
 * this process), starts a timer on base that sends WATCHDOG=1 every half
 * interval.  NULL when there is no watchdog (or out of memory: logged). */
struct notify *notify_ready(struct event_base *base, const char *status);
/* Tells the service manager vnet is stopping; stops and frees the timer
 * (n may be NULL). */
void notify_stopping(struct notify *n);

#endif
