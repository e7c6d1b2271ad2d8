/* dev: one capture and one injection socket per device, shared by its
 * handlers; frames to handlers through the device's table (devtab.c). */
#include "handler/dev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/frame.h"
#include "common/log.h"
#include "handler/capture.h"
#include "handler/devtab.h"
#include "handler/filter.h"
#include "handler/handler.h"
#include "handler/kfilt.h"
#include "handler/link.h"
#include "handler/quiet.h"

#define DEV_BATCH	64	/* frames per pcap_dispatch call */
#define DEV_ROUNDS	8	/* dispatch calls per readiness event */
/* bytes per readiness event: a bulk transfer's 64 KiB frames do not keep
 * the loop from other devices and links for long (fairness) */
#define DEV_TURN_BYTES	(256 * 1024)

struct dev {
	LIST_ENTRY(dev)		 d_entry;
	char			 d_name[PROTO_DEV_MAX + 1];
	struct cap		*d_cap;
	struct event		*d_ev;
	struct inj		*d_inj;
	TAILQ_HEAD(, dev_member) d_members;
	unsigned		 d_n;		/* members */
	struct dtab		 d_tab;		/* its handlers' addresses */
	struct dev_member	**d_pending;	/* took frames in this batch */
	size_t			 d_npending, d_pcap;
	uint64_t		 d_seq, d_unmatched;
	uint64_t		*d_oseq;	/* by origin: the last group frame sent there */
	size_t			 d_on;
	size_t			 d_turn;	/* bytes captured in this readiness event */
	uint64_t		 d_bytes;	/* captured, all told */
	struct quiet		 d_quiet;	/* its capture event at priority 0 */
	int			 d_coarse;	/* the union is over BPF_MAXINSNS */
	bool			 d_refused;	/* the kernel refused the union */
};

static LIST_HEAD(, dev) devs = LIST_HEAD_INITIALIZER(devs);
static uint32_t mark;
/* one filter at a time is written: BPF_MAXINSNS instructions, 32 KiB */
static struct sock_filter prog_buf[BPF_MAXINSNS];

uint32_t
dev_mark(void)
{
	uint16_t r = 0;

	while (mark == 0) {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint16_t)getpid();
		if (r != 0)
			mark = HANDLER_MARK_BASE | r;
	}
	return mark;
}

/* the kernel filter of d's keys, in prog_buf; NULL out of memory */
static struct sock_fprog *
write_prog(struct dev *d, struct sock_fprog *fp)
{
	size_t n = 0;
	struct kfilt_ent *e = dtab_entries(&d->d_tab, &n);
	int coarse;

	if (e == NULL)
		return NULL;
	fp->len = (unsigned short)kfilt_build(e, n, dev_mark(), FRAME_MAX, prog_buf,
	    BPF_MAXINSNS, &coarse);
	fp->filter = prog_buf;
	free(e);
	if (coarse != d->d_coarse)
		log_info("capture on %s: %s (%zu addresses)", d->d_name, coarse ?
		    "too many addresses for the kernel's union filter: it now passes everything "
		    "not injected by this server, and the handlers' table sorts it out" :
		    "the kernel filter is the union of the handlers' addresses again", n);
	d->d_coarse = coarse;
	return fp;
}

/* the kernel charges a filter to the socket's option memory
 * (net.core.optmem_max), the old one too while the new one is attached:
 * when the union does not fit beside the old filter, the coarse one goes
 * in between; when it does not fit at all, the coarse one stays */
static int
refilter(struct dev *d, char *err, size_t errlen)
{
	struct sock_filter coarse[KFILT_GUARD_LEN + 1];
	struct sock_fprog fp, cf = { 0, coarse };
	int dummy;

	if (write_prog(d, &fp) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (cap_set_prog(d->d_cap, &fp, err, errlen) == 0) {
		d->d_refused = false;
		return 0;
	}
	if (errno != ENOMEM)
		return -1;
	cf.len = (unsigned short)kfilt_build(NULL, 0, dev_mark(), FRAME_MAX, coarse,
	    0, &dummy);
	if (cap_set_prog(d->d_cap, &cf, err, errlen) != 0)
		return -1;
	if (cap_set_prog(d->d_cap, &fp, err, errlen) != 0) {
		if (!d->d_refused)
			log_info("capture on %s: the kernel refused a union filter of %u "
			    "instructions (%s; net.core.optmem_max): it passes everything not "
			    "injected by this server, and the handlers' table sorts it out",
			    d->d_name, fp.len, err);
		d->d_refused = true;
		return 0;
	}
	d->d_refused = false;
	return 0;
}

static void
pend(struct dev *d, struct dev_member *m)
{
	if (m->dm_pending)
		return;
	if (d->d_npending == d->d_pcap) {
		size_t cap = d->d_pcap ? d->d_pcap * 2 : 16;
		struct dev_member **p = realloc(d->d_pending, cap * sizeof(*p));
		if (p == NULL) {
			handler_cap_flush(m->dm_h);	/* now, then */
			return;
		}
		d->d_pending = p;
		d->d_pcap = cap;
	}
	m->dm_pending = true;
	d->d_pending[d->d_npending++] = m;
}

static void
flush_pending(struct dev *d)
{
	for (size_t i = 0; i < d->d_npending; i++) {
		d->d_pending[i]->dm_pending = false;
		handler_cap_flush(d->d_pending[i]->dm_h);
	}
	d->d_npending = 0;
}

/* true when a group frame (the one d_seq numbers) has gone towards origin
 * o already: the peer server injects it on its device once, for all of its
 * handlers there */
static bool
origin_served(const struct dev *d, uint16_t o)
{
	return o < d->d_on && d->d_oseq[o] == d->d_seq;
}

static void
origin_mark(struct dev *d, uint16_t o)
{
	if (o >= d->d_on) {
		size_t n = (size_t)o + 16;
		uint64_t *p = realloc(d->d_oseq, n * sizeof(*p));
		if (p == NULL)
			return;	/* sent again through the next handler: harmless */
		memset(p + d->d_on, 0, (n - d->d_on) * sizeof(*p));
		d->d_oseq = p;
		d->d_on = n;
	}
	d->d_oseq[o] = d->d_seq;
}

/* offers a frame to the handlers of key k; true if one's filter took it.
 * A group frame goes to each origin once, through the first of its
 * handlers that queues it. */
static bool
offer_key(struct dev *d, const struct dev_key *k, const struct pcap_pkthdr *ph,
    const u_char *data, const struct handler *from)
{
	bool any = false, group = (data[0] & 0x01) != 0;

	for (size_t i = 0; k && i < k->k_n; i++) {
		struct dev_member *m = k->k_hs[i];
		struct handler *h = m->dm_h;
		const struct handler_conf *hc = handler_conf_of(h);

		if (m->dm_seq == d->d_seq)
			continue;
		m->dm_seq = d->d_seq;
		if (!filt_match(&hc->hc_addrs, hc->hc_role, data))
			continue;
		any = true;
		if (from && handler_conf_of(from)->hc_origin == hc->hc_origin) {
			handler_cap_loop(h);
			continue;
		}
		if (group && origin_served(d, hc->hc_origin))
			continue;
		if (handler_cap_frame(h, ph, data)) {
			pend(d, m);
			if (group)
				origin_mark(d, hc->hc_origin);
		}
	}
	return any;
}

/* a frame to every handler whose filter takes it */
static void
offer(struct dev *d, const struct pcap_pkthdr *ph, const u_char *data,
    const struct handler *from)
{
	const struct dev_key *k;
	bool any = false;

	d->d_seq++;
	any |= offer_key(d, dtab_find(&d->d_tab, data, 0), ph, data, from);
	any |= offer_key(d, dtab_find(&d->d_tab, data + MAC_LEN, MAC_LEN), ph, data, from);
	for (k = dtab_prefixes(&d->d_tab); k; k = k->k_next)
		if (mac_match(&k->k_ent.ke_mac, data + k->k_ent.ke_off))
			any |= offer_key(d, k, ph, data, from);
	if (!any && from == NULL)
		d->d_unmatched++;
}

static void
cap_frame(u_char *arg, const struct pcap_pkthdr *ph, const u_char *data)
{
	struct dev *d = (struct dev *)arg;

	if (ph->caplen < 2 * MAC_LEN)
		return;
	offer(d, ph, data, NULL);
	d->d_bytes += ph->caplen;
	if ((d->d_turn += ph->caplen) >= DEV_TURN_BYTES)
		cap_break(d->d_cap);
}

/* the capture failed: every handler on the device closes (the last one
 * frees d) */
static void
dev_failed(struct dev *d)
{
	struct dev_member *m;

	log_warnx("capture on %s failed: closing its %u handler(s)", d->d_name, d->d_n);
	while ((m = TAILQ_FIRST(&d->d_members)) != NULL) {
		bool last = d->d_n == 1;
		handler_close(m->dm_h, "capture failed");
		if (last)
			return;
	}
}

/* Quiet devices first: a VM's ping on one device is not kept waiting while
 * a bulk transfer on another fills its turns (handler/quiet.h). */
static void
classify(struct dev *d)
{
	bool quiet = quiet_want(&d->d_quiet, d->d_bytes, link_now_ms());

	/* refused while the event is active: the next turn asks again */
	if (quiet != quiet_is(&d->d_quiet) &&
	    event_priority_set(d->d_ev, quiet ? 0 : HANDLER_EV_PRIOS - 1) == 0)
		quiet_set(&d->d_quiet, quiet);
}

static void
cap_ready(evutil_socket_t fd, short what, void *arg)
{
	struct dev *d = arg;
	int i, n;

	(void)fd;
	(void)what;
	d->d_turn = 0;
	for (i = 0; i < DEV_ROUNDS && d->d_turn < DEV_TURN_BYTES; i++) {
		n = cap_dispatch(d->d_cap, DEV_BATCH, cap_frame, (u_char *)d);
		if (n == CAP_BREAK)
			break;
		if (n < 0) {
			flush_pending(d);
			dev_failed(d);
			return;
		}
		if (n < DEV_BATCH)
			break;
	}
	flush_pending(d);
	classify(d);
}

static void
dev_free(struct dev *d)
{
	if (d->d_ev)
		event_free(d->d_ev);
	cap_close(d->d_cap);
	inj_close(d->d_inj);
	dtab_free(&d->d_tab);
	free(d->d_pending);
	free(d->d_oseq);
	free(d);
}

/* opens d for its first handler (whose keys are in already) */
static int
dev_open(struct event_base *base, struct dev *d, char *err, size_t errlen)
{
	struct sock_fprog fp;

	if (write_prog(d, &fp) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((d->d_inj = inj_open(d->d_name, dev_mark(), err, errlen)) == NULL ||
	    (d->d_cap = cap_open(d->d_name, &fp, err, errlen)) == NULL)
		return -1;
	d->d_ev = event_new(base, d->d_cap->c_fd, EV_READ | EV_PERSIST, cap_ready, d);
	if (d->d_ev == NULL || event_add(d->d_ev, NULL) != 0) {
		snprintf(err, errlen, "cannot watch the capture on %s", d->d_name);
		return -1;
	}
	log_info("capture on %s opened (ring %u MiB, injection mark 0x%08x)", d->d_name,
	    CAP_RING_BYTES >> 20, dev_mark());
	return 0;
}

struct dev *
dev_join(struct event_base *base, struct handler *h, struct dev_member *m, char *err,
    size_t errlen)
{
	const char *name = handler_conf_of(h)->hc_dev;
	struct dev *d;
	bool fresh = false;

	LIST_FOREACH(d, &devs, d_entry)
		if (strcmp(d->d_name, name) == 0)
			break;
	if (d == NULL) {
		if ((d = calloc(1, sizeof(*d))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		snprintf(d->d_name, sizeof(d->d_name), "%s", name);
		TAILQ_INIT(&d->d_members);
		fresh = true;
		/* buckets from the start: a frame's look-up never meets none */
		if (dtab_grow(&d->d_tab) != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	memset(m, 0, sizeof(*m));
	m->dm_h = h;
	if (dtab_add(&d->d_tab, m) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (fresh ? dev_open(base, d, err, errlen) != 0 : refilter(d, err, errlen) != 0) {
		dtab_del(&d->d_tab, m);
		if (!fresh)
			(void)refilter(d, err, 0);
		goto fail;
	}
	TAILQ_INSERT_TAIL(&d->d_members, m, dm_entry);
	d->d_n++;
	if (fresh)
		LIST_INSERT_HEAD(&devs, d, d_entry);
	return d;
fail:
	if (fresh)
		dev_free(d);
	return NULL;
}

void
dev_leave(struct dev *d, struct dev_member *m)
{
	char err[160];

	for (size_t i = 0; i < d->d_npending; i++)
		if (d->d_pending[i] == m)
			d->d_pending[i--] = d->d_pending[--d->d_npending];
	TAILQ_REMOVE(&d->d_members, m, dm_entry);
	dtab_del(&d->d_tab, m);
	if (--d->d_n == 0) {
		LIST_REMOVE(d, d_entry);
		log_info("capture on %s closed: its last handler left", d->d_name);
		dev_free(d);
		return;
	}
	/* a failure leaves the old filter: a superset, sorted out by the table */
	if (refilter(d, err, sizeof(err)) != 0)
		log_warnx("capture on %s: %s", d->d_name, err);
}

enum inj_result
dev_inject(struct dev *d, struct handler *from, uint8_t *frame, size_t len)
{
	struct pcap_pkthdr ph;
	enum inj_result r = inj_send(d->d_inj, frame, len);

	if (r != INJ_OK)
		return r;
	/* the kernel hands it to no capture of this server (the mark): the
	 * device's other handlers get it here, as they would from the wire */
	memset(&ph, 0, sizeof(ph));
	gettimeofday(&ph.ts, NULL);
	ph.caplen = ph.len = (bpf_u_int32)len;
	offer(d, &ph, frame, from);
	flush_pending(d);
	return r;
}

unsigned
dev_mtu(const struct dev *d)
{
	return d->d_inj->i_mtu;
}

uint64_t
dev_kernel_drops(struct dev *d)
{
	return cap_kernel_drops(d->d_cap);
}

uint64_t
dev_unmatched(const struct dev *d)
{
	return d->d_unmatched;
}
