/* libFuzzer: VCMP messages as a peer on port 2031 could send them; whatever
 * decodes must encode back to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnat/vcmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vcmp_entry e[VCMP_V2_MAX_ENTRIES];
	static uint8_t out[VCMP_V2_MAX_LEN];
	struct vcmp_msg m = { .vm_e = e, .vm_cap = VCMP_V2_MAX_ENTRIES };
	int n = vcmp_decode(data, size, &m);

	if (n > 0) {
		int k = vcmp_encode(&m, out, sizeof(out));
		/* version 1 VNAT_UPD_R ignores its unused fields; all else round-trips */
		if (!(m.vm_version == VCMP_V1 && m.vm_cmd == VCMP_UPD_R) &&
		    (k != n || memcmp(out, data, (size_t)n) != 0))
			abort();
	}
	return 0;
}
