/* frame: encode and validate the binary frame header. */
#include "common/frame.h"

#include "common/err.h"

void
frame_hdr_encode(uint8_t out[FRAME_HDR_LEN], size_t len)
{
	out[0] = FRAME_T_ETH;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

int
frame_hdr_decode(const uint8_t *in, size_t avail)
{
	size_t len;

	if (avail < FRAME_HDR_LEN)
		return VNET_ERR_SHORT;
	if (in[0] != FRAME_T_ETH)
		return VNET_ERR_TYPE;
	len = (size_t)in[1] << 16 | (size_t)in[2] << 8 | in[3];
	if (len < FRAME_MIN || len > FRAME_MAX)
		return VNET_ERR_SIZE;
	return (int)len;
}
