/* flows: the UDP "connections" of unconnected sockets (seed 001, 3.4.1).
 * A socket that receives with recvfrom and answers with sendto has no
 * remote address for sock_diag; its flows (local end, remote end) are the
 * ones the kernel's conntrack table holds, and the socket that owns a flow
 * is the unconnected UDP socket bound to its local port (to its address or
 * to a wildcard).  A flow lives as long as conntrack keeps it: UDP's
 * timeouts (net.netfilter.nf_conntrack_udp_timeout, 30 s, and
 * nf_conntrack_udp_timeout_stream, 120 s, once both ways were seen).
 *
 * conntrack tracks only in a namespace where something uses it (a ct rule,
 * NAT: a stateful firewall does); where nothing does (nf_conntrack_count
 * 0), vnet follows the flows itself in an nftables set of its own
 * (vnat/flowset: only UDP packets of ports that unconnected sockets own
 * touch it) and every function here reads that set instead. */
#ifndef VNET_FLOWS_H
#define VNET_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnat/flowset.h"
#include "vnat/sockdiag.h"
#include "vnat/tuple.h"
#include "vnat/vnat.h"
#include "vnat/vtab.h"

/* The process names in mode hide (VNAT ADD name hide; seed 001, 3.4.1):
 * for their unconnected sockets' flows the peer's moves are translated on
 * input too, so the application only ever sees the peer's virtual address. */
struct flows_part {
	char	fp_hide[VNAT_PROCS_MAX][16];
	size_t	fp_n;
	double	fp_since;	/* flows_repin: UDP flows suspended since (0: none) */
	double	fp_next;	/* and when they are pinned again */
	struct flowset_part fp_set;	/* flowset.c: where conntrack is not active */
};

struct vnat;
/* Puts name in mode hide or takes it out (a name not on the list is left
 * alone). */
void flows_hide_set(struct vnat *v, const char *name, bool hide);
/* True when name is in mode hide. */
bool flows_hide_named(const struct vnat *v, const char *name);
/* True when a process in mode hide (or "*" in it) holds the socket of
 * this inode. */
bool flows_hidden(const struct vnat *v, uint32_t inode);

/* Indexes every unconnected UDP socket of the host (IPv4 and IPv6) in socks
 * by its local address and port, its inode in ve_sock.  0, or -1 with errno
 * (what was indexed before the failure stays). */
int flows_sockets(struct vtab *socks);
/* True when an unconnected socket of socks (flows_sockets) owns the local
 * virtual end of k (family, UDP, t_lvir and t_lvir_port): bound to that
 * address or to a wildcard (an IPv6 wildcard serves IPv4 too); *inode set. */
bool flows_owner(const struct vtab *socks, const struct vnat_tuple *k, uint32_t *inode);
/* True when conntrack holds the flow of k's virtual ends, in either
 * direction. */
bool flows_known(const struct vnat_tuple *k);
/* Calls cb for every UDP flow conntrack holds whose local end an
 * unconnected socket owns that want (NULL: every one) accepts (conntrack is
 * not read when it accepts none), as an sd_conn: the local and remote ends as the
 * socket sees them, the socket's inode, sc_state TCP_CLOSE (CONNS? says
 * FLOW).  A flow of a connected socket is left to sd_dump.  0, or -1 with
 * errno when conntrack or sock_diag cannot be read. */
int flows_collect(bool (*want)(uint32_t inode, void *arg), void *warg, sd_conn_cb cb, void *arg);
/* How long a suspended UDP flow's conntrack entry is kept (flows_pin). */
#define FLOWS_PIN_S	3600
/* Pins the UDP ones of n tuples: their conntrack entries (by the virtual
 * ends) get FLOWS_PIN_S seconds, so that a suspension longer than UDP's
 * timeouts keeps them; their next packet gives them conntrack's own timeout
 * again.  A flow conntrack does not hold is skipped.  Returns the number
 * pinned. */
size_t flows_pin(const struct vnat_tuple *t, size_t n);
/* flows_pin at SUSPEND (this host's, or a peer's), logged. */
void flows_pin_suspended(const struct vnat_tuple *t, size_t n);
/* Pins again, every third of conntrack's UDP timeout, the UDP flows
 * suspended on this host (vnat/suspend) or by a peer (vnat/endpoint): a
 * packet after the first pin gave them the short timeout back.  A flow
 * stays pinned for at most FLOWS_PIN_S seconds of suspension. */
void flows_repin(struct vnat *v);
/* For the sweep (vnat/sweep): marks alive the UDP entries of the n tables
 * not marked yet whose flow an unconnected socket still owns and conntrack
 * still holds. */
void flows_mark_alive(struct vtab *const *t, size_t n);

#endif
