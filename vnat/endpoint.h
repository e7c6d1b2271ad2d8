/* endpoint: the peer's side of VCMP over TCP (port 2031, doc/PROTOCOL.md
 * "VCMP"): accepts VNAT_SUS from a host that suspends (keys, helpers) and
 * VNAT_UPD from one whose connections moved, answers VNAT_SUS_R and
 * VNAT_UPD_R, within the limits of vnat/vlimit. */
#ifndef VNET_ENDPOINT_H
#define VNET_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/listener.h>

#include "vnat/vnat.h"

/* Listens at port on every address, IPv6 and IPv4 on one socket (IPv4
 * alone where IPv6 is off); NULL with err set. */
struct evconnlistener *vcmp_listen(struct vnat *v, uint16_t port, char *err, size_t errlen);
/* Closes every VCMP session. */
void vcmp_close_all(struct vnat *v);

#endif
