/* Unit tests: pcap filter text for both roles, and that libpcap compiles it. */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "common/mac.h"
#include "handler/filter.h"

static struct mac_list
list_of(int n, const char **a)
{
	struct mac_list l;
	char err[256];

	cr_assert_eq(mac_list_parse((char *const *)a, (size_t)n, &l, err, sizeof(err)), 0, "%s", err);
	return l;
}

static void
compiles(const char *f)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;

	cr_assert_eq(pcap_compile(p, &prog, f, 1, PCAP_NETMASK_UNKNOWN), 0, "%s: %s", f,
	    pcap_geterr(p));
	pcap_freecode(&prog);
	pcap_close(p);
}

/* runs the compiled filter on a frame with the given destination and source */
static int
matches(const char *f, const uint8_t dst[6], const uint8_t src[6])
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	struct pcap_pkthdr h = { .caplen = 60, .len = 60 };
	uint8_t pkt[60] = { 0 };
	int r;

	memcpy(pkt, dst, 6);
	memcpy(pkt + 6, src, 6);
	pkt[12] = 0x08;
	cr_assert_eq(pcap_compile(p, &prog, f, 1, PCAP_NETMASK_UNKNOWN), 0);
	r = pcap_offline_filter(&prog, &h, pkt) != 0;
	pcap_freecode(&prog);
	pcap_close(p);
	return r;
}

static const uint8_t VM[6] = { 0, 1, 2, 3, 4, 5 }, PEER[6] = { 2, 0, 0, 0, 0, 0x20 };
static const uint8_t BC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t V6MC[6] = { 0x33, 0x33, 0, 0, 0, 1 }, V4MC[6] = { 1, 0, 0x5e, 0, 0, 1 };

Test(filter, local_side_seed_004)
{
	const char *a[] = { "00:01:02:03:04:05", "ff:ff:ff:ff:ff:ff" };
	struct mac_list l = list_of(2, a);
	char f[1024];

	cr_assert_eq(filt_build(&l, PROTO_LOCAL, f, sizeof(f)), 0);
	cr_assert_str_eq(f, "(ether dst 00:01:02:03:04:05 or ether dst ff:ff:ff:ff:ff:ff) and "
	    "not (ether src 00:01:02:03:04:05)");
	compiles(f);
	cr_assert(matches(f, VM, PEER));		/* LAN -> VM */
	cr_assert(matches(f, BC, PEER));		/* LAN broadcast */
	cr_assert_not(matches(f, BC, VM));		/* the VM's own broadcast, injected */
	cr_assert_not(matches(f, PEER, VM));		/* VM -> LAN, injected */
	cr_assert_not(matches(f, V6MC, PEER));	/* not listed */
}

Test(filter, remote_side)
{
	const char *a[] = { "00:01:02:03:04:05", "ff:ff:ff:ff:ff:ff", "33:33:00:00:00:00/16" };
	struct mac_list l = list_of(3, a);
	char f[1024];

	cr_assert_eq(filt_build(&l, PROTO_REMOTE, f, sizeof(f)), 0);
	cr_assert_str_eq(f, "ether src 00:01:02:03:04:05");
	compiles(f);
	cr_assert(matches(f, PEER, VM));
	cr_assert(matches(f, BC, VM));
	cr_assert_not(matches(f, VM, PEER));
}

Test(filter, prefixes)
{
	const char *a[] = { "00:01:02:03:04:05", "33:33:00:00:00:00/16", "01:00:5e:00:00:00/25" };
	struct mac_list l = list_of(3, a);
	char f[1024];

	cr_assert_eq(filt_build(&l, PROTO_LOCAL, f, sizeof(f)), 0);
	cr_assert(strstr(f, "(ether[0] = 0x33 and ether[1] = 0x33)"), "%s", f);
	cr_assert(strstr(f, "ether[3] & 0x80 = 0x00"), "%s", f);
	compiles(f);
	cr_assert(matches(f, V6MC, PEER));
	cr_assert(matches(f, V4MC, PEER));
	cr_assert_not(matches(f, BC, PEER));
	uint8_t v4hi[6] = { 1, 0, 0x5e, 0x80, 0, 1 };
	cr_assert_not(matches(f, v4hi, PEER));
}

Test(filter, too_small_buffer)
{
	const char *a[] = { "00:01:02:03:04:05", "ff:ff:ff:ff:ff:ff" };
	struct mac_list l = list_of(2, a);
	char f[20];

	cr_assert_eq(filt_build(&l, PROTO_LOCAL, f, sizeof(f)), -1);
}

Test(filter, full_list_fits)
{
	char *a[MAC_LIST_MAX], bufs[MAC_LIST_MAX][24];
	struct mac_list l;
	char f[8192], err[128];

	for (int i = 0; i < MAC_LIST_MAX; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "02:00:00:00:01:%02x", i);
		a[i] = bufs[i];
	}
	cr_assert_eq(mac_list_parse(a, MAC_LIST_MAX, &l, err, sizeof(err)), 0);
	/* the handler's buffer is 8192 bytes: a full list must fit for LOCAL */
	cr_assert_eq(filt_build(&l, PROTO_LOCAL, f, sizeof(f)), 0);
	compiles(f);
}

/* filt_match agrees with libpcap running filt_build's text, for both roles,
 * on frames made of the list's addresses, their neighbours and others */
Test(filter, match_agrees_with_the_compiled_filter)
{
	const char *a[] = { "02:00:00:00:42:10", "02:00:00:00:43:00/40", "ff:ff:ff:ff:ff:ff",
	    "33:33:00:00:00:00/16", "01:00:5e:00:00:00/25" };
	const uint8_t probes[][6] = {
		{ 2, 0, 0, 0, 0x42, 0x10 }, { 2, 0, 0, 0, 0x42, 0x11 }, { 2, 0, 0, 0, 0x43, 0x07 },
		{ 2, 0, 0, 0, 0x44, 0x07 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x33, 0x33, 0, 0, 0, 1 }, { 0x33, 0x34, 0, 0, 0, 1 }, { 1, 0, 0x5e, 0, 0, 1 },
		{ 1, 0, 0x5e, 0x80, 0, 1 }, { 0, 1, 2, 3, 4, 5 },
	};
	size_t np = sizeof(probes) / sizeof(probes[0]);
	struct mac_list l = list_of(5, a);
	enum proto_role roles[] = { PROTO_LOCAL, PROTO_REMOTE };
	char f[2048];
	uint8_t frame[12];

	for (int r = 0; r < 2; r++) {
		cr_assert_eq(filt_build(&l, roles[r], f, sizeof(f)), 0);
		for (size_t d = 0; d < np; d++)
			for (size_t s = 0; s < np; s++) {
				memcpy(frame, probes[d], 6);
				memcpy(frame + 6, probes[s], 6);
				cr_assert_eq(filt_match(&l, roles[r], frame),
				    matches(f, probes[d], probes[s]), "role %d dst %zu src %zu", r, d, s);
			}
	}
}
