/* libFuzzer: address lists (words of a HANDLE or BEGIN line) and the
 * filters built from them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/mac.h"
#include "common/proto.h"
#include "handler/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[1024], *tok[MAC_LIST_MAX + 8], err[256], f[8192];
	struct mac_list l;
	int n;

	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	n = proto_tokenize(buf, tok, MAC_LIST_MAX + 8);
	if (n <= 0)
		return 0;
	if (mac_list_parse(tok, (size_t)n, &l, err, sizeof(err)) == 0) {
		(void)filt_build(&l, PROTO_LOCAL, f, sizeof(f));
		(void)filt_build(&l, PROTO_REMOTE, f, sizeof(f));
		(void)mac_list_format(&l, f, sizeof(f));
	}
	return 0;
}
