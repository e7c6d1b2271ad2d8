/* libFuzzer: one text protocol line, as a client or a peer could send it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[PROTO_LINE_MAX + 64], err[256];
	struct proto_msg m;
	const char *rest;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	(void)proto_parse(line, &m, err, sizeof(err));
	(void)proto_reply_status(line, &rest);
	return 0;
}
