/* capture: a device's one libpcap handle, promiscuous, immediate, shared by
 * every handler on the device (dev.c), with a ring chosen for the device.
 * Its kernel filter is written by kfilt.c and attached as it is: libpcap's
 * own pcap_setfilter would refuse its mark load. */
#ifndef VNET_CAPTURE_H
#define VNET_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <pcap/pcap.h>

struct cap {
	pcap_t	*c_pcap;
	int	 c_fd;
};

#define CAP_RING_BYTES	(32 * 1024 * 1024)	/* per device, whatever its handlers */

/* Opens dev with prog as its kernel filter.  NULL with the reason in err. */
struct cap *cap_open(const char *dev, const struct sock_fprog *prog, char *err, size_t errlen);
/* Replaces the kernel filter (atomically); -1 with err set. */
int cap_set_prog(struct cap *c, const struct sock_fprog *prog, char *err, size_t errlen);
#define CAP_BREAK	(-2)

/* Delivers up to max waiting frames to cb; returns the count, CAP_BREAK
 * when cb called cap_break, or -1. */
int cap_dispatch(struct cap *c, int max, pcap_handler cb, u_char *arg);
/* From a cap_dispatch callback: no more frames in this call. */
void cap_break(struct cap *c);
/* Frames the kernel dropped because the ring was full. */
uint64_t cap_kernel_drops(struct cap *c);
/* Closes the handle (promiscuous mode ends with it). */
void cap_close(struct cap *c);

#endif
