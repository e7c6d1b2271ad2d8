/* defer: runs once, on the next loop turn, and not after a cancel. */
#include <criterion/criterion.h>

#include "common/defer.h"

static int runs;

static void
count(void *arg)
{
	(void)arg;
	runs++;
}

/* the deferral rearms itself from its own run, twice */
static void
rearm(void *arg)
{
	struct defer **self = arg;

	runs++;
	if (runs < 3)
		defer_run(*self);
}

Test(defer, runs_once_on_the_next_turn_however_often_armed)
{
	struct event_base *base = event_base_new();
	struct defer *d = defer_new(base, count, NULL);

	runs = 0;
	defer_run(d);
	defer_run(d);
	cr_assert(defer_pending(d));
	cr_assert_eq(runs, 0, "ran inside defer_run");
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	cr_assert_eq(runs, 1);
	cr_assert_not(defer_pending(d));
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	cr_assert_eq(runs, 1, "ran again without being armed");
	defer_free(d);
	event_base_free(base);
}

Test(defer, cancel_disarms)
{
	struct event_base *base = event_base_new();
	struct defer *d = defer_new(base, count, NULL);

	runs = 0;
	defer_run(d);
	defer_cancel(d);
	cr_assert_not(defer_pending(d));
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	cr_assert_eq(runs, 0);
	defer_free(d);
	event_base_free(base);
}

Test(defer, armed_from_its_own_run_runs_on_the_turn_after)
{
	struct event_base *base = event_base_new();
	struct defer *d;

	runs = 0;
	d = defer_new(base, rearm, &d);
	cr_assert_not_null(d);
	defer_run(d);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	cr_assert_eq(runs, 1, "a rearm inside the run ran in the same turn");
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	cr_assert_eq(runs, 3);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	cr_assert_eq(runs, 3);
	defer_free(d);
	event_base_free(base);
}
