/* vlimit: VCMP's limits as pure arithmetic, so that they can be tested
 * without sockets. */
#include "vnat/vlimit.h"

#include <stdint.h>
#include <string.h>

void
vlimit_defaults(struct vcmp_limits *l)
{
	l->vl_sessions = VLIMIT_SESSIONS;
	l->vl_per_source = VLIMIT_PER_SOURCE;
	l->vl_deadline = VLIMIT_DEADLINE_S;
	l->vl_entries = VLIMIT_ENTRIES;
	l->vl_pending = VLIMIT_PENDING;
}

void
vlimit_source(uint8_t family, const uint8_t addr[16], struct vlimit_src *k)
{
	memset(k, 0, sizeof(*k));
	k->src_family = family == 6 ? 6 : 4;
	/* an IPv6 host picks any address of its /64 (privacy addresses):
	 * counted per address, one host would get 2^64 places */
	memcpy(k->src_key, addr, family == 6 ? 8 : 4);
}

bool
vlimit_same_source(const struct vlimit_src *a, const struct vlimit_src *b)
{
	return a->src_family == b->src_family && memcmp(a->src_key, b->src_key, sizeof(a->src_key)) == 0;
}

enum vlimit_admit
vlimit_admit(const struct vcmp_limits *l, size_t nsess, size_t nsrc)
{
	/* the source's own sessions first: a flood from one source then only
	 * ever displaces itself */
	if (nsrc >= l->vl_per_source)
		return VLIMIT_EVICT_SOURCE;
	if (nsess >= l->vl_sessions)
		return VLIMIT_EVICT_OLDEST;
	return VLIMIT_ADMIT;
}

enum vlimit_mem
vlimit_need(const struct vcmp_limits *l, size_t cap, size_t total, size_t want, size_t *newcap,
    size_t *shortby)
{
	size_t c, others;

	*newcap = cap;
	*shortby = 0;
	if (want > l->vl_entries)
		return VLIMIT_MEM_SESSION;
	if (want <= cap)
		return VLIMIT_MEM_OK;
	/* whole messages, so that an exchange grows a few times, not per message */
	c = (want + VCMP_V2_MAX_ENTRIES - 1) / VCMP_V2_MAX_ENTRIES * VCMP_V2_MAX_ENTRIES;
	if (c > l->vl_entries)
		c = l->vl_entries;
	*newcap = c;
	others = total > cap ? total - cap : 0;
	if (c > l->vl_pending) {	/* a session cap above the total one */
		*shortby = others > SIZE_MAX - (c - l->vl_pending) ? SIZE_MAX :
		    others + (c - l->vl_pending);
		return VLIMIT_MEM_TOTAL;
	}
	if (others > l->vl_pending - c) {
		*shortby = others - (l->vl_pending - c);
		return VLIMIT_MEM_TOTAL;
	}
	return VLIMIT_MEM_OK;
}
