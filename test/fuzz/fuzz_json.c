/* libFuzzer: one line of a server's answer, as vnetclient --json parses it
 * into each record type (the server is untrusted input). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "client/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[8192 + 64], err[256];

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	for (enum json_rec r = JR_HANDLER; r <= JR_VSTATS; r++) {
		json_t *j = json_parse_record(r, line, err, sizeof(err));
		json_decref(j);
	}
	json_decref(json_status(1, line));
	return 0;
}
