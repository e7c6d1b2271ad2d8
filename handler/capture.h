/* capture: a libpcap handle on a device, promiscuous, immediate, with the
 * handler's filter behind a guard that drops frames this handler injected. */
#ifndef VNET_CAPTURE_H
#define VNET_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct cap {
	pcap_t	*c_pcap;
	int	 c_fd;
};

/* Opens dev with filter (pcap syntax); frames whose skb mark equals
 * skip_mark are dropped in the kernel.  NULL with the reason in err. */
struct cap *cap_open(const char *dev, const char *filter, uint32_t skip_mark,
    char *err, size_t errlen);
/* Delivers up to max waiting frames to cb; returns the count or -1. */
int cap_dispatch(struct cap *c, int max, pcap_handler cb, u_char *arg);
/* Frames the kernel dropped because the ring was full. */
uint64_t cap_kernel_drops(struct cap *c);
/* Closes the handle (promiscuous mode ends with it). */
void cap_close(struct cap *c);

#endif
