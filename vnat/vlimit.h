/* vlimit: the limits that keep VCMP's port from being held or flooded by
 * whoever can reach it (doc/PROTOCOL.md, "Limits"; vnat/endpoint enforces
 * them).  Before anything is
 * authenticated a session may hold: a place among --vcmp-sessions (and
 * among --vcmp-per-source for its source: an IPv4 address, an IPv6 /64),
 * for --vcmp-deadline seconds per complete message (bytes alone do not
 * count), and up to --vcmp-entries entries of an exchange collected before
 * it is validated, out of --vcmp-pending for all sessions together.  When
 * sessions or memory run short, the session idle longest (no complete
 * message for the longest time) gives way.
 *
 * The functions below are pure: no I/O, no allocation. */
#ifndef VNET_VLIMIT_H
#define VNET_VLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnat/vcmp.h"

/* defaults: a keyless RESUME of 10,000 connections (20 messages of 512
 * entries, or 10 of 1024) fits one session with room to spare */
#define VLIMIT_SESSIONS		64
#define VLIMIT_PER_SOURCE	8
#define VLIMIT_DEADLINE_S	5
#define VLIMIT_ENTRIES		16384
#define VLIMIT_PENDING		131072
/* the loosest values (a guard "off") */
#define VLIMIT_SESSIONS_MAX	1024
#define VLIMIT_DEADLINE_MAX	3600
#define VLIMIT_ENTRIES_MAX	(VCMP_EXCHANGE_MAX_MSGS * VCMP_V2_MAX_ENTRIES)
#define VLIMIT_PENDING_MAX	(VLIMIT_SESSIONS_MAX * VLIMIT_ENTRIES_MAX)
/* what one entry held costs: struct vcmp_entry and its verdict byte */
#define VLIMIT_ENTRY_BYTES	(sizeof(struct vcmp_entry) + 1)

struct vcmp_limits {
	unsigned	vl_sessions;	/* --vcmp-sessions: sessions at once */
	unsigned	vl_per_source;	/* --vcmp-per-source: of them from one source */
	unsigned	vl_deadline;	/* --vcmp-deadline: seconds for each complete message */
	unsigned	vl_entries;	/* --vcmp-entries: per session, before validation */
	unsigned	vl_pending;	/* --vcmp-pending: all sessions together */
};

/* A source: the IPv4 address, or the /64 of an IPv6 one (a host usually
 * holds a whole /64, so its addresses count as one source). */
struct vlimit_src {
	uint8_t		src_family;	/* 4 or 6 */
	uint8_t		src_key[8];	/* IPv4: 4 bytes, then zero */
};

enum vlimit_admit {
	VLIMIT_ADMIT = 0,	/* room for the new session */
	VLIMIT_EVICT_SOURCE,	/* its source is at its cap: that source's session idle longest goes */
	VLIMIT_EVICT_OLDEST,	/* every session is in use: the one idle longest goes */
};

enum vlimit_mem {
	VLIMIT_MEM_OK = 0,
	VLIMIT_MEM_SESSION,	/* over the session's cap: refused */
	VLIMIT_MEM_TOTAL,	/* over the cap of all sessions: room must be made first */
};

/* Fills l with the defaults above. */
void vlimit_defaults(struct vcmp_limits *l);
/* The source of a peer at addr (family 4 or 6, 4 or 16 bytes used). */
void vlimit_source(uint8_t family, const uint8_t addr[16], struct vlimit_src *k);
/* True when a and b are the same source. */
bool vlimit_same_source(const struct vlimit_src *a, const struct vlimit_src *b);
/* What to do with a new session when nsess sessions are open, nsrc of
 * them from its source. */
enum vlimit_admit vlimit_admit(const struct vcmp_limits *l, size_t nsess, size_t nsrc);
/* Whether a session that holds cap entries (of total held by every
 * session, its own included) may hold want: VLIMIT_MEM_OK with its new
 * capacity in *newcap (want rounded up to a whole message, within its
 * cap); VLIMIT_MEM_TOTAL with *newcap set and *shortby the entries other
 * sessions must give up first; VLIMIT_MEM_SESSION when want is over its
 * cap. */
enum vlimit_mem vlimit_need(const struct vcmp_limits *l, size_t cap, size_t total, size_t want,
    size_t *newcap, size_t *shortby);

#endif
