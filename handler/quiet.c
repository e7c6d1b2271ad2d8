/* quiet: quiet or busy, from a byte counter over one-second windows. */
#include "handler/quiet.h"

void
quiet_init(struct quiet *q, uint64_t total, uint64_t now_ms)
{
	q->q_mark = total;
	q->q_start_ms = now_ms;
	q->q_on = false;
}

bool
quiet_want(struct quiet *q, uint64_t total, uint64_t now_ms)
{
	bool over = total - q->q_mark >= QUIET_BYTES;

	if (now_ms - q->q_start_ms >= QUIET_WINDOW_MS) {
		/* a window ends: it decides */
		q->q_mark = total;
		q->q_start_ms = now_ms;
		return !over;
	}
	/* within a window only a demotion: quiet until proven busy */
	return over ? false : q->q_on;
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
