/* guard: what an unauthenticated party may cost the server.  Per source (an
 * IPv4 address or an IPv6 /64) it counts the connections that have not
 * authenticated yet, names the oldest to drop when a cap is reached, and
 * spaces out the answers to a source's HELLOs by a delay that grows with
 * its wrong passwords (the idea of OpenSSH's PerSourcePenalties).  No I/O,
 * no clock of its own: callers pass the monotonic time in milliseconds. */
#ifndef VNET_GUARD_H
#define VNET_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#define GUARD_TABLE_MAX		4096	/* sources remembered */
#define GUARD_UNAUTH_MAX	2048	/* < GUARD_TABLE_MAX: a free slot always exists */
#define GUARD_PENALTY_STEPS	10	/* the delay stops growing after 10 failures */
#define GUARD_FAILS_MAX		100	/* failures remembered, so decay ends */
#define GUARD_DECAY_MS		30000	/* one failure forgotten per 30 s */
#define GUARD_KEY_STRLEN	48

/* A source: an IPv4 address as ::ffff:a.b.c.d, or an IPv6 /64 (low half 0). */
struct guard_key {
	uint8_t		gk_b[16];
};

/* What is known of one source; an entry of the guard's table. */
struct guard_src {
	struct guard_key gs_key;
	bool		 gs_used;
	unsigned	 gs_unauth;	/* counted connections; > 0 pins the entry */
	unsigned	 gs_fails;	/* wrong passwords, decaying */
	uint64_t	 gs_fail_ms;	/* when gs_fails last changed */
	uint64_t	 gs_next_ms;	/* the source's next answer, no earlier */
	uint64_t	 gs_seen_ms;	/* last connection or HELLO */
};

/* An unauthenticated connection, embedded in its owner's struct. */
struct guard_conn {
	TAILQ_ENTRY(guard_conn)	 gc_entry;	/* oldest first */
	struct guard_src	*gc_src;	/* NULL: not counted */
	void			*gc_owner;
};

struct guard_cfg {
	unsigned	gf_max_unauth;		/* in all */
	unsigned	gf_max_per_source;
	uint32_t	gf_penalty_ms;		/* per wrong password; 0 = none */
};

/* Derives the source of a peer address; false for another family. */
bool guard_key_from_sa(const struct sockaddr *sa, struct guard_key *k);
/* Writes the source as text ("198.18.0.1" or "fd00:1:2:3::/64"). */
void guard_key_format(const struct guard_key *k, char *buf, size_t len);
/* The delay before a source's next answer after n wrong passwords. */
uint32_t guard_penalty_ms(unsigned n, uint32_t step_ms);
/* Failures left after elapsed_ms without a new one. */
unsigned guard_decay(unsigned fails, uint64_t elapsed_ms);
/* Index of the entry to reuse among n: a free one, else the one seen
 * longest ago that counts no connection; -1 if every entry counts one. */
int guard_pick_slot(const struct guard_src *tab, size_t n);

/* A new guard with these caps; NULL out of memory. */
struct guard *guard_new(const struct guard_cfg *cfg);
/* The one teardown; the connections must have left first. */
void guard_free(struct guard *g);
/* The unauthenticated connection a new one from k would push over a cap
 * (the source's oldest, else the oldest in all); NULL when there is room. */
struct guard_conn *guard_victim(struct guard *g, const struct guard_key *k);
/* The oldest unauthenticated connection, or NULL. */
struct guard_conn *guard_oldest(struct guard *g);
/* Counts gc as unauthenticated from k; -1 when no slot is free (callers
 * drop victims first, so only a bug gets there). */
int guard_enter(struct guard *g, struct guard_conn *gc, const struct guard_key *k,
    uint64_t now);
/* Stops counting gc (authenticated or closed); harmless if not counted. */
void guard_leave(struct guard *g, struct guard_conn *gc);
/* Unauthenticated connections now, in all. */
unsigned guard_unauth(const struct guard *g);
/* Books the answer to a HELLO from gc's source: sets *at to when it may go
 * out (no earlier than the source's previous answer plus its delay) and,
 * when ok is false, adds a failure.  False, booking nothing, when *at would
 * come after deadline. */
bool guard_hello(struct guard *g, struct guard_conn *gc, bool ok, uint64_t now,
    uint64_t deadline, uint64_t *at);

#endif
