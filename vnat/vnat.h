/* vnat: the VNAT layer of the vnet server (doc/PROTOCOL.md, "VNAT
 * requests" and "VCMP"; the design is seeds 000 and 001): connection
 * virtualization (a connection's virtual tuple is the one it started
 * with), translation (vnat/nftx: stateless nftables maps, only while
 * something moved) and migration (SUSPEND, RESUME and their VCMP exchanges
 * with the peers; keys, helpers and conflicts).  This struct holds the
 * state they share; each concern lives in its own file, but most of them
 * (and server/ctl.c) read and write its fields directly: known debt,
 * doc/ARCHITECTURE.md. */
#ifndef VNET_VNAT_H
#define VNET_VNAT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "vnat/nftx.h"
#include "vnat/vlimit.h"
#include "vnat/vtab.h"


#define VNAT_PROCS_MAX	64

struct vnat_stats {
	uint64_t vs_msgs, vs_updated, vs_unknown, vs_bad, vs_nft_errors, vs_suspended;
	uint64_t vs_auth_refused, vs_keyless, vs_conflicts;
};

struct vcmp_sess;
struct resume;
struct suspend;
struct helper_prog;
TAILQ_HEAD(vcmp_sess_list, vcmp_sess);
TAILQ_HEAD(helper_prog_list, helper_prog);

struct vnat {
	struct event_base	*v_base;
	struct nft_ctx		*v_nft;
	struct evconnlistener	*v_lst;
	struct vtab		 v_trs;		/* translations by virtual tuple */
	unsigned		 v_mapn[NFTX_NMAPS];	/* elements per nftables map */
	struct vcmp_sess_list	 v_sess;	/* idle longest first (vnat/endpoint) */
	struct vcmp_limits	 v_lim;		/* --vcmp-sessions ... --vcmp-pending */
	size_t			 v_held;	/* entries all sessions hold before validation */
	uint32_t		 v_next_id;
	struct resume		*v_resume;	/* the running RESUME, if any */
	struct event		*v_sweep;	/* vnat/sweep's timer */
	struct suspend		*v_suspend;	/* the running SUSPEND, if any */
	bool			 v_suspended;	/* SUSPEND done, no RESUME yet */
	time_t			 v_susp_at;
	struct vtab		 v_susp;	/* our connections as SUSPEND found them */
	struct vtab		 v_peer_susp;	/* connections peers told us they suspend */
	struct vtab		 v_keys;	/* keys agreed at SUSPEND, by our virtual tuple */
	bool			 v_secure;	/* --vnat-secure: no update without a key */
	struct vtab		 v_helped;	/* connections a helper acts for (vnat/helper) */
	struct helper_conf {
		char	hc_name[16];
		uint8_t	hc_kind;		/* enum helper_kind */
		char	hc_path[256];
	}			 v_helpers[VNAT_PROCS_MAX];
	size_t			 v_nhelpers;
	struct helper_prog_list	 v_progs;	/* exec helpers running (vnat/helper) */
	struct {
		char	cp_name[16];
		uint8_t	cp_policy;		/* enum conflict_policy */
	}			 v_policies[VNAT_PROCS_MAX];
	size_t			 v_npolicies;
	struct vtab		 v_conflicted;	/* connections the last RESUME left (conflict) */
	uint16_t		 v_vcmp_port;
	struct { uint8_t k_family, k_addr[16]; } v_kept[256];	/* added on lo by us */
	size_t			 v_nkept;
	int			 v_arp_announce;	/* all/arp_announce before we raised it; -1: untouched */
	char			 v_procs[VNAT_PROCS_MAX][16];	/* names to virtualize; "*" = all */
	size_t			 v_nprocs;
	struct vnat_stats	 v_st;
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
};

/* Replaces any stale table, listens for VCMP on port with the limits lim
 * (NULL: the defaults); NULL with err set. */
struct vnat *vnat_start(struct event_base *base, uint16_t port, const struct vcmp_limits *lim,
    char *err, size_t errlen);
/* Removes every translation and the table, stops listening, frees v. */
void vnat_stop(struct vnat *v);
/* Installs or replaces the translations of n connections in one batch
 * (matched on their virtual tuple); one whose physical ends are its virtual
 * ones again is removed.  0 or -1 with err set. */
int vnat_apply(struct vnat *v, const struct vnat_tuple *t, size_t n, char *err, size_t errlen);
/* Removes the translations of n connections (matched on their virtual
 * tuple) in one batch; unknown ones are skipped. */
int vnat_remove(struct vnat *v, const struct vnat_tuple *t, size_t n, char *err, size_t errlen);
/* Adds or removes a process name of the list; 0, or -1 with err set. */
int vnat_proc_add(struct vnat *v, const char *name, char *err, size_t errlen);
int vnat_proc_del(struct vnat *v, const char *name, char *err, size_t errlen);
/* Fills out with v's counters as they are now. */
void vnat_stats_snapshot(const struct vnat *v, struct vnat_snapshot *out);
/* The translation of a virtual tuple, or NULL. */
const struct vnat_tuple *vnat_find(const struct vnat *v, const struct vnat_tuple *key);

#endif
