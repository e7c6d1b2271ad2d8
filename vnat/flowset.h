/* flowset: the UDP flows vnet follows itself where conntrack is not active
 * in the namespace (issue 16).  Conntrack tracks only where something uses
 * it; vnet does not turn it on (every packet of the host would then go
 * through it).  Instead its table "inet vnetflow" holds a set of the local
 * UDP ports that unconnected sockets own (of any process: a peer needs no
 * list) and two dynamic sets of flows, f4 and f6, keyed local address .
 * local port . remote address . remote port as the socket sees them
 * (virtual: recorded on output before vnet's translation, on input after
 * it).  Only UDP packets from or to those ports touch the flow sets; any
 * other packet costs one port lookup (bench/udpflow.sh measures it).
 *
 * A flow lives FLOWSET timeout seconds after its last packet: conntrack's
 * net.netfilter.nf_conntrack_udp_timeout_stream (120 s unless set) as read
 * when the table is made, the one a two-way flow gets in conntrack.  The
 * ports are refreshed every FLOWSET_REFRESH_MS; the table is there only
 * while conntrack tracks nothing (nf_conntrack_count 0) and some
 * unconnected socket owns a port, and removed when conntrack turns on
 * (vnat/flows then reads conntrack).  A suspended flow is pinned
 * (FLOWS_PIN_S) by giving its element that timeout; its next packet gives
 * it the set's timeout back, as with conntrack. */
#ifndef VNET_FLOWSET_H
#define VNET_FLOWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "vnat/sockdiag.h"
#include "vnat/tuple.h"

#define FLOWSET_TABLE		"vnetflow"
#define FLOWSET_REFRESH_MS	1000

struct flowset_part {
	struct event	*fs_timer;
	bool		 fs_on;		/* the table is there */
	uint8_t		 fs_ports[65536 / 8];	/* the port set, as last applied */
};

/* A batch that makes the table with timeout seconds and the n ports
 * (create), or replaces the port set's elements; -1 when buf is too
 * small (pure). */
int flowset_text_ports(const uint16_t *ports, size_t n, unsigned timeout, bool create, char *buf,
    size_t len);
/* A batch that removes the table (there or not; pure). */
int flowset_text_off(char *buf, size_t len);
/* A batch that gives the flows of the UDP ones of n tuples (virtual ends)
 * timeout seconds; -1 when buf is too small, 0 when none is UDP (pure). */
int flowset_text_pin(const struct vnat_tuple *t, size_t n, unsigned timeout, char *buf, size_t len);
/* Validates nftables' JSON listing of one flow set of family (4 or 6) and
 * calls cb for each element, as an sd_conn (the local and remote ends,
 * proto UDP, sc_state TCP_CLOSE, no inode); nothing is called for a
 * listing that is not valid as a whole.  The number of elements, or -1
 * (pure). */
int flowset_parse(const char *json, uint8_t family, sd_conn_cb cb, void *arg);

/* True when conntrack tracks something in this namespace. */
bool flowset_ct_on(void);
struct vnat;
/* Arms the refresh timer and refreshes once.  0 or -1. */
int flowset_start(struct vnat *v);
/* Stops the timer and removes the table. */
void flowset_stop(struct vnat *v);
/* Makes, updates or removes the table as conntrack and the sockets now
 * need. */
void flowset_refresh(struct vnat *v);
/* Calls cb for every flow of the sets (flowset_parse's sd_conn).  0, or -1
 * when they cannot be read (no table: 0, no flow). */
int flowset_list(sd_conn_cb cb, void *arg);
/* True when the sets hold the flow of k's virtual ends. */
bool flowset_known(const struct vnat_tuple *k);
/* Pins the UDP ones of n tuples for timeout seconds; the number pinned. */
size_t flowset_pin(const struct vnat_tuple *t, size_t n, unsigned timeout);

#endif
