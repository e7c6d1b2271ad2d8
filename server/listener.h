/* listener: the listening sockets (one per address, and the local control
 * socket).  Accepts into control sessions and, when
 * the process runs out of descriptors, pauses instead of spinning on a
 * failing accept: one warning per episode, retries from a timer, room made
 * by dropping the oldest unauthenticated connection. */
#ifndef VNET_LISTENER_H
#define VNET_LISTENER_H

#include <sys/resource.h>

#include "server/server.h"

struct lsn;

/* Raises the soft descriptor limit to the hard one (logged); returns the
 * soft limit in force. */
rlim_t lsn_raise_nofile(void);
/* Listens on the addresses and port of s's options; NULL with errno set
 * (the address that failed logged). */
struct lsn *lsn_open(struct server *s);
/* Adds the local control socket of s's options (ctlsock.h), unless it is
 * off or the default path is in use (warned); 0, or -1 with err set. */
int lsn_open_local(struct lsn *l, char *err, size_t errlen);
/* The one teardown: closes the sockets (the control socket's file
 * removed). */
void lsn_close(struct lsn *l);
/* A descriptor was closed: a paused listener retries soon. */
void lsn_fd_freed(struct lsn *l);

#endif
