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

/* Appends the loop guard to a compiled filter: every "accept" (ret #k,
 * k > 0) becomes a jump to a tail that returns CAP_LOOP_CAPLEN for frames
 * carrying loop_mark and k for the others.  After the filter rather than
 * before it, so that frames the filter refuses cost nothing more.  Jumps
 * are relative and only forward, so the original code stays valid; a
 * filter that returns A (libpcap does not make one for these lists) is
 * refused. */
static int
guard_filter(struct bpf_program *prog, uint32_t loop_mark)
{
	struct bpf_insn *ni;
	u_int n = prog->bf_len, i;
	uint32_t keep = 0;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];
		if (BPF_CLASS(in->code) != BPF_RET)
			continue;
		if (BPF_RVAL(in->code) != BPF_K)
			return -1;
		if (in->k > keep)
			keep = in->k;
	}
	const struct bpf_insn tail[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_MARK) },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, loop_mark },
		{ BPF_RET | BPF_K, 0, 0, CAP_LOOP_CAPLEN },
		{ BPF_RET | BPF_K, 0, 0, keep },
	};
	size_t nt = sizeof(tail) / sizeof(tail[0]);

	if ((ni = calloc(n + nt, sizeof(*ni))) == NULL)
		return -1;
	memcpy(ni, prog->bf_insns, n * sizeof(*ni));
	memcpy(ni + n, tail, sizeof(tail));
	for (i = 0; i < n; i++)
		if (BPF_CLASS(ni[i].code) == BPF_RET && ni[i].k != 0) {
			ni[i].code = BPF_JMP | BPF_JA;
			ni[i].k = n - (i + 1);
			ni[i].jt = ni[i].jf = 0;
		}
	pcap_freecode(prog);
	prog->bf_insns = ni;
	prog->bf_len = n + (u_int)nt;
	return 0;
}

/* The kernel gets the guarded filter straight away: libpcap's
 * pcap_setfilter would refuse it (the mark load), and after a pcap_setfilter
 * libpcap also runs the plain filter in user space until the ring's first
 * block is done, which drops the cut-short loop frames uncounted.  Frames the
 * socket caught before the filter are refused by the handler (filt_match). */
int
cap_set_filter(struct cap *c, const char *filter, uint32_t loop_mark, char *err, size_t errlen)
{
	struct bpf_program prog = { 0, NULL };
	struct sock_fprog fp;
	int rc = -1;

	if (pcap_compile(c->c_pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(c->c_pcap));
		return -1;
	}
	if (guard_filter(&prog, loop_mark) != 0) {
		snprintf(err, errlen, "cannot add the loop guard to filter '%s'", filter);
		goto out;
	}
	fp.len = (unsigned short)prog.bf_len;
	fp.filter = (struct sock_filter *)prog.bf_insns;
	if (setsockopt(pcap_fileno(c->c_pcap), SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) != 0) {
		snprintf(err, errlen, "installing the filter and loop guard: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (prog.bf_insns)
		pcap_freecode(&prog);
	return rc;
}

struct cap *
cap_open(const char *dev, const char *filter, uint32_t loop_mark, char *err, size_t errlen)
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
	if (cap_set_filter(c, filter, loop_mark, err, errlen) != 0)
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
