/* ctl: the VNAT text requests (doc/PROTOCOL.md, "VNAT requests"), handled
 * and answered here; server/ctl.c parses the line (common/proto) and hands
 * the request over with its line writer, so that nothing here knows a
 * control session. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "vnat/conns.h"
#include "vnat/core.h"
#include "vnat/resume.h"

struct reply {
	vnat_line_cb	*r_line;
	void		*r_arg;
};

static void say(const struct reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const struct reply *r, const char *fmt, ...)
{
	char line[PROTO_LINE_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->r_line(r->r_arg, line);
}

static void
procs(struct vnat *v, const struct reply *r)
{
	say(r, "OK procs");
	say(r, "%zu", vnat_nprocs(v));
	for (size_t i = 0; i < vnat_nprocs(v); i++)
		say(r, "%s%s", vnat_proc_name(v, i), flows_hide_named(v, vnat_proc_name(v, i)) ?
		    " hide" : "");
}

/* a connection of a process not on the list is shown when a peer
 * suspended or moved it */
static bool
peer_touched(const struct sd_conn *c, void *arg)
{
	struct vnat_tuple key;

	conns_identity(c, &key);
	return endpoint_peer_state(arg, &key) != NULL;
}

static void
conns(struct vnat *v, const struct reply *r)
{
	struct vconn *vc = NULL;
	char line[512], names[VNAT_PROCS_MAX][16];
	size_t np = vnat_nprocs(v);
	int n;

	for (size_t i = 0; i < np; i++)
		snprintf(names[i], sizeof(names[i]), "%s", vnat_proc_name(v, i));
	if ((n = conns_collect_if(names, np, peer_touched, v, &vc, NULL)) < 0) {
		say(r, "NOK cannot list connections: %s", strerror(errno));
		return;
	}
	say(r, "OK conns");
	say(r, "%d", n);
	for (int i = 0; i < n; i++) {
		struct vnat_tuple key;
		const char *state;
		conns_identity(&vc[i].vc_c, &key);
		/* a listed process's connection keeps the words it always had */
		if (!vc[i].vc_listed)
			state = endpoint_peer_state(v, &key);
		else if (conflict_marked(v, &key))
			state = "CONFLICT";
		else
			state = suspend_has(v, &key) || endpoint_suspended(v, &key) ? "SUSPENDED" : NULL;
		conns_format(&vc[i], vnat_find(v, &key), state, line, sizeof(line));
		say(r, "%s", line);
	}
	free(vc);
}

/* VNAT HELPERS? and CONFLICTS?: each entry as its module writes it */
static void
settings(struct vnat *v, const struct reply *r, const char *what,
    size_t (*count)(const struct vnat *), void (*format)(const struct vnat *, size_t, char *,
    size_t))
{
	char line[PROTO_LINE_MAX + 1];
	size_t n = count(v);

	say(r, "OK %s", what);
	say(r, "%zu", n);
	for (size_t i = 0; i < n; i++) {
		format(v, i, line, sizeof(line));
		say(r, "%s", line);
	}
}

void
vnat_stats_snapshot(const struct vnat *v, struct vnat_snapshot *out)
{
	const struct vnat_stats *st = &v->v_st;

	memset(out, 0, sizeof(*out));
	out->vn_translations = vnat_count(v);
	out->vn_kept = kept_count(v);
	out->vn_suspended = suspend_is_on(v);
	out->vn_peer_suspended = endpoint_nsuspended(v);
	out->vn_keys = keys_count(v);
	out->vn_peer_suspensions = st->vs_suspended;
	out->vn_msgs = st->vs_msgs;
	out->vn_updated = st->vs_updated;
	out->vn_unknown = st->vs_unknown;
	out->vn_bad = st->vs_bad;
	out->vn_auth_refused = st->vs_auth_refused;
	out->vn_keyless = st->vs_keyless;
	out->vn_conflicts = st->vs_conflicts;
	out->vn_nft_errors = st->vs_nft_errors;
	out->vn_kicked = st->vs_kicked;
}

/* VNAT STATS? and /metrics (server/metrics.c) read the same snapshot */
static void
stats(struct vnat *v, const struct reply *r)
{
	struct vnat_snapshot n;

	vnat_stats_snapshot(v, &n);
	say(r, "OK vstats translations=%llu kept=%llu suspended=%s peer_suspended=%llu "
	    "keys=%llu vcmp_msgs=%llu updated=%llu unknown=%llu refused=%llu "
	    "auth_refused=%llu keyless=%llu conflicts=%llu nft_errors=%llu kicked=%llu",
	    (unsigned long long)n.vn_translations, (unsigned long long)n.vn_kept,
	    n.vn_suspended ? "yes" : "no", (unsigned long long)n.vn_peer_suspended,
	    (unsigned long long)n.vn_keys, (unsigned long long)n.vn_msgs,
	    (unsigned long long)n.vn_updated, (unsigned long long)n.vn_unknown,
	    (unsigned long long)n.vn_bad, (unsigned long long)n.vn_auth_refused,
	    (unsigned long long)n.vn_keyless, (unsigned long long)n.vn_conflicts,
	    (unsigned long long)n.vn_nft_errors, (unsigned long long)n.vn_kicked);
}

enum vnat_ctl_rc
vnat_ctl_request(struct vnat *v, const struct proto_msg *m, vnat_line_cb *line,
    vnat_op_done_cb *done, void *arg)
{
	const struct reply r = { line, arg };
	char err[256];
	int rc;

	if (v == NULL) {
		say(&r, "NOK VNAT is off on this server (start vnet with --vnat)");
		return VNAT_CTL_ANSWERED;
	}
	switch (m->pm_vnat) {
	case PV_PROCS:
		procs(v, &r);
		break;
	case PV_ADD:
	case PV_DEL:
		if (m->pm_mode[0] && strcmp(m->pm_mode, "hide") != 0)
			say(&r, "NOK unknown mode '%s' (the one mode is hide)", m->pm_mode);
		else if ((m->pm_vnat == PV_ADD ? vnat_proc_add : vnat_proc_del)(v, m->pm_name, err,
		    sizeof(err)) != 0)
			say(&r, "NOK %s", err);
		else {
			flows_hide_set(v, m->pm_name, m->pm_vnat == PV_ADD && m->pm_mode[0]);
			say(&r, "OK %s %s%s", m->pm_vnat == PV_ADD ? "added" : "removed", m->pm_name,
			    m->pm_vnat == PV_ADD && m->pm_mode[0] ? " hide" : "");
		}
		break;
	case PV_CONNS:
		conns(v, &r);
		break;
	case PV_CONFLICT:
	case PV_HELPER:
		if ((m->pm_vnat == PV_CONFLICT ? conflict_set : helper_set)(v, m->pm_name,
		    m->pm_mode, err, sizeof(err)) != 0)
			say(&r, "NOK %s", err);
		else
			say(&r, "OK %s %s %s", m->pm_vnat == PV_CONFLICT ? "conflict" : "helper",
			    m->pm_name, m->pm_mode);
		break;
	case PV_STATS:
		stats(v, &r);
		break;
	case PV_HELPERS:
		settings(v, &r, "helpers", helper_count, helper_format);
		break;
	case PV_CONFLICTS:
		settings(v, &r, "conflicts", conflict_count, conflict_format);
		break;
	case PV_SUSPEND:
	case PV_RESUME:
		rc = m->pm_vnat == PV_SUSPEND ? suspend_start(v, done, arg, err, sizeof(err)) :
		    resume_start(v, m->pm_addr[0] ? m->pm_addr : NULL, done, arg, err, sizeof(err));
		if (rc == 0)
			return VNAT_CTL_PENDING;
		say(&r, "NOK %s", err);
		break;
	}
	return VNAT_CTL_ANSWERED;
}

void
vnat_ctl_detach(struct vnat *v, void *arg)
{
	if (v)
		op_detach(v, arg);
}
