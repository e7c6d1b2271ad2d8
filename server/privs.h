/* privs: least privilege once the listeners and the state are open.  vnet
 * keeps CAP_NET_RAW and CAP_NET_ADMIN (capture and injection open packet
 * sockets whenever a handler is made, promiscuous mode, marks) and, with
 * --vnat, the capabilities VNAT uses on other processes (PRIVS_VNAT_CAPS);
 * nothing else, with no_new_privs set. */
#ifndef VNET_PRIVS_H
#define VNET_PRIVS_H

#include <stddef.h>

#include "server/server.h"

/* the capabilities kept, as capsh and systemd name them (the unit's
 * CapabilityBoundingSet holds both lists) */
#define PRIVS_BASE_CAPS	"cap_net_raw,cap_net_admin"
#define PRIVS_VNAT_CAPS	"cap_sys_ptrace,cap_kill,cap_dac_read_search"

/* Gives up what vnet does not need.  With --user NAME: the state folder and
 * the files in it that root owns are given to NAME, then vnet becomes NAME
 * (its group, no supplementary groups) keeping only the capabilities above,
 * with an empty bounding set.  Started by another user (a systemd unit's
 * User= with AmbientCapabilities=): the same capabilities, those it was
 * given, no ambient ones.  As root without --user: nothing changes.
 * 0, or -1 with the reason in err (the caller exits). */
int privs_drop(const struct srv_opts *o, char *err, size_t errlen);

#endif
