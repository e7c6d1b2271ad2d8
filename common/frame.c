/* frame: encode and validate the binary record header. */
#include "common/frame.h"

#include "common/err.h"

void
frame_rec_encode(uint8_t out[FRAME_HDR_LEN], uint8_t type, size_t len)
{
	out[0] = type;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

void
frame_hdr_encode(uint8_t out[FRAME_HDR_LEN], size_t len)
{
	frame_rec_encode(out, FRAME_T_ETH, len);
}

int
frame_rec_decode(const uint8_t *in, size_t avail, bool records, uint8_t *type)
{
	size_t len;

	if (avail < FRAME_HDR_LEN)
		return VNET_ERR_SHORT;
	len = (size_t)in[1] << 16 | (size_t)in[2] << 8 | in[3];
	*type = in[0];
	if (in[0] == FRAME_T_ETH)
		return len < FRAME_MIN || len > FRAME_MAX ? VNET_ERR_SIZE : (int)len;
	if (!records || (in[0] != FRAME_T_KEEPALIVE && in[0] != FRAME_T_GOODBYE))
		return VNET_ERR_TYPE;
	return len != 0 ? VNET_ERR_SIZE : 0;
}

int
frame_hdr_decode(const uint8_t *in, size_t avail)
{
	uint8_t type;

	return frame_rec_decode(in, avail, false, &type);
}
