/* capture: libpcap set-up for a handler. */
#include "handler/capture.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <linux/filter.h>

#include "common/fd.h"
#include "common/frame.h"

#define CAP_RING_BYTES	(32 * 1024 * 1024)

/* Prepends "if skb mark == skip_mark: drop" to a compiled filter; the
 * original's jumps are relative, so they stay valid. */
static int
guard_filter(struct bpf_program *prog, uint32_t skip_mark)
{
	struct bpf_insn *ni;
	const struct bpf_insn guard[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_MARK) },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, skip_mark },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	size_t ng = sizeof(guard) / sizeof(guard[0]);
	u_int n = prog->bf_len;

	ni = calloc(n + ng, sizeof(*ni));
	if (ni == NULL)
		return -1;
	memcpy(ni, guard, sizeof(guard));
	memcpy(ni + ng, prog->bf_insns, n * sizeof(*ni));
	pcap_freecode(prog);
	prog->bf_insns = ni;
	prog->bf_len = n + (u_int)ng;
	return 0;
}

struct cap *
cap_open(const char *dev, const char *filter, uint32_t skip_mark, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog = { 0, NULL };
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
	if (pcap_compile(c->c_pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(c->c_pcap));
		goto fail;
	}
	/* libpcap installs the plain filter (and drains what the socket caught
	 * before it); then the kernel gets the guarded one, which libpcap's
	 * validator would refuse for its mark load.  Nothing was injected yet. */
	if (pcap_setfilter(c->c_pcap, &prog) != 0) {
		snprintf(err, errlen, "installing the filter on %s: %s", dev, pcap_geterr(c->c_pcap));
		goto fail;
	}
	if (guard_filter(&prog, skip_mark) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	{
		struct sock_fprog fp = { (unsigned short)prog.bf_len, (struct sock_filter *)prog.bf_insns };
		if (setsockopt(pcap_fileno(c->c_pcap), SOL_SOCKET, SO_ATTACH_FILTER, &fp,
		    sizeof(fp)) != 0) {
			snprintf(err, errlen, "installing the loop guard on %s: %s", dev,
			    strerror(errno));
			goto fail;
		}
	}
	free(prog.bf_insns);
	prog.bf_insns = NULL;
	if ((c->c_fd = pcap_get_selectable_fd(c->c_pcap)) < 0) {
		snprintf(err, errlen, "%s has no selectable descriptor", dev);
		goto fail;
	}
	fd_cloexec_all();	/* libpcap's packet socket and its eventfd */
	return c;
fail:
	free(prog.bf_insns);
	cap_close(c);
	return NULL;
}

int
cap_dispatch(struct cap *c, int max, pcap_handler cb, u_char *arg)
{
	return pcap_dispatch(c->c_pcap, max, cb, arg);
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
