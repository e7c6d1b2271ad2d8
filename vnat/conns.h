/* conns: the virtualized connections of this host: those of the processes
 * on VNAT's list, found with sock_diag, owners from one walk of /proc. */
#ifndef VNET_CONNS_H
#define VNET_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vnat/sockdiag.h"
#include "vnat/vtab.h"

struct vconn {
	struct sd_conn	vc_c;
	pid_t		vc_pid;		/* 0 when no process holds it */
	char		vc_comm[16];
	bool		vc_listed;	/* its owner's name is on the list (else: kept by
					 * conns_collect_if's predicate) */
};

/* Whether conns_collect_if keeps a connection whose owner is not listed. */
typedef bool conns_keep_fn(const struct sd_conn *c, void *arg);

/* Collects the connections (TCP, connected UDP and the UDP flows of
 * unconnected sockets that conntrack holds, vnat/flows; IPv4 and IPv6) whose
 * owner's name is in names (or every one if names holds "*"); *out is
 * malloc'ed.  With all not NULL, every socket seen on the way is indexed
 * there too (conns_index).  Returns the count, or -1 with errno. */
int conns_collect(char (*names)[16], size_t nnames, struct vconn **out, struct vtab *all);
/* conns_collect, and besides the listed ones every connection keep (when
 * not NULL) says yes to, with the first process found holding it (pid 0
 * and no name when none does). */
int conns_collect_if(char (*names)[16], size_t nnames, conns_keep_fn *keep, void *arg,
    struct vconn **out, struct vtab *all);
/* Indexes socket c in all by its tuple, its inode and state in ve_sock
 * (vnat/conflict reads them). */
void conns_index(struct vtab *all, const struct sd_conn *c);
/* True when all (conns_collect's index) holds c's other end: both ends of
 * the connection are sockets of this host. */
bool conns_self(const struct vtab *all, const struct sd_conn *c);
struct addr_set;
/* True when v (with t, its translation or identity) is nothing to move:
 * local by its addresses (addr_conn_local, as: this host's), both ends
 * sockets of this host (conns_self), or a socket of vnet's own (the control
 * connection carrying a RESUME).  SUSPEND and RESUME skip it. */
bool conns_local(const struct vconn *v, const struct vnat_tuple *t, const struct addr_set *as,
    const struct vtab *all);
/* The translation of a socket that never moved: its tuple as virtual and
 * physical ends (the key for vnat_find and the vtab tables). */
void conns_identity(const struct sd_conn *c, struct vnat_tuple *t);
/* Writes the VNAT CONNS? line of c: protocol, virtual local and remote,
 * physical local and remote, state (the socket's, or state when not NULL:
 * SUSPENDED, CONFLICT, PEER_SUSPENDED, PEER_MOVED), pid and process name. */
void conns_format(const struct vconn *c, const struct vnat_tuple *tr, const char *state, char *buf,
    size_t len);

#endif
