/* kept: old addresses kept on lo. */
#include "vnat/kept.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/core.h"
#include "vnat/tuple.h"
#include "vnat/vstate.h"

void
kept_init(struct vnat *v)
{
	v->v_kept.kp_n = 0;
	v->v_kept.kp_arp_announce = -1;
}

size_t
kept_count(const struct vnat *v)
{
	return v->v_kept.kp_n;
}

static size_t
count_v4(const struct vnat *v)
{
	size_t n = 0;

	for (size_t i = 0; i < v->v_kept.kp_n; i++)
		n += v->v_kept.kp_addr[i].k_family == 4;
	return n;
}

#define ARP_ANNOUNCE	"/proc/sys/net/ipv4/conf/all/arp_announce"

static int
announce_read(void)
{
	FILE *f = fopen(ARP_ANNOUNCE, "re");
	int n = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int
announce_write(int n)
{
	FILE *f = fopen(ARP_ANNOUNCE, "we");
	int r;

	if (f == NULL)
		return -1;
	r = fprintf(f, "%d\n", n) < 0;
	return (fclose(f) != 0 || r) ? -1 : 0;
}

/* While an old address is kept, the kernel must not use it as the sender of
 * its own ARP requests on the new network (by default it takes the source
 * of the packet waiting, which for a virtual connection is the old
 * address): the request would be dropped by our own rule, or teach the
 * router the old address, and the gateway would never be resolved while
 * the connections' packets wait.  arp_announce 2 makes the sender the
 * interface's own address for that network.  Raised with the first kept
 * IPv4 address, put back with the last. */
static void
announce_raise(struct vnat *v)
{
	int n = announce_read();

	if (n < 0 || n >= 2 || v->v_kept.kp_arp_announce >= 0)
		return;
	if (announce_write(2) != 0) {
		log_warn("vnat: net.ipv4.conf.all.arp_announce to 2");
		return;
	}
	v->v_kept.kp_arp_announce = n;
	log_info("vnat: net.ipv4.conf.all.arp_announce %d -> 2 while addresses are kept", n);
}

static void
announce_restore(struct vnat *v)
{
	if (v->v_kept.kp_arp_announce < 0)
		return;
	if (announce_write(v->v_kept.kp_arp_announce) != 0)
		log_warn("vnat: net.ipv4.conf.all.arp_announce back to %d",
		    v->v_kept.kp_arp_announce);
	else
		log_info("vnat: net.ipv4.conf.all.arp_announce back to %d",
		    v->v_kept.kp_arp_announce);
	v->v_kept.kp_arp_announce = -1;
}

/* edge: the first IPv4 address (creates the arp table) or the last (removes it) */
static int
arp(struct vnat *v, const uint8_t *addr, int add, int edge)
{
	char batch[1024], err[256] = "batch too long";

	if (add && edge)
		announce_raise(v);
	else if (!add && edge)
		announce_restore(v);
	if (nftx_text_arp(addr, add, edge, batch, sizeof(batch)) < 0 ||
	    vnat_nft_run(v, batch, err, sizeof(err)) != 0) {
		log_warnx("vnat: %s ARP for a kept address: %s", add ? "hiding" : "unhiding", err);
		return -1;
	}
	return 0;
}

static bool
has(const struct vnat *v, uint8_t family, const uint8_t *addr)
{
	for (size_t i = 0; i < v->v_kept.kp_n; i++)
		if (v->v_kept.kp_addr[i].k_family == family &&
		    memcmp(v->v_kept.kp_addr[i].k_addr, addr, tuple_alen(family)) == 0)
			return true;
	return false;
}

int
kept_add(struct vnat *v, uint8_t family, const uint8_t *addr)
{
	size_t al = tuple_alen(family);
	char a[ADDRFMT_ADDRLEN];

	if (has(v, family, addr))
		return 0;
	if (v->v_kept.kp_n == sizeof(v->v_kept.kp_addr) / sizeof(v->v_kept.kp_addr[0])) {
		log_warnx("vnat: %zu addresses kept already; not keeping %s", v->v_kept.kp_n,
		    tuple_addr_text(family, addr, a, sizeof(a)));
		return -1;
	}
	/* hidden from ARP before it is there to be answered for */
	int first = count_v4(v) == 0;
	if (family == 4 && arp(v, addr, 1, first) != 0)
		return -1;
	if (addr_lo(family, addr, true) != 0) {
		int e = errno;
		if (e != EEXIST)
			log_warn("vnat: keeping %s on lo", tuple_addr_text(family, addr, a, sizeof(a)));
		if (family == 4)
			arp(v, addr, 0, first);
		return e == EEXIST ? 0 : -1;	/* there already: not ours to remove */
	}
	memset(&v->v_kept.kp_addr[v->v_kept.kp_n], 0, sizeof(v->v_kept.kp_addr[0]));
	v->v_kept.kp_addr[v->v_kept.kp_n].k_family = family;
	memcpy(v->v_kept.kp_addr[v->v_kept.kp_n].k_addr, addr, al);
	v->v_kept.kp_n++;
	log_info("vnat: keeping %s on lo for its connections (no ARP for it)",
	    tuple_addr_text(family, addr, a, sizeof(a)));
	state_changed(v);
	return 0;
}

unsigned
kept_release_unused(struct vnat *v)
{
	unsigned gone = 0;
	char a[ADDRFMT_ADDRLEN];

	for (size_t i = 0; i < v->v_kept.kp_n;) {
		uint8_t fam = v->v_kept.kp_addr[i].k_family, addr[16];
		memcpy(addr, v->v_kept.kp_addr[i].k_addr, sizeof(addr));
		/* back on an interface (the host came home): ARP must see it again */
		bool home = addr_assigned(fam, addr, false);
		if (!home && vnat_uses_addr(v, fam, addr)) {
			i++;
			continue;
		}
		if (addr_lo(fam, addr, false) != 0 && errno != EADDRNOTAVAIL)
			log_warn("vnat: removing %s from lo", tuple_addr_text(fam, addr, a, sizeof(a)));
		/* the address is gone: only now may ARP see it again */
		if (fam == 4)
			arp(v, addr, 0, count_v4(v) == 1);
		v->v_kept.kp_addr[i] = v->v_kept.kp_addr[--v->v_kept.kp_n];
		log_info("vnat: %s no longer kept: %s", tuple_addr_text(fam, addr, a, sizeof(a)),
		    home ? "it is on an interface again" : "its last connection is gone");
		gone++;
	}
	if (gone)
		state_changed(v);
	return gone;
}

void
kept_drop_all(struct vnat *v)
{
	char a[ADDRFMT_ADDRLEN];

	for (size_t i = 0; i < v->v_kept.kp_n; i++)
		if (addr_lo(v->v_kept.kp_addr[i].k_family, v->v_kept.kp_addr[i].k_addr, false) != 0)
			log_warn("vnat: removing %s from lo", tuple_addr_text(v->v_kept.kp_addr[i].k_family,
			    v->v_kept.kp_addr[i].k_addr, a, sizeof(a)));
	v->v_kept.kp_n = 0;
	announce_restore(v);
}

int
kept_adopt(struct vnat *v, const struct vstate_kept *k, size_t n, int announce, bool on_lo,
    char *buf, size_t len)
{
	size_t max = sizeof(v->v_kept.kp_addr) / sizeof(v->v_kept.kp_addr[0]), off = 0;
	char a[ADDRFMT_ADDRLEN];
	int first = 1, m;

	if (buf && len)
		buf[0] = '\0';
	v->v_kept.kp_arp_announce = announce;
	for (size_t i = 0; i < n && v->v_kept.kp_n < max; i++) {
		uint8_t fam = k[i].sk_family;
		/* a file written by hand may name one twice: once here, or its
		 * removal fails the second time (and the ARP batch with it) */
		if (has(v, fam, k[i].sk_addr))
			continue;
		if (on_lo && addr_lo(fam, k[i].sk_addr, true) == 0)
			log_info("vnat: %s put back on lo (the kernel had lost it)",
			    tuple_addr_text(fam, k[i].sk_addr, a, sizeof(a)));
		memset(&v->v_kept.kp_addr[v->v_kept.kp_n], 0, sizeof(v->v_kept.kp_addr[0]));
		v->v_kept.kp_addr[v->v_kept.kp_n].k_family = fam;
		memcpy(v->v_kept.kp_addr[v->v_kept.kp_n++].k_addr, k[i].sk_addr, tuple_alen(fam));
		if (fam != 4 || buf == NULL)
			continue;
		if ((m = nftx_text_arp(k[i].sk_addr, 1, first, buf + off, len - off)) < 0)
			return -1;
		off += (size_t)m;
		first = 0;
	}
	if (on_lo && count_v4(v) > 0) {
		int now = announce_read();
		if (now >= 0 && now < 2 && announce_write(2) == 0 && announce < 0)
			v->v_kept.kp_arp_announce = now;
	}
	return (int)off;
}

void
kept_get(const struct vnat *v, size_t i, uint8_t *family, uint8_t addr[16])
{
	*family = v->v_kept.kp_addr[i].k_family;
	memcpy(addr, v->v_kept.kp_addr[i].k_addr, 16);
}

int
kept_announce_saved(const struct vnat *v)
{
	return v->v_kept.kp_arp_announce;
}
