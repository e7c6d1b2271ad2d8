/* quiet: is a capture or a link quiet (a VM's ping, an ssh session) or
 * busy (a bulk transfer)?  Quiet ones get the event loop first (priority
 * 0 of HANDLER_EV_PRIOS), so a bulk transfer does not keep them waiting;
 * one that starts a bulk transfer loses its place at once, and a busy one
 * that calms down gets it back after a whole quiet second.  Pure: the
 * caller brings the byte counter and the time. */
#ifndef VNET_QUIET_H
#define VNET_QUIET_H

#include <stdbool.h>
#include <stdint.h>

/* fewer bytes than this in a second: quiet */
#define QUIET_BYTES	(256u * 1024)
#define QUIET_WINDOW_MS	1000u

struct quiet {
	uint64_t	q_mark;		/* the counter when the window began */
	uint64_t	q_start_ms;	/* when it began */
	bool		q_on;		/* what the caller applied: quiet */
};

/* Starts over, busy, with the counter at total. */
void quiet_init(struct quiet *q, uint64_t total, uint64_t now_ms);
/* What q should be now that its counter reads total: quiet or busy.  The
 * caller applies a change and then records it with quiet_set. */
bool quiet_want(struct quiet *q, uint64_t total, uint64_t now_ms);
void quiet_set(struct quiet *q, bool on);
bool quiet_is(const struct quiet *q);

#endif
