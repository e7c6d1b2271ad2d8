/* filter: the pcap filter text of a handler's side.
 *
 * LOCAL  (proxy): destination in the list, source not one of the list's
 *                 unicast addresses (the VMs'), as seed 004 describes.
 * REMOTE (host):  source in the list. */
#ifndef VNET_FILTER_H
#define VNET_FILTER_H

#include <stddef.h>

#include "common/mac.h"
#include "common/proto.h"

/* Writes the filter for role and list into buf; 0, or -1 if buf is too small. */
int filt_build(const struct mac_list *l, enum proto_role role, char *buf, size_t len);

#endif
