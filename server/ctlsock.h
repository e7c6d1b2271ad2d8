/* ctlsock: the local control socket's file (vnet(8), "LOCAL CONTROL"): a
 * Unix stream socket, mode 0660, owner root, group --user's (else
 * root's), in a folder made 0755 if missing.  Access is by those
 * permissions; each connection's credentials are checked again
 * (SO_PEERCRED) and logged.  The text protocol on it is server/ctl.c's,
 * without HELLO. */
#ifndef VNET_CTLSOCK_H
#define VNET_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CTLSOCK_SKIPPED	(-2)	/* ctlsock_open: the default path is in use */

/* Listens on path (nonblocking, close-on-exec): a stale socket (nobody
 * answers) is replaced; a live one is an error when the path was given
 * (given), and otherwise CTLSOCK_SKIPPED with a warning logged.  user ("" none)
 * names the group; *gid is the socket's.  The fd, or -1 with err set. */
int ctlsock_open(const char *path, bool given, const char *user, gid_t *gid, char *err,
    size_t errlen);
/* Removes the socket file at exit (a missing one is no error). */
void ctlsock_remove(const char *path);
/* True when the peer of the accepted fd is root, or in group gid
 * (primary or supplementary); who gets "uid U pid P" for the logs. */
bool ctlsock_peer_ok(int fd, gid_t gid, char *who, size_t wholen);

#endif
