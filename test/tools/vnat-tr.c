/* vnat-tr: applies VNAT translations with vnat/nftx (test tool), so that a
 * test can check the nftables design before the daemon drives it.
 *   vnat-tr reset | destroy
 *   vnat-tr add|del ID tcp|udp LVIR:LPORT LPHY:LPORT RVIR:RPORT RPHY:RPORT [base] [in|out]
 * (in, out: that direction's maps only, as RESUME adds the input side first) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "vnat/nftx.h"

static int
endpoint(const char *s, uint8_t addr[16], uint16_t *port, uint8_t *family)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	*port = (uint16_t)atoi(colon + 1);
	if (inet_pton(AF_INET, host, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*family = 6;
	else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static char batch[65536];
	char err[512];
	struct vnat_tuple t;
	struct nft_ctx *nft = nftx_open();
	int n;

	if (nft == NULL || argc < 2)
		return 2;
	memset(&t, 0, sizeof(t));
	if (strcmp(argv[1], "reset") == 0)
		n = nftx_text_reset(batch, sizeof(batch));
	else if (strcmp(argv[1], "destroy") == 0)
		n = nftx_text_destroy(batch, sizeof(batch));
	else if (argc >= 8 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "del") == 0)) {
		int base = 0;
		for (int i = 8; i < argc; i++) {
			if (strcmp(argv[i], "base") == 0)
				base = 1;
			else if (strcmp(argv[i], "in") == 0)
				t.t_dirs = TUPLE_IN;
			else if (strcmp(argv[i], "out") == 0)
				t.t_dirs = TUPLE_OUT;
			else
				return 2;
		}
		t.t_id = (uint32_t)atoi(argv[2]);
		t.t_proto = strcmp(argv[3], "udp") == 0 ? 17 : 6;
		if (endpoint(argv[4], t.t_lvir, &t.t_lvir_port, &t.t_family) ||
		    endpoint(argv[5], t.t_lphy, &t.t_lphy_port, &t.t_family) ||
		    endpoint(argv[6], t.t_rvir, &t.t_rvir_port, &t.t_family) ||
		    endpoint(argv[7], t.t_rphy, &t.t_rphy_port, &t.t_family))
			return 2;
		n = argv[1][0] == 'a' ? nftx_text_add(&t, 1, base, batch, sizeof(batch)) :
		    nftx_text_del(&t, 1, base, batch, sizeof(batch));
		/* the tool's table has a rule for every map from the start, so that
		 * later adds (no base) need none (vnet itself keeps only those in use) */
		if (n >= 0 && argv[1][0] == 'a' && base) {
			int k = nftx_text_rules(nftx_maps_of(&t), 0xffffu, batch + n, sizeof(batch) -
			    (size_t)n);
			n = k < 0 ? -1 : n + k;
		}
	} else {
		fprintf(stderr, "usage: vnat-tr reset|destroy | add|del ID tcp|udp LVIR:P LPHY:P "
		    "RVIR:P RPHY:P [base] [in|out]\n");
		return 2;
	}
	if (n < 0 || nftx_apply(nft, batch, err, sizeof(err)) != 0) {
		fprintf(stderr, "vnat-tr: %s\n%s", n < 0 ? "batch too long" : err, batch);
		return 1;
	}
	nft_ctx_free(nft);
	return 0;
}
