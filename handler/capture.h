/* capture: a libpcap handle on a device, promiscuous, immediate, with the
 * handler's filter followed by a loop guard (doc/PROTOCOL.md, "What a
 * server injects does not come back"): a matching frame that carries
 * loop_mark (injected by a handler of this server whose frames came from
 * where this handler sends) is handed up cut to CAP_LOOP_CAPLEN bytes, so
 * that it can be counted and dropped without being copied. */
#ifndef VNET_CAPTURE_H
#define VNET_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct cap {
	pcap_t	*c_pcap;
	int	 c_fd;
};

#define CAP_LOOP_CAPLEN	1	/* no real frame is this short */

/* Opens dev with filter (pcap syntax); frames that pass it and whose skb
 * mark equals loop_mark arrive with a capture length of CAP_LOOP_CAPLEN.
 * NULL with the reason in err. */
struct cap *cap_open(const char *dev, const char *filter, uint32_t loop_mark,
    char *err, size_t errlen);
/* Replaces the kernel filter with filter and loop_mark; -1 with err set. */
int cap_set_filter(struct cap *c, const char *filter, uint32_t loop_mark, char *err, size_t errlen);
/* Delivers up to max waiting frames to cb; returns the count or -1. */
int cap_dispatch(struct cap *c, int max, pcap_handler cb, u_char *arg);
/* Frames the kernel dropped because the ring was full. */
uint64_t cap_kernel_drops(struct cap *c);
/* Closes the handle (promiscuous mode ends with it). */
void cap_close(struct cap *c);

#endif
