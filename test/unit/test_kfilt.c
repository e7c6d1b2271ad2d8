/* Unit tests: the union filter of a device's capture, run by libpcap's BPF
 * interpreter (from after the mark test, which only the kernel can run). */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <string.h>

#include "handler/kfilt.h"

static struct sock_filter prog[BPF_MAXINSNS];

static struct kfilt_ent
ent(const char *mac, unsigned off)
{
	struct kfilt_ent e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(mac_parse(mac, &e.ke_mac), 0, "%s", mac);
	e.ke_off = (uint8_t)off;
	return e;
}

/* the filter's answer for a frame from src to dst */
static u_int
run(const char *dst, const char *src)
{
	struct mac_entry d, s;
	uint8_t pkt[60] = { 0 };

	cr_assert_eq(mac_parse(dst, &d), 0);
	cr_assert_eq(mac_parse(src, &s), 0);
	memcpy(pkt, d.me_addr, 6);
	memcpy(pkt + 6, s.me_addr, 6);
	return bpf_filter((const struct bpf_insn *)prog + KFILT_GUARD_LEN, pkt, 60, 60);
}

static size_t
build(const struct kfilt_ent *e, size_t n, size_t max, int *coarse)
{
	size_t len = kfilt_build(e, n, 0x766e1234, 9999, prog, max, coarse);

	/* the mark test comes first and refuses this server's frames */
	cr_assert_eq(prog[1].k, 0x766e1234u);
	cr_assert_eq(prog[2].code, BPF_RET | BPF_K);
	cr_assert_eq(prog[2].k, 0u);
	return len;
}

Test(kfilt, union_of_exact_and_prefix_entries)
{
	struct kfilt_ent e[] = {
		ent("02:00:00:00:42:10", 0), ent("ff:ff:ff:ff:ff:ff", 0),
		ent("02:00:00:00:42:11", 6), ent("01:00:5e:00:00:00/25", 0),
		ent("02:00:00:00:43:00/44", 6),
	};
	int coarse;
	size_t n = build(e, 5, BPF_MAXINSNS, &coarse);

	cr_assert_eq(coarse, 0);
	cr_assert(n < 60, "%zu instructions", n);
	cr_assert_eq(run("02:00:00:00:42:10", "02:00:00:00:00:01"), 9999u);
	cr_assert_eq(run("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01"), 9999u);
	cr_assert_eq(run("02:00:00:00:00:01", "02:00:00:00:42:11"), 9999u);
	cr_assert_eq(run("01:00:5e:7f:ff:fa", "02:00:00:00:00:01"), 9999u);
	cr_assert_eq(run("02:00:00:00:00:01", "02:00:00:00:43:0f"), 9999u);
	/* refused: a near miss in either half, a source entry as destination,
	 * outside the prefixes */
	cr_assert_eq(run("02:00:00:00:42:12", "02:00:00:00:00:01"), 0u);
	cr_assert_eq(run("03:00:00:00:42:10", "02:00:00:00:00:01"), 0u);
	cr_assert_eq(run("02:00:00:00:42:11", "02:00:00:00:00:01"), 0u);
	cr_assert_eq(run("02:00:00:00:00:01", "02:00:00:00:42:10"), 0u);
	cr_assert_eq(run("01:00:5e:80:00:01", "02:00:00:00:00:01"), 0u);
	cr_assert_eq(run("02:00:00:00:00:01", "02:00:00:00:43:10"), 0u);
}

/* 700 addresses, then one removed: the removed one is refused, its
 * neighbours still pass */
Test(kfilt, many_then_one_less)
{
	static struct kfilt_ent e[700];
	char mac[32];
	int coarse;
	size_t i, n;

	for (i = 0; i < 700; i++) {
		snprintf(mac, sizeof(mac), "02:00:01:00:%02zx:%02zx", i >> 8, i & 0xff);
		e[i] = ent(mac, 0);
	}
	n = build(e, 700, BPF_MAXINSNS, &coarse);
	cr_assert_eq(coarse, 0);
	cr_assert(n <= BPF_MAXINSNS);
	cr_assert_eq(run("02:00:01:00:01:f3", "02:00:00:00:00:01"), 9999u);
	e[0x1f3] = e[699];
	n = build(e, 699, BPF_MAXINSNS, &coarse);
	cr_assert_eq(run("02:00:01:00:01:f3", "02:00:00:00:00:01"), 0u);
	cr_assert_eq(run("02:00:01:00:01:f2", "02:00:00:00:00:01"), 9999u);
	cr_assert_eq(run("02:00:01:00:02:bb", "02:00:00:00:00:01"), 9999u);
	cr_assert_eq(run("02:00:01:00:02:bc", "02:00:00:00:00:01"), 0u);
}

/* over the limit: the coarse filter passes all that is not this server's */
Test(kfilt, coarse_beyond_the_limit)
{
	struct kfilt_ent e[] = { ent("02:00:00:00:42:10", 0), ent("02:00:00:00:42:11", 0) };
	int coarse;
	size_t n = build(e, 2, 20, &coarse);

	cr_assert_eq(coarse, 1);
	cr_assert_eq(n, (size_t)KFILT_GUARD_LEN + 1);
	cr_assert_eq(run("02:00:00:00:77:77", "02:00:00:00:00:01"), 9999u);
	n = build(e, 2, 30, &coarse);
	cr_assert_eq(coarse, 0);
	cr_assert_eq(run("02:00:00:00:77:77", "02:00:00:00:00:01"), 0u);
}
