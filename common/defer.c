/* defer: next-turn calls over a timer of zero: libevent moves timers that
 * are due to the active queue at the start of a loop turn, so unlike
 * event_active (which a callback of the same turn would see at once) a
 * deferral armed from a callback runs after everything of this turn. */
#include "common/defer.h"

#include <stdlib.h>

struct defer {
	struct event	*d_ev;
	defer_fn	*d_fn;
	void		*d_arg;
};

static void
defer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct defer *d = arg;

	(void)fd;
	(void)what;
	d->d_fn(d->d_arg);	/* may free d: nothing after this */
}

struct defer *
defer_new(struct event_base *base, defer_fn *fn, void *arg)
{
	struct defer *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if ((d->d_ev = event_new(base, -1, 0, defer_fire, d)) == NULL) {
		free(d);
		return NULL;
	}
	d->d_fn = fn;
	d->d_arg = arg;
	return d;
}

void
defer_run(struct defer *d)
{
	static const struct timeval zero = { 0, 0 };

	/* armed again before it ran: still one run */
	if (!event_pending(d->d_ev, EV_TIMEOUT, NULL))
		event_add(d->d_ev, &zero);
}

void
defer_cancel(struct defer *d)
{
	event_del(d->d_ev);
}

bool
defer_pending(const struct defer *d)
{
	return event_pending(d->d_ev, EV_TIMEOUT, NULL) != 0;
}

void
defer_free(struct defer *d)
{
	if (d == NULL)
		return;
	event_free(d->d_ev);
	free(d);
}
