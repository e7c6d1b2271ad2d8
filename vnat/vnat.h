/* vnat: the VNAT layer of the vnet server (doc/PROTOCOL.md, "VNAT
 * requests" and "VCMP"): connection virtualization (a connection's
 * virtual tuple is the one it started with), translation (vnat/nftx:
 * stateless nftables maps, only while something moved) and migration
 * (SUSPEND, RESUME and their VCMP exchanges with the peers; keys, helpers
 * and conflicts).  This is the one vnat header server/ includes: struct
 * vnat is opaque here; inside vnat/ it is made of parts, each owned by one
 * module (vnat/core.h). */
#ifndef VNET_VNAT_H
#define VNET_VNAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>

#include "vnat/vlimit.h"	/* struct vcmp_limits and its ranges: options of vnat_start */

/* names on each per-process list: VNAT ADD, HELPER, CONFLICT */
#define VNAT_PROCS_MAX	64

struct vnat;
struct proto_msg;

/* What vnat_start needs from the server's options. */
struct vnat_opts {
	uint16_t		vo_port;	/* --vcmp-port; 0: any (tests) */
	struct vcmp_limits	vo_lim;		/* --vcmp-sessions ... --vcmp-pending */
	bool			vo_secure;	/* --vnat-secure: no update without a key */
	const char		*vo_state_dir;	/* --state-dir: the state file's folder;
						 * NULL: none, everything removed at exit */
};

/* How a RESUME or SUSPEND ends: ok, and the text of the answer ("resumed
 * ...", or the reason). */
typedef void vnat_op_done_cb(void *arg, bool ok, const char *text);
/* Writes one line of an answer (without its line end) to the requester. */
typedef void vnat_line_cb(void *arg, const char *line);

enum vnat_ctl_rc {
	VNAT_CTL_ANSWERED,	/* every line of the answer was written */
	VNAT_CTL_PENDING,	/* RESUME or SUSPEND: done is called later, once */
};

/* What VNAT STATS? reports, copied out of struct vnat for readers outside
 * vnat/ (server/metrics.c): gauges (now) and counters (since start). */
struct vnat_snapshot {
	uint64_t vn_translations;	/* in the table */
	uint64_t vn_kept;		/* old addresses kept on lo */
	uint64_t vn_suspended;		/* 1 after SUSPEND until RESUME */
	uint64_t vn_peer_suspended;	/* connections peers told us they suspend */
	uint64_t vn_keys;		/* connection keys held */
	uint64_t vn_peer_suspensions;	/* ... counted since start */
	uint64_t vn_msgs, vn_updated, vn_unknown, vn_bad, vn_auth_refused, vn_keyless;
	uint64_t vn_conflicts, vn_nft_errors;
	uint64_t vn_kicked;		/* connections made to retransmit at once (vnat/kick) */
};

/* Adopts what the state file in o->vo_state_dir records (translations,
 * kept addresses, keys: an earlier vnet's, left for a restart) or replaces
 * any stale table, listens for VCMP as o says (NULL: port 0 and the
 * default limits, no state file); NULL with err set. */
struct vnat *vnat_start(struct event_base *base, const struct vnat_opts *o, char *err,
    size_t errlen);
/* Ends a running operation without an answer, stops listening, frees v
 * (NULL is fine).  With a state file, what the moved connections need
 * (translations, kept addresses, keys) stays in place and is recorded
 * there for the next start; without one, or with nothing to keep, every
 * translation, the tables and the kept addresses are removed. */
void vnat_stop(struct vnat *v);
/* vnet --vnat-flush: removes what a vnet left (vnet's tables, the kept
 * addresses the state file in state_dir records, arp_announce put back,
 * the file), saying what on out; 0, or 1 when something could not be
 * removed. */
int vnat_flush(const char *state_dir, FILE *out);
/* True when state_dir holds a state file (left by a vnet --vnat). */
bool vnat_state_left(const char *state_dir);
/* Adds or removes a process name of the list; 0, or -1 with err set. */
int vnat_proc_add(struct vnat *v, const char *name, char *err, size_t errlen);
int vnat_proc_del(struct vnat *v, const char *name, char *err, size_t errlen);
/* Fills out with v's counters as they are now. */
void vnat_stats_snapshot(const struct vnat *v, struct vnat_snapshot *out);
/* Sets the migration helper of a process name (keepalive, stop,
 * stop-always, none, exec:/path); 0, or -1 with err set. */
int vnat_helper_set(struct vnat *v, const char *name, const char *mode, char *err, size_t errlen);
/* Sets the address conflict policy of a process name (abort, preempt); 0,
 * or -1 with err set. */
int vnat_conflict_set(struct vnat *v, const char *name, const char *policy, char *err,
    size_t errlen);
/* Whether mode is a helper mode, policy a conflict policy (for the options
 * before VNAT runs); 0, or -1 with the reason in err.  Pure. */
int vnat_helper_check(const char *mode, char *err, size_t errlen);
int vnat_conflict_check(const char *policy, char *err, size_t errlen);
/* Handles one VNAT request m (v NULL: VNAT is off) and writes its answer
 * through line(arg, ...); for RESUME and SUSPEND started, VNAT_CTL_PENDING
 * and later done(arg, ...) once, never from inside this call. */
enum vnat_ctl_rc vnat_ctl_request(struct vnat *v, const struct proto_msg *m, vnat_line_cb *line,
    vnat_op_done_cb *done, void *arg);
/* The requester arg went away: an operation it started goes on, and its
 * done is not called. */
void vnat_ctl_detach(struct vnat *v, void *arg);

#endif
