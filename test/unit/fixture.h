/* Unit tests: one IPv4 TCP translation built from text, shared by the tests
 * of the connection table, nftables batches, vnat and conflicts. */
#ifndef VNET_TEST_FIXTURE_H
#define VNET_TEST_FIXTURE_H

#include <arpa/inet.h>
#include <string.h>

#include "vnat/nftx.h"

static inline struct vnat_tuple
fx_tr4(const char *lvir, uint16_t lport, const char *lphy, const char *rvir, uint16_t rport,
    const char *rphy)
{
	struct vnat_tuple t;

	memset(&t, 0, sizeof(t));
	t.t_family = 4;
	t.t_proto = 6;
	inet_pton(AF_INET, lvir, t.t_lvir);
	inet_pton(AF_INET, lphy, t.t_lphy);
	inet_pton(AF_INET, rvir, t.t_rvir);
	inet_pton(AF_INET, rphy, t.t_rphy);
	t.t_lvir_port = t.t_lphy_port = lport;
	t.t_rvir_port = t.t_rphy_port = rport;
	return t;
}

#endif
