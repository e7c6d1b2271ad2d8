/* flowset-text: prints the batch with which vnet makes its table inet
 * vnetflow (vnat/flowset) for the ports given, so that bench/udpflow.sh
 * measures the very rules vnet installs.
 *
 *   flowset-text TIMEOUT PORT...  */
#include <stdio.h>
#include <stdlib.h>

#include "vnat/flowset.h"

int
main(int argc, char **argv)
{
	static uint16_t ports[65536];
	static char buf[1 << 20];
	size_t n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: flowset-text TIMEOUT PORT...\n");
		return 2;
	}
	for (int i = 2; i < argc && n < 65536; i++) {
		long p = strtol(argv[i], NULL, 10);
		if (p < 1 || p > 65535) {
			fprintf(stderr, "flowset-text: bad port %s\n", argv[i]);
			return 2;
		}
		ports[n++] = (uint16_t)p;
	}
	if (flowset_text_ports(ports, n, (unsigned)strtoul(argv[1], NULL, 10), true, buf,
	    sizeof(buf)) < 0)
		return 1;
	fputs(buf, stdout);
	return 0;
}
