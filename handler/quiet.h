/* quiet: is a capture or a link quiet (a VM's ping, an ssh session) or
 * busy (a bulk transfer, a flood of small frames)?  Quiet ones get the
 * event loop first (priority 0 of HANDLER_EV_PRIOS), so a bulk transfer
 * does not keep them waiting; one that passes QUIET_BYTES or QUIET_CALLS
 * within a window loses its place at once (so nothing at priority 0 can
 * keep the loop from the rest for long), and a busy one gets it back
 * after a whole quiet window.  Pure: the caller brings the byte counter
 * and the time, and calls once per callback of what it classifies. */
#ifndef VNET_QUIET_H
#define VNET_QUIET_H

#include <stdbool.h>
#include <stdint.h>

/* quiet: fewer bytes and fewer callbacks than these in a window */
#define QUIET_BYTES	(256u * 1024)
#define QUIET_CALLS	1000u
#define QUIET_WINDOW_MS	1000u

struct quiet {
	uint64_t	q_mark;		/* the counter when the window began */
	uint64_t	q_start_ms;	/* when it began */
	uint32_t	q_calls;	/* quiet_want calls in it */
	bool		q_want;		/* what the window decided so far */
	bool		q_on;		/* what the caller applied: quiet */
};

/* Starts over, busy, with the counter at total. */
void quiet_init(struct quiet *q, uint64_t total, uint64_t now_ms);
/* One callback's worth: what q should be now that its counter reads
 * total, quiet or busy.  The caller applies a change and records it with
 * quiet_set; one it could not apply is wanted again at the next call. */
bool quiet_want(struct quiet *q, uint64_t total, uint64_t now_ms);
void quiet_set(struct quiet *q, bool on);
bool quiet_is(const struct quiet *q);

#endif
