/* filter: the pcap filter text of a handler's side (doc/PROTOCOL.md,
 * "Address lists"; injection: "What a server injects does not come back").
 *
 * LOCAL  (proxy): destination in the list, source not one of the list's
 *                 unicast addresses (the VMs'), as seed 004 describes.
 * REMOTE (host):  source in the list. */
#ifndef VNET_FILTER_H
#define VNET_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mac.h"
#include "common/proto.h"

/* Writes the filter for role and list into buf; 0, or -1 if buf is too small. */
int filt_build(const struct mac_list *l, enum proto_role role, char *buf, size_t len);

/* True when a frame (destination at 0, source at 6; at least 12 bytes)
 * passes the filter that filt_build writes for role and list.  A handler
 * injects only what its peer's side would capture: the frames that match
 * the filter of the other role. */
bool filt_match(const struct mac_list *l, enum proto_role role, const uint8_t *frame);

#endif
