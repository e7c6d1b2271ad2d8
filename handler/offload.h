/* offload: make a captured frame safe to inject when offloads are on.
 *
 * A capture on a device with checksum and segmentation offload sees TCP/UDP
 * frames whose checksum is only the pseudo-header sum (CHECKSUM_PARTIAL) and
 * TSO/GSO super-frames of up to 64 KiB.  The capture cannot tell which, so
 * every TCP/UDP frame is normalised: its checksum field is set to the
 * pseudo-header sum and a virtio-net header asks the kernel to complete it
 * (and to segment frames larger than the egress MTU). */
#ifndef VNET_OFFLOAD_H
#define VNET_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

enum off_result {
	OFF_PLAIN = 0,		/* send as is, no header flags */
	OFF_CSUM = 1,		/* checksum to be completed by the kernel */
	OFF_GSO = 2,		/* checksum and segmentation by the kernel */
	OFF_TOO_BIG = -1,	/* larger than the MTU and not segmentable */
	OFF_MALFORMED = -2,	/* claims TCP/UDP but headers are cut short */
};

/* Fills vh for frame (*lenp bytes) to leave through a device of the given
 * MTU; may rewrite the checksum field and trim Ethernet padding (*lenp). */
enum off_result off_prepare(uint8_t *frame, size_t *lenp, unsigned mtu,
    struct virtio_net_hdr *vh);

#endif
