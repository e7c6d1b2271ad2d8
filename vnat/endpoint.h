/* endpoint: the peer's side of VCMP over TCP (port 2031, doc/PROTOCOL.md
 * "VCMP"): accepts VNAT_SUS from a host that suspends (keys, helpers) and
 * VNAT_UPD from one whose connections moved, answers VNAT_SUS_R and
 * VNAT_UPD_R, within the limits of vnat/vlimit. */
#ifndef VNET_ENDPOINT_H
#define VNET_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "vnat/vlimit.h"
#include "vnat/vnat.h"
#include "vnat/vtab.h"

struct vcmp_sess;
TAILQ_HEAD(vcmp_sess_list, vcmp_sess);

/* v's part: the peer's side */
struct endpoint_part {
	struct evconnlistener	*ep_lst;
	struct vcmp_sess_list	 ep_sess;	/* idle longest first */
	struct vcmp_limits	 ep_lim;	/* --vcmp-sessions ... --vcmp-pending */
	size_t			 ep_held;	/* entries all sessions hold before validation */
	uint16_t		 ep_port;	/* ours, and the peers' (vnat/xchg) */
	bool			 ep_secure;	/* --vnat-secure: no update without a key */
	struct vtab		 ep_susp;	/* connections peers told us they suspend */
};

/* Listens at o's port on every address, IPv6 and IPv4 on one socket (IPv4
 * alone where IPv6 is off), with o's limits; 0, or -1 with err set. */
int endpoint_start(struct vnat *v, const struct vnat_opts *o, char *err, size_t errlen);
/* Stops listening, closes every VCMP session, forgets the peers'
 * suspensions. */
void endpoint_close(struct vnat *v);
/* The VCMP port, ours and the peers'. */
uint16_t endpoint_port(const struct vnat *v);
/* True when a peer told us it suspends connection key (our virtual
 * tuple), and has not resumed it. */
bool endpoint_suspended(const struct vnat *v, const struct vnat_tuple *key);
/* What a peer did to connection key (our virtual tuple), as VNAT CONNS?
 * says it: "PEER_SUSPENDED" (told us it suspends it, no update since),
 * "PEER_MOVED" (its remote end is elsewhere: an update of a peer's applied
 * here), or NULL. */
const char *endpoint_peer_state(const struct vnat *v, const struct vnat_tuple *key);
/* The number of connections peers told us they suspend. */
size_t endpoint_nsuspended(const struct vnat *v);
/* Those connections, for the sweep's marks (vnat/sweep) only. */
struct vtab *endpoint_susp_table(struct vnat *v);

#endif
