/* guard: caps on unauthenticated connections and the wrong-password delay,
 * per source.  The table is a flat array searched linearly: 4096 entries of
 * 64 bytes are scanned in microseconds, which is cheaper to get right than
 * a hash whose entries can be evicted. */
#include "server/guard.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addrfmt.h"

struct guard {
	struct guard_cfg	 g_cfg;
	TAILQ_HEAD(, guard_conn) g_conns;	/* unauthenticated, oldest first */
	unsigned		 g_unauth;
	struct guard_src	 g_tab[GUARD_TABLE_MAX];
};

bool
guard_key_from_sa(const struct sockaddr *sa, struct guard_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in s4;
		memcpy(&s4, sa, sizeof(s4));
		k->gk_b[10] = k->gk_b[11] = 0xff;
		memcpy(&k->gk_b[12], &s4.sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 s6;
		memcpy(&s6, sa, sizeof(s6));
		/* a v4-mapped peer (dual-stack listener) is its IPv4 address;
		 * anyone else gets a /64, what one subscriber usually holds */
		if (IN6_IS_ADDR_V4MAPPED(&s6.sin6_addr))
			memcpy(k->gk_b, &s6.sin6_addr, 16);
		else
			memcpy(k->gk_b, &s6.sin6_addr, 8);
		return true;
	}
	return false;
}

void
guard_key_format(const struct guard_key *k, char *buf, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char a[ADDRFMT_ADDRLEN];

	if (memcmp(k->gk_b, mapped, sizeof(mapped)) == 0)
		snprintf(buf, len, "%s", addrfmt_addr(AF_INET, &k->gk_b[12], a, sizeof(a)));
	else
		snprintf(buf, len, "%s/64", addrfmt_addr(AF_INET6, k->gk_b, a, sizeof(a)));
}

uint32_t
guard_penalty_ms(unsigned n, uint32_t step_ms)
{
	return (n < GUARD_PENALTY_STEPS ? n : GUARD_PENALTY_STEPS) * step_ms;
}

unsigned
guard_decay(unsigned fails, uint64_t elapsed_ms)
{
	uint64_t drop = elapsed_ms / GUARD_DECAY_MS;

	return drop >= fails ? 0 : fails - (unsigned)drop;
}

int
guard_pick_slot(const struct guard_src *tab, size_t n)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (!tab[i].gs_used)
			return (int)i;
		if (tab[i].gs_unauth == 0 && (best < 0 || tab[i].gs_seen_ms < tab[best].gs_seen_ms))
			best = (int)i;
	}
	return best;
}

struct guard *
guard_new(const struct guard_cfg *cfg)
{
	struct guard *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->g_cfg = *cfg;
	TAILQ_INIT(&g->g_conns);
	return g;
}

void
guard_free(struct guard *g)
{
	free(g);
}

static struct guard_src *
src_find(struct guard *g, const struct guard_key *k)
{
	for (size_t i = 0; i < GUARD_TABLE_MAX; i++)
		if (g->g_tab[i].gs_used && memcmp(&g->g_tab[i].gs_key, k, sizeof(*k)) == 0)
			return &g->g_tab[i];
	return NULL;
}

/* forgets the failures that are old enough */
static void
src_decay(struct guard_src *s, uint64_t now)
{
	uint64_t elapsed = now > s->gs_fail_ms ? now - s->gs_fail_ms : 0;
	unsigned left = guard_decay(s->gs_fails, elapsed);

	if (left == s->gs_fails)
		return;
	s->gs_fail_ms += (uint64_t)(s->gs_fails - left) * GUARD_DECAY_MS;
	s->gs_fails = left;
}

struct guard_conn *
guard_victim(struct guard *g, const struct guard_key *k)
{
	struct guard_src *s = src_find(g, k);
	struct guard_conn *gc;

	if (s && s->gs_unauth >= g->g_cfg.gf_max_per_source)
		TAILQ_FOREACH(gc, &g->g_conns, gc_entry)
			if (gc->gc_src == s)
				return gc;
	if (g->g_unauth >= g->g_cfg.gf_max_unauth)
		return TAILQ_FIRST(&g->g_conns);
	return NULL;
}

struct guard_conn *
guard_oldest(struct guard *g)
{
	return TAILQ_FIRST(&g->g_conns);
}

int
guard_enter(struct guard *g, struct guard_conn *gc, const struct guard_key *k, uint64_t now)
{
	struct guard_src *s = src_find(g, k);
	int i;

	if (s == NULL) {
		if ((i = guard_pick_slot(g->g_tab, GUARD_TABLE_MAX)) < 0)
			return -1;
		s = &g->g_tab[i];
		memset(s, 0, sizeof(*s));
		s->gs_used = true;
		s->gs_key = *k;
	}
	s->gs_unauth++;
	s->gs_seen_ms = now;
	gc->gc_src = s;
	TAILQ_INSERT_TAIL(&g->g_conns, gc, gc_entry);
	g->g_unauth++;
	return 0;
}

void
guard_leave(struct guard *g, struct guard_conn *gc)
{
	if (gc->gc_src == NULL)
		return;
	TAILQ_REMOVE(&g->g_conns, gc, gc_entry);
	gc->gc_src->gs_unauth--;
	gc->gc_src = NULL;
	g->g_unauth--;
}

unsigned
guard_unauth(const struct guard *g)
{
	return g->g_unauth;
}

bool
guard_hello(struct guard *g, struct guard_conn *gc, bool ok, uint64_t now, uint64_t deadline,
    uint64_t *at)
{
	struct guard_src *s = gc->gc_src;
	uint64_t t;

	*at = now;
	if (s == NULL || g->g_cfg.gf_penalty_ms == 0)
		return true;
	src_decay(s, now);
	s->gs_seen_ms = now;
	t = s->gs_next_ms > now ? s->gs_next_ms : now;
	if (t > deadline)
		return false;
	if (!ok && s->gs_fails < GUARD_FAILS_MAX) {
		s->gs_fails++;
		s->gs_fail_ms = now;
	}
	/* the next answer waits behind this one, whichever connection asks:
	 * parallel connections do not multiply the guessing rate */
	s->gs_next_ms = t + guard_penalty_ms(s->gs_fails, g->g_cfg.gf_penalty_ms);
	*at = t;
	return true;
}
