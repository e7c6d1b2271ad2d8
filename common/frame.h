/* frame: the binary records after BEGIN (doc/PROTOCOL.md, "Binary mode").
 *
 *   byte 0     type: FRAME_T_ETH (0x01) an Ethernet frame; with a peer that
 *              announced them in BEGIN, FRAME_T_KEEPALIVE (0x02) and
 *              FRAME_T_GOODBYE (0x03), which carry nothing
 *   bytes 1-3  length of what follows, big-endian: 14..FRAME_MAX for a
 *              frame, 0 for the others
 *   bytes 4..  the Ethernet frame, from destination MAC to end of payload
 */
#ifndef VNET_FRAME_H
#define VNET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR_LEN	4
#define FRAME_T_ETH	0x01
#define FRAME_T_KEEPALIVE 0x02	/* "still here": liveness on an idle link */
#define FRAME_T_GOODBYE	0x03	/* the handler was closed there: do not redial */
#define FRAME_MIN	14		/* an Ethernet header */
#define FRAME_MAX	(65535 + 18)	/* a 64 KiB GSO IP packet + Ethernet + VLAN */

/* Writes the header of a frame of len bytes. */
void frame_hdr_encode(uint8_t out[FRAME_HDR_LEN], size_t len);
/* Validates the header at the front of avail bytes: returns the frame length
 * (>0), VNET_ERR_SHORT when fewer than FRAME_HDR_LEN bytes are present,
 * VNET_ERR_TYPE for an unknown type or VNET_ERR_SIZE for a bad length. */
int frame_hdr_decode(const uint8_t *in, size_t avail);
/* Writes the header of a record of type with len bytes behind it. */
void frame_rec_encode(uint8_t out[FRAME_HDR_LEN], uint8_t type, size_t len);
/* As frame_hdr_decode, and also accepts keepalive and goodbye records
 * (length 0) when records is true; the type goes to *type. */
int frame_rec_decode(const uint8_t *in, size_t avail, bool records, uint8_t *type);

#endif
