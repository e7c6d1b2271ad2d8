/* capture: libpcap set-up for a device. */
#include "handler/capture.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <linux/filter.h>

#include "common/fd.h"
#include "common/frame.h"

/* Frames the socket caught before the filter was attached are refused in
 * user space (filt_match). */
int
cap_set_prog(struct cap *c, const struct sock_fprog *prog, char *err, size_t errlen)
{
	if (setsockopt(pcap_fileno(c->c_pcap), SOL_SOCKET, SO_ATTACH_FILTER, prog,
	    sizeof(*prog)) != 0) {
		int e = errno;

		snprintf(err, errlen, "installing the capture filter (%u instructions): %s",
		    prog->len, strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

struct cap *
cap_open(const char *dev, const struct sock_fprog *prog, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct cap *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((c->c_pcap = pcap_create(dev, ebuf)) == NULL) {
		snprintf(err, errlen, "pcap_create %s: %s", dev, ebuf);
		goto fail;
	}
	pcap_set_snaplen(c->c_pcap, FRAME_MAX);
	pcap_set_promisc(c->c_pcap, 1);
	pcap_set_immediate_mode(c->c_pcap, 1);
	pcap_set_buffer_size(c->c_pcap, CAP_RING_BYTES);
	if ((rc = pcap_activate(c->c_pcap)) < 0) {
		snprintf(err, errlen, "capture on %s: %s", dev, pcap_geterr(c->c_pcap));
		goto fail;
	}
	if (pcap_datalink(c->c_pcap) != DLT_EN10MB) {
		snprintf(err, errlen, "%s is not an Ethernet device", dev);
		goto fail;
	}
	if (pcap_setnonblock(c->c_pcap, 1, ebuf) != 0) {
		snprintf(err, errlen, "pcap_setnonblock %s: %s", dev, ebuf);
		goto fail;
	}
	if (cap_set_prog(c, prog, err, errlen) != 0)
		goto fail;
	if ((c->c_fd = pcap_get_selectable_fd(c->c_pcap)) < 0) {
		snprintf(err, errlen, "%s has no selectable descriptor", dev);
		goto fail;
	}
	fd_cloexec_all();	/* libpcap's packet socket and its eventfd */
	return c;
fail:
	cap_close(c);
	return NULL;
}

int
cap_dispatch(struct cap *c, int max, pcap_handler cb, u_char *arg)
{
	int n = pcap_dispatch(c->c_pcap, max, cb, arg);

	return n == PCAP_ERROR_BREAK ? CAP_BREAK : n < 0 ? -1 : n;
}

void
cap_break(struct cap *c)
{
	pcap_breakloop(c->c_pcap);
}

uint64_t
cap_kernel_drops(struct cap *c)
{
	struct pcap_stat st;

	if (pcap_stats(c->c_pcap, &st) != 0)
		return 0;
	return st.ps_drop;
}

void
cap_close(struct cap *c)
{
	if (c == NULL)
		return;
	if (c->c_pcap)
		pcap_close(c->c_pcap);
	free(c);
}
