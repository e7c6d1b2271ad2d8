/* libFuzzer: binary frame headers and the frames behind them, as the
 * injecting side prepares them (checksum normalisation, GSO header). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/frame.h"
#include "handler/offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[FRAME_MAX];
	struct virtio_net_hdr vh;
	size_t len;
	uint8_t type;
	int n;

	n = frame_hdr_decode(data, size);
	/* with keepalive and goodbye records: a length that is 0 for them,
	 * a frame's bounds for a frame, an error for anything else */
	if (frame_rec_decode(data, size, true, &type) >= 0 && type != FRAME_T_ETH &&
	    (data[1] | data[2] | data[3]) != 0)
		__builtin_trap();
	if (size < 2)
		return 0;
	/* the rest as a frame, with an MTU taken from the input */
	len = size - 2 > FRAME_MAX ? FRAME_MAX : size - 2;
	memcpy(frame, data + 2, len);
	(void)n;
	(void)off_prepare(frame, &len, 68u + ((unsigned)data[0] << 8 | data[1]) % 9000u, &vh);
	return 0;
}
