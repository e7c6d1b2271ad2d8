/* kick: makes the TCP of moved connections retransmit the moment their
 * translation is in place, instead of when its backed-off timer fires (up
 * to 120 s later): for each step of back-off, one ICMP error (vnat/kickpkt)
 * quoting the segment at snd_una, handed to this host's own stack through
 * lo.  snd_una is read on a copy of the application's socket (pidfd_getfd)
 * in repair mode (TCP_REPAIR, TCP_QUEUE_SEQ of the send queue minus
 * SIOCOUTQ, left with TCP_REPAIR_OFF_NO_WP): kick_prepare does it while the
 * connection's path is still down, so that nothing arrives for the
 * application during those few system calls (a read then fails with EPERM;
 * a write fails with EINVAL between the first two, and after them is queued
 * but sent only as a retransmission), and kick_fire adds what was
 * acknowledged since (tcpi_bytes_acked).  A
 * connection backed off less than twice is left alone.  Needs CAP_NET_ADMIN,
 * CAP_NET_RAW and CAP_SYS_PTRACE, which vnet keeps (server/privs). */
#ifndef VNET_KICK_H
#define VNET_KICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vnat/sockdiag.h"
#include "vnat/tuple.h"

struct kick_ent {
	struct vnat_tuple	ke_t;		/* the virtual tuple, as the socket knows it */
	int			ke_pidfd;	/* its owner */
	int			ke_fd;		/* the owner's descriptor of the socket */
	uint32_t		ke_inode;
	uint32_t		ke_una;		/* snd_una when prepared */
	uint64_t		ke_acked;	/* tcpi_bytes_acked then */
	uint8_t			ke_backoff;	/* tcpi_backoff then */
};

/* the connections kick_prepare found backed off, until kick_clear */
struct kick_set {
	struct kick_ent	*ks_e;
	size_t		 ks_n;
};

/* Whether a connection as sock_diag lists it may be worth a kick: TCP,
 * its retransmission timer pending and backed off at least twice (what
 * kick_prepare then checks on the socket itself).  Lets a RESUME of 10,000
 * idle connections look at none of their sockets.  Pure. */
bool kick_worth(const struct sd_conn *c);
/* Remembers, of the n connections t (virtual tuples; inode[i] is t[i]'s
 * socket), each TCP one whose retransmissions are backed off, with its
 * snd_una; call it while their paths are down.  Returns how many. */
size_t kick_prepare(struct kick_set *ks, const struct vnat_tuple *t, const uint32_t *inode,
    size_t n);
/* Kicks the remembered connections that are among the n of t (matched on
 * the virtual tuple) and still backed off, and logs each at info (who: the
 * log's prefix); returns how many were kicked. */
size_t kick_fire(struct kick_set *ks, const struct vnat_tuple *t, size_t n, const char *who);
/* Forgets every remembered connection (closes what kick_prepare opened). */
void kick_clear(struct kick_set *ks);
/* Whether kicks are on: the environment's VNET_VNAT_KICK is not "no" (a
 * switch for measuring a RESUME without them). */
int kick_enabled(void);

#endif
