/* quiet: quiet or busy, from a byte counter and the callbacks over
 * one-second windows. */
#include "handler/quiet.h"

void
quiet_init(struct quiet *q, uint64_t total, uint64_t now_ms)
{
	q->q_mark = total;
	q->q_start_ms = now_ms;
	q->q_calls = 0;
	q->q_want = q->q_on = false;
}

bool
quiet_want(struct quiet *q, uint64_t total, uint64_t now_ms)
{
	bool over;

	if (q->q_calls < UINT32_MAX)
		q->q_calls++;
	over = total - q->q_mark >= QUIET_BYTES || q->q_calls >= QUIET_CALLS;
	if (now_ms - q->q_start_ms >= QUIET_WINDOW_MS) {
		/* a window ends: it decides, and the next one begins */
		q->q_want = !over;
		q->q_mark = total;
		q->q_start_ms = now_ms;
		q->q_calls = 0;
	} else if (over) {
		/* within a window only a demotion: quiet until proven busy */
		q->q_want = false;
	}
	return q->q_want;
}

void
quiet_set(struct quiet *q, bool on)
{
	q->q_on = on;
}

bool
quiet_is(const struct quiet *q)
{
	return q->q_on;
}
