/* endpoint: VCMP over TCP (port 2031): accepts VNAT_UPD from a peer whose
 * connections moved, answers VNAT_UPD_R. */
#ifndef VNET_ENDPOINT_H
#define VNET_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/listener.h>

#include "vnat/vnat.h"

/* Listens on every IPv4 address at port; NULL with err set. */
struct evconnlistener *vcmp_listen(struct vnat *v, uint16_t port, char *err, size_t errlen);
/* Closes every VCMP session. */
void vcmp_close_all(struct vnat *v);

#endif
