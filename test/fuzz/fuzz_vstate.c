/* libFuzzer: the VNAT state file (vnat/vstate) as a damaged disk or another
 * user could leave it; whatever parses must format to text that parses to
 * the same state, and that text must format to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnat/vstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vstate s, s2;
	char err[256], *t1, *t2;
	size_t l1, l2;

	if (vstate_parse((const char *)data, size, &s, err, sizeof(err)) != 0)
		return 0;
	if ((t1 = vstate_format(&s, &l1)) == NULL)
		abort();
	if (vstate_parse(t1, l1, &s2, err, sizeof(err)) != 0 || s2.vs_ntrs != s.vs_ntrs ||
	    s2.vs_nkept != s.vs_nkept || s2.vs_nkeys != s.vs_nkeys || s2.vs_susp != s.vs_susp ||
	    s2.vs_susp_at != s.vs_susp_at || s2.vs_nsconns != s.vs_nsconns ||
	    (t2 = vstate_format(&s2, &l2)) == NULL || l1 != l2 || memcmp(t1, t2, l1) != 0)
		abort();
	free(t1);
	free(t2);
	vstate_free(&s);
	vstate_free(&s2);
	return 0;
}
