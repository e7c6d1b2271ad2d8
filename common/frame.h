/* frame: the binary record that carries one Ethernet frame after BEGIN.
 *
 *   byte 0     type (FRAME_T_ETH = 0x01)
 *   bytes 1-3  length of the frame that follows, big-endian, 14..FRAME_MAX
 *   bytes 4..  the Ethernet frame, from destination MAC to end of payload
 */
#ifndef VNET_FRAME_H
#define VNET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR_LEN	4
#define FRAME_T_ETH	0x01
#define FRAME_MIN	14		/* an Ethernet header */
#define FRAME_MAX	(65535 + 18)	/* a 64 KiB GSO IP packet + Ethernet + VLAN */

/* Writes the header of a frame of len bytes. */
void frame_hdr_encode(uint8_t out[FRAME_HDR_LEN], size_t len);
/* Validates the header at the front of avail bytes: returns the frame length
 * (>0), VNET_ERR_SHORT when fewer than FRAME_HDR_LEN bytes are present,
 * VNET_ERR_TYPE for an unknown type or VNET_ERR_SIZE for a bad length. */
int frame_hdr_decode(const uint8_t *in, size_t avail);

#endif
