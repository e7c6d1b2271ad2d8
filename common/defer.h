/* defer: the one way of running something on the next turn of the event
 * loop, never from inside the caller's own stack (a callback that would
 * free what its caller still uses, an answer that must not overtake what
 * the caller is about to write).  One struct defer per purpose, made once;
 * defer_run arms it, and arming it again before it ran runs it once. */
#ifndef VNET_DEFER_H
#define VNET_DEFER_H

#include <stdbool.h>

#include <event2/event.h>

typedef void defer_fn(void *arg);

struct defer;

/* A disarmed deferral of fn(arg) on base; NULL when out of memory. */
struct defer *defer_new(struct event_base *base, defer_fn *fn, void *arg);
/* Runs fn(arg) once on the next loop turn (after what is already active). */
void defer_run(struct defer *d);
/* Disarms d: fn does not run unless d is armed again. */
void defer_cancel(struct defer *d);
/* True while d is armed and has not run. */
bool defer_pending(const struct defer *d);
/* Disarms and frees d (NULL is fine). */
void defer_free(struct defer *d);

#endif
