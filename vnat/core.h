/* core: struct vnat as vnat/ sees it (server/ sees it opaque: vnat/vnat.h).
 * It is made of parts, each defined in its owner's header and read and
 * written by that module alone; another module calls the owner's
 * functions.  Only the loop, the nftables context and the counters are
 * shared.  The translations and the process list are vnat.c's, declared
 * here with the functions the other modules call. */
#ifndef VNET_CORE_H
#define VNET_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnat/conflict.h"
#include "vnat/endpoint.h"
#include "vnat/flows.h"
#include "vnat/helper.h"
#include "vnat/keys.h"
#include "vnat/kept.h"
#include "vnat/nftx.h"
#include "vnat/op.h"
#include "vnat/state.h"
#include "vnat/suspend.h"
#include "vnat/sweep.h"
#include "vnat/vnat.h"
#include "vnat/vtab.h"

/* counters, each bumped by the module that counts it; VNAT STATS? */
struct vnat_stats {
	uint64_t vs_msgs, vs_updated, vs_unknown, vs_bad, vs_nft_errors, vs_suspended;
	uint64_t vs_auth_refused, vs_keyless, vs_conflicts;
	uint64_t vs_kicked;		/* connections vnat/kick made retransmit */
};

/* vnat.c: the translations in force */
struct vnat_trs {
	struct vtab	 tr_tab;		/* by virtual tuple */
	unsigned	 tr_mapn[NFTX_NMAPS];	/* elements per nftables map */
	uint32_t	 tr_next_id;
};

/* vnat.c: the names of the processes to virtualize; "*" = all */
struct vnat_procs {
	char		 pr_names[VNAT_PROCS_MAX][16];
	size_t		 pr_n;
};

struct vnat {
	struct event_base	*v_base;	/* shared: the server's loop */
	struct nft_ctx		*v_nft;		/* shared, through vnat_nft_run */
	struct vnat_stats	 v_st;		/* shared: see above */
	struct vnat_trs		 v_trs;		/* vnat.c */
	struct vnat_procs	 v_procs;	/* vnat.c */
	struct helper_part	 v_help;	/* helper.c: helpers by name, those acting */
	struct conflict_part	 v_conf;	/* conflict.c: policies by name, conflicts left */
	struct kept_part	 v_kept;	/* kept.c: old addresses on lo */
	struct endpoint_part	 v_ep;		/* endpoint.c: the peer's side */
	struct keys_part	 v_keys;	/* keys.c: keys agreed at SUSPEND */
	struct op_part		 v_ops;		/* op.c: the running RESUME or SUSPEND */
	struct suspend_part	 v_susp;	/* suspend.c: SUSPEND done, no RESUME yet */
	struct sweep_part	 v_sweep;	/* sweep.c */
	struct state_part	 v_state;	/* state.c: the state file */
	struct flows_part	 v_flows;	/* flows.c: the names in mode hide */
};

/* Installs or replaces the translations of n connections in one batch
 * (matched on their virtual tuple); one whose physical ends are its virtual
 * ones again is removed.  0 or -1 with err set. */
int vnat_apply(struct vnat *v, const struct vnat_tuple *t, size_t n, char *err, size_t errlen);
/* Removes the translations of n connections (matched on their virtual
 * tuple) in one batch; unknown ones are skipped. */
int vnat_remove(struct vnat *v, const struct vnat_tuple *t, size_t n, char *err, size_t errlen);
/* The translation of a virtual tuple, or NULL. */
const struct vnat_tuple *vnat_find(const struct vnat *v, const struct vnat_tuple *key);
/* The number of translations in force. */
size_t vnat_count(const struct vnat *v);
/* True when a translation keeps addr (family 4 or 6) as its moved local
 * virtual address. */
bool vnat_uses_addr(const struct vnat *v, uint8_t family, const uint8_t *addr);
/* The translations, for the sweep's marks (vnat/sweep) and the state file
 * (vnat/state) only. */
struct vtab *vnat_table(struct vnat *v);
/* The last translation id given (the state file). */
uint32_t vnat_next_id(const struct vnat *v);
/* Takes over n translations recorded by an earlier vnet (vnat/state) with
 * the ids up to next_id given, in one batch: pre (removing what was there,
 * the kept addresses' ARP table), then the whole table made again; the
 * kernel has the old table or the new one, never neither.  0, or -1 with
 * err set and nothing taken over. */
int vnat_adopt(struct vnat *v, const struct vnat_tuple *t, size_t n, uint32_t next_id,
    const char *pre, char *err, size_t errlen);
/* Applies an nftables batch, counting a failure; 0, or -1 with err set. */
int vnat_nft_run(struct vnat *v, const char *batch, char *err, size_t errlen);
/* The number of names on the process list. */
size_t vnat_nprocs(const struct vnat *v);
/* Name i of the list (i < vnat_nprocs). */
const char *vnat_proc_name(const struct vnat *v, size_t i);
struct vconn;
/* conns_collect over the process list (see vnat/conns). */
int vnat_collect(struct vnat *v, struct vconn **out, struct vtab *all);

#endif
