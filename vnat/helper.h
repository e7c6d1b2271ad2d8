/* helper: migration helpers (doc/PROTOCOL.md, VNAT HELPER in "VNAT
 * requests"; the idea is seed 001's, 3.3.1.2 and 3.3.2.3).  On the peer of
 * a host that suspends, each suspended connection gets the helper chosen
 * for the name of the local process that owns it (VNAT HELPER name mode;
 * a name without one gets "*"'s, and with "*" unset, keepalive):
 *   keepalive  the transport must not give up: on that process's own socket
 *              (a copy through pidfd_getfd, closed again at once)
 *              SO_KEEPALIVE off and TCP_USER_TIMEOUT raised to a day (over
 *              net.ipv4.tcp_retries2, about 15 minutes by default, and the
 *              keepalive probes); the old values come back at RESUME; TCP
 *              only.  The default.
 *   stop       the process is stopped (SIGSTOP) and continued at RESUME;
 *              refused when it also serves connections that are not
 *              suspended (stop-always stops it anyway)
 *   exec:PATH  PATH runs with: suspend|resume proto local remote, and
 *              VNAT_EVENT, VNAT_PROTO, VNAT_LOCAL, VNAT_REMOTE, VNAT_PID,
 *              VNAT_COMM in its environment, standard input, output and
 *              error its only descriptors, signals at their defaults;
 *              killed through its pidfd after 10 s
 *   none       nothing
 *   default    (VNAT HELPER only) removes the name's own entry
 * On the host that suspends, its own connections get the keepalive helper
 * too when theirs is keepalive (helper_hold: its TCP retransmits what it
 * sent and would give up as well); the other modes act on the peer only.
 * The keepalive helper's values come back at RESUME once the socket has
 * nothing unacknowledged left from the suspension (checked every 250 ms,
 * at most 300 s): sooner, TCP would count the whole suspension against
 * tcp_retries2 at its next timer and give up there.
 * Whatever a helper changed is restored at RESUME, when the connection
 * closes, and when vnet exits; no process is left stopped. */
#ifndef VNET_HELPER_H
#define VNET_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "vnat/vnat.h"
#include "vnat/vtab.h"

enum helper_kind { HK_NONE, HK_KEEPALIVE, HK_STOP, HK_STOP_ALWAYS, HK_EXEC, HK_DEFAULT };

#define HELPER_EXEC_TIMEOUT_S	10
#define HELPER_KEEPALIVE_MS	86400000u	/* TCP_USER_TIMEOUT while suspended: a day */
#define HELPER_DRAIN_S		300	/* keepalive: the longest wait for the restore */
#define HELPER_DRAIN_TICK_MS	250	/* how often it looks */

/* the helper chosen for a process name */
struct helper_conf {
	char	hc_name[16];
	uint8_t	hc_kind;		/* enum helper_kind */
	char	hc_path[256];
};

struct helper_prog;
TAILQ_HEAD(helper_prog_list, helper_prog);

/* v's part: the helpers by name, and those acting */
struct helper_part {
	struct helper_conf	 hs_conf[VNAT_PROCS_MAX];
	size_t			 hs_nconf;
	struct vtab		 hs_helped;	/* connections a helper acts for */
	struct helper_prog_list	 hs_progs;	/* exec helpers running */
	struct event		*hs_drain;	/* keepalive: restores that wait */
};

/* Parses a mode (keepalive, stop, stop-always, none, default,
 * exec:/absolute/path):
 * 0, or -1 with the reason in err.  Pure. */
int helper_parse(const char *mode, enum helper_kind *kind, char *path, size_t len, char *err,
    size_t errlen);
/* The helper for a process name: its own entry, else "*", else the
 * built-in keepalive; never NULL.  Pure. */
const struct helper_conf *helper_for(const struct vnat *v, const char *comm);
/* Sets the helper of a process name (none is kept as a choice; default
 * removes the name's entry); 0 or -1. */
int helper_set(struct vnat *v, const char *name, const char *mode, char *err, size_t errlen);
/* The number of lines of VNAT HELPERS?: the process names with a helper,
 * and "* keepalive" (the default) last when "*" has none.  Pure. */
size_t helper_count(const struct vnat *v);
/* Writes line i (< helper_count) as "name mode", the mode as VNAT HELPER
 * takes it (keepalive, stop, stop-always, none, exec:/path).  Pure. */
void helper_format(const struct vnat *v, size_t i, char *out, size_t len);
/* Readies v for helpers and exec helper programs (each watched and reaped through its
 * own pidfd on v's loop, never by PID); 0 or -1. */
int helper_start(struct vnat *v);
/* Activates, for each connection t[i] (our virtual tuple), the helper of the
 * process owning socket inode[i] (one walk of /proc for all; none when no
 * helper is configured); logs what it did or why it could not. */
void helper_suspend(struct vnat *v, const struct vnat_tuple *t, const uint32_t *inode, size_t n);
/* On the host that suspends: the keepalive helper for each of its own
 * connections t[i] (socket inode[i]) whose process's helper is keepalive. */
void helper_hold(struct vnat *v, const struct vnat_tuple *t, const uint32_t *inode, size_t n);
/* Deactivates it (RESUME, the connection closed); restores what it changed. */
void helper_resume(struct vnat *v, const struct vnat_tuple *t, const char *why);
/* The connections a helper acts for, for the sweep's marks (vnat/sweep)
 * only. */
struct vtab *helper_table(struct vnat *v);
/* Deactivates every helper (exit); programs still running are left to
 * finish, their pidfds closed. */
void helper_stop(struct vnat *v);

#endif
