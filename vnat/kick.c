/* kick: the I/O of vnat/kick.h: sockets of other processes, repair mode,
 * a raw socket towards this host. */
#include "vnat/kick.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <linux/tcp.h>

#include "common/log.h"
#include "vnat/addr.h"
#include "vnat/kickpkt.h"
#include "vnat/sockdiag.h"

/* the owners kick_prepare looks for, by inode: one walk of /proc for all,
 * a binary search for each socket descriptor met on the way */
struct cand {
	uint32_t	c_inode;
	size_t		c_i;		/* into kick_prepare's t */
	pid_t		c_pid;		/* 0 until found */
	int		c_fd;
};

static int
by_inode(const void *a, const void *b)
{
	uint32_t x = ((const struct cand *)a)->c_inode, y = ((const struct cand *)b)->c_inode;

	return x < y ? -1 : x > y;
}

struct want {
	struct cand	*w_c;
	size_t		 w_n;
};

static void
owner_seen(uint32_t inode, pid_t pid, int fd, const char *comm, void *arg)
{
	struct want *w = arg;
	struct cand key = { .c_inode = inode }, *c;

	(void)comm;
	c = bsearch(&key, w->w_c, w->w_n, sizeof(*w->w_c), by_inode);
	if (c && c->c_pid == 0) {	/* the first holder found */
		c->c_pid = pid;
		c->c_fd = fd;
	}
}

static int
info_of(int s, struct tcp_info *ti)
{
	socklen_t l = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(s, IPPROTO_TCP, TCP_INFO, ti, &l);
}

/* snd_una: the write sequence of the send queue minus what is queued
 * (unacknowledged or unsent), read in repair mode, left without a window
 * probe; repair mode forgets SO_REUSEADDR, which is given back */
static int
read_una(int s, uint32_t *una)
{
	int on = TCP_REPAIR_ON, off = TCP_REPAIR_OFF_NO_WP, q = TCP_SEND_QUEUE, reuse = 0;
	int outq = 0, rc = -1, saved;
	uint32_t seq = 0, again = 1;
	socklen_t l = sizeof(reuse), sl = sizeof(seq);

	if (getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, &l) != 0 ||
	    setsockopt(s, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)) != 0)
		return -1;
	/* the owner may write in between: the same sequence twice */
	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) == 0 &&
	    getsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &sl) == 0 &&
	    ioctl(s, SIOCOUTQ, &outq) == 0 &&
	    getsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &again, &sl) == 0 && again == seq)
		rc = 0;
	saved = errno;
	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) != 0)
		log_warn("vnat: kick: leaving repair mode");
	if (reuse)
		(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
	errno = saved;
	*una = seq - (uint32_t)outq;
	return rc;
}

/* Only a connection backed off at least twice is kicked: with one step its
 * next retransmission is due within two RTOs anyway (under a second on most
 * paths), and the connections just moved while data flows (a quick move, a
 * bulk transfer) are the ones whose application is most likely inside a
 * call on the socket when repair mode is entered. */
#define KICK_MIN_BACKOFF	2

bool
kick_worth(const struct sd_conn *c)
{
	return c->sc_proto == IPPROTO_TCP && c->sc_retrans >= KICK_MIN_BACKOFF;
}

/* one candidate: remembered if backed off */
static int
prepare_one(struct kick_ent *e, const struct vnat_tuple *t, uint32_t inode, pid_t pid, int fd)
{
	struct tcp_info ti;
	int pidfd, s;

	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0)
		return -1;
	if ((s = sd_sock_copy(pidfd, fd, inode)) < 0) {
		close(pidfd);
		return -1;
	}
	if (info_of(s, &ti) != 0 || ti.tcpi_backoff < KICK_MIN_BACKOFF ||
	    read_una(s, &e->ke_una) != 0) {
		close(s);
		close(pidfd);
		return -1;
	}
	close(s);
	e->ke_t = *t;
	e->ke_pidfd = pidfd;
	e->ke_fd = fd;
	e->ke_inode = inode;
	e->ke_acked = ti.tcpi_bytes_acked;
	e->ke_backoff = ti.tcpi_backoff;
	return 0;
}

size_t
kick_prepare(struct kick_set *ks, const struct vnat_tuple *t, const uint32_t *inode, size_t n)
{
	struct cand *c = calloc(n ? n : 1, sizeof(*c));
	struct kick_ent *e = calloc(n ? n : 1, sizeof(*e));
	struct want w = { c, 0 };

	kick_clear(ks);
	if (c == NULL || e == NULL || !kick_enabled())
		goto out;
	for (size_t i = 0; i < n; i++)
		if (t[i].t_proto == IPPROTO_TCP && inode[i] != 0)
			c[w.w_n++] = (struct cand){ inode[i], i, 0, -1 };
	qsort(c, w.w_n, sizeof(*c), by_inode);
	if (w.w_n == 0 || sd_owners_scan(owner_seen, &w) != 0)
		goto out;
	for (size_t j = 0; j < w.w_n; j++)
		if (c[j].c_pid != 0 && prepare_one(&e[ks->ks_n], &t[c[j].c_i], c[j].c_inode,
		    c[j].c_pid, c[j].c_fd) == 0)
			ks->ks_n++;
	if (ks->ks_n) {
		ks->ks_e = e;
		e = NULL;
	}
out:
	free(e);
	free(c);
	return ks->ks_n;
}

static int
same(const struct vnat_tuple *a, const struct vnat_tuple *b)
{
	size_t al = tuple_alen(a->t_family);

	return a->t_family == b->t_family && a->t_proto == b->t_proto &&
	    a->t_lvir_port == b->t_lvir_port && a->t_rvir_port == b->t_rvir_port &&
	    memcmp(a->t_lvir, b->t_lvir, al) == 0 && memcmp(a->t_rvir, b->t_rvir, al) == 0;
}

/* backoff errors quoting una, to this host; how many were sent */
static unsigned
inject(int raw, const struct vnat_tuple *t, uint32_t una, unsigned backoff)
{
	uint8_t pkt[KICKPKT_MAX];
	struct sockaddr_storage ss;
	socklen_t sl;
	int len = kickpkt_build(t, una, pkt, sizeof(pkt));
	unsigned sent = 0;

	sl = addr_sockaddr(t->t_family, t->t_lvir, 0, &ss);
	for (unsigned i = 0; len > 0 && i < backoff; i++)
		if (sendto(raw, pkt, (size_t)len, 0, (struct sockaddr *)&ss, sl) == len)
			sent++;
	return sent;
}

#define KICK_TRIES	3

/* whether the socket took the errors: a step undone, a retransmission, or
 * new data acknowledged since */
static int
taken(const struct tcp_info *before, const struct tcp_info *after)
{
	return after->tcpi_backoff != before->tcpi_backoff ||
	    after->tcpi_retransmits != before->tcpi_retransmits ||
	    after->tcpi_bytes_acked != before->tcpi_bytes_acked;
}

static int
kick_one(const struct kick_ent *e, const struct addr_set *as, int raw[2], const char *who)
{
	struct tcp_info ti, after;
	char l[ADDRFMT_LEN], r[ADDRFMT_LEN];
	int s, fam = e->ke_t.t_family == 6;
	uint32_t una;
	unsigned sent;

	/* the error goes to the socket's own address: one that is not this
	 * host's any more would send it out to the network */
	if (!addr_set_has(as, e->ke_t.t_family, e->ke_t.t_lvir, true))
		return 0;
	if ((s = sd_sock_copy(e->ke_pidfd, e->ke_fd, e->ke_inode)) < 0)
		return 0;
	if (info_of(s, &ti) != 0 || ti.tcpi_backoff == 0) {
		close(s);
		return 0;	/* closed, or going again by itself */
	}
	if (raw[fam] < 0 && (raw[fam] = socket(fam ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC,
	    IPPROTO_RAW)) < 0) {
		log_warn("%s: kick: raw socket", who);
		close(s);
		return 0;
	}
	/* what was acknowledged since kick_prepare moved snd_una as far */
	una = e->ke_una + (uint32_t)(ti.tcpi_bytes_acked - e->ke_acked);
	/* the errors are handled before sendto returns (lo); the kernel drops
	 * them while the application holds the socket (in a system call): then
	 * nothing changed, and they go again */
	for (int tries = 0; tries < KICK_TRIES; tries++) {
		sent = inject(raw[fam], &e->ke_t, una, ti.tcpi_backoff);
		if (info_of(s, &after) != 0 || taken(&ti, &after))
			break;
	}
	close(s);
	if (!taken(&ti, &after)) {
		log_warnx("%s: kick: the errors for %s -> %s were not taken (back-off %u): it waits "
		    "for its timer (quoted %u = %u + %llu acked since; retransmits %u, unacked %u, "
		    "ca_state %u, state %u)", who, tuple_end_text(e->ke_t.t_family, e->ke_t.t_lvir,
		    e->ke_t.t_lvir_port, l, sizeof(l)), tuple_end_text(e->ke_t.t_family,
		    e->ke_t.t_rvir, e->ke_t.t_rvir_port, r, sizeof(r)), after.tcpi_backoff, una,
		    e->ke_una, (unsigned long long)(ti.tcpi_bytes_acked - e->ke_acked),
		    ti.tcpi_retransmits, ti.tcpi_unacked, ti.tcpi_ca_state, ti.tcpi_state);
		return 0;
	}
	log_info("%s: kicked %s -> %s: back-off %u (%u with the path down), %u ICMP error(s) "
	    "quoting %u, back-off now %u, %u retransmission(s)", who,
	    tuple_end_text(e->ke_t.t_family, e->ke_t.t_lvir, e->ke_t.t_lvir_port, l, sizeof(l)),
	    tuple_end_text(e->ke_t.t_family, e->ke_t.t_rvir, e->ke_t.t_rvir_port, r, sizeof(r)),
	    ti.tcpi_backoff, e->ke_backoff, sent, una, after.tcpi_backoff, after.tcpi_retransmits);
	return 1;
}

size_t
kick_fire(struct kick_set *ks, const struct vnat_tuple *t, size_t n, const char *who)
{
	int raw[2] = { -1, -1 };
	size_t kicked = 0;
	struct addr_set as;

	if (ks->ks_n == 0)
		return 0;
	if (addr_set_load(&as) != 0) {
		log_warn("%s: kick: listing addresses", who);
		kick_clear(ks);
		return 0;
	}
	for (size_t i = 0; i < ks->ks_n; i++) {
		size_t j;
		for (j = 0; t && j < n && !same(&ks->ks_e[i].ke_t, &t[j]); j++)
			;
		if (t == NULL || j < n)
			kicked += (size_t)kick_one(&ks->ks_e[i], &as, raw, who);
	}
	addr_set_free(&as);
	for (int f = 0; f < 2; f++)
		if (raw[f] >= 0)
			close(raw[f]);
	kick_clear(ks);
	return kicked;
}

void
kick_clear(struct kick_set *ks)
{
	for (size_t i = 0; i < ks->ks_n; i++)
		close(ks->ks_e[i].ke_pidfd);
	free(ks->ks_e);
	ks->ks_e = NULL;
	ks->ks_n = 0;
}

int
kick_enabled(void)
{
	const char *e = getenv("VNET_VNAT_KICK");

	return e == NULL || strcmp(e, "no") != 0;
}
