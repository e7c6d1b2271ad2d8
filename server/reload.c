/* reload: apply the configuration by difference, at start and on SIGHUP. */
#include "server/reload.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "server/standing.h"
#include "vnat/vnat.h"

struct reload {
	struct server	*r_srv;
	struct event	*r_sig;
	int		 r_argc;
	char		**r_argv;
	struct conf	*r_cf;		/* what is applied */
};

struct tally {
	const struct conf	*t_cf;
	unsigned		 t_added, t_removed, t_changed, t_kept;
};

static const struct srv_opts none;	/* no VNAT settings yet */

static bool
has_name(const char (*names)[SRV_NAME_MAX + 1], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static const struct srv_vset *
find_vset(const struct srv_vset *set, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(set[i].vs_name, name) == 0)
			return &set[i];
	return NULL;
}

/* the file's VNAT settings: was -> now.  Names added or removed with VNAT
 * ADD/DEL are left alone unless the file names them. */
static void
vnat_diff(struct vnat *v, const struct srv_opts *was, const struct srv_opts *now)
{
	const struct srv_vset *x;
	char err[300];
	size_t i;

	for (i = 0; i < was->so_nvprocs; i++)
		if (!has_name(now->so_vprocs, now->so_nvprocs, was->so_vprocs[i]) &&
		    vnat_proc_del(v, was->so_vprocs[i], err, sizeof(err)) != 0)
			log_info("vnat-proc %s: %s", was->so_vprocs[i], err);
	for (i = 0; i < now->so_nvprocs; i++)
		if (!has_name(was->so_vprocs, was->so_nvprocs, now->so_vprocs[i]) &&
		    vnat_proc_add(v, now->so_vprocs[i], err, sizeof(err)) != 0)
			log_info("vnat-proc %s: %s", now->so_vprocs[i], err);
	for (i = 0; i < was->so_nvhelpers; i++)
		if (!find_vset(now->so_vhelpers, now->so_nvhelpers, was->so_vhelpers[i].vs_name) &&
		    vnat_helper_set(v, was->so_vhelpers[i].vs_name, "default", err, sizeof(err)) == 0)
			log_info("vnat: helper for %s: default", was->so_vhelpers[i].vs_name);
	for (i = 0; i < now->so_nvhelpers; i++) {
		x = find_vset(was->so_vhelpers, was->so_nvhelpers, now->so_vhelpers[i].vs_name);
		if ((x == NULL || strcmp(x->vs_value, now->so_vhelpers[i].vs_value) != 0) &&
		    vnat_helper_set(v, now->so_vhelpers[i].vs_name, now->so_vhelpers[i].vs_value,
		    err, sizeof(err)) != 0)
			log_warnx("vnat-helper %s: %s", now->so_vhelpers[i].vs_name, err);
	}
	/* abort is the default: a policy that left the file goes back to it */
	for (i = 0; i < was->so_nvconflicts; i++)
		if (!find_vset(now->so_vconflicts, now->so_nvconflicts,
		    was->so_vconflicts[i].vs_name))
			vnat_conflict_set(v, was->so_vconflicts[i].vs_name, "abort", err,
			    sizeof(err));
	for (i = 0; i < now->so_nvconflicts; i++) {
		x = find_vset(was->so_vconflicts, was->so_nvconflicts, now->so_vconflicts[i].vs_name);
		if ((x == NULL || strcmp(x->vs_value, now->so_vconflicts[i].vs_value) != 0) &&
		    vnat_conflict_set(v, now->so_vconflicts[i].vs_name,
		    now->so_vconflicts[i].vs_value, err, sizeof(err)) != 0)
			log_warnx("vnat-conflict %s: %s", now->so_vconflicts[i].vs_name, err);
	}
}

/* a running handler of the file: gone from it or changed -> ended */
static void
drop_old(struct server *s, const char *name, void *arg)
{
	struct tally *t = arg;
	const struct conf_handler *ch = conf_handler(t->t_cf, name);
	const struct proto_msg *m = stand_config_get(s, name);

	if (ch && m && conf_handle_same(m, &ch->ch_msg) &&
	    strcmp(stand_config_fp(s, name), ch->ch_fp) == 0) {
		t->t_kept++;
		return;
	}
	if (ch)
		t->t_changed++;
	else
		t->t_removed++;
	log_info("handler '%s' %s the configuration: closing it", name, ch ? "changed in" :
	    "left");
	stand_config_remove(s, name);
}

static void
handlers_diff(struct server *s, const struct conf *cf, struct tally *t)
{
	t->t_cf = cf;
	stand_config_each(s, drop_old, t);
	for (size_t i = 0; i < cf->cf_nh; i++) {
		if (stand_config_get(s, cf->cf_h[i].ch_name) != NULL)
			continue;
		if (stand_config_add(s, cf->cf_h[i].ch_name, &cf->cf_h[i].ch_msg,
		    cf->cf_h[i].ch_fp) != 0)
			log_warnx("handler '%s': cannot start it (out of memory)",
			    cf->cf_h[i].ch_name);
		else
			t->t_added++;	/* a changed one comes back here too */
	}
}

#define SO(f)	offsetof(struct srv_opts, f), sizeof(((struct srv_opts *)0)->f)

/* the options SIGHUP does not apply: a difference is logged */
static void
restart_notes(const struct srv_opts *run, const struct srv_opts *now)
{
	static const struct { const char *name; size_t off, len; bool str; } f[] = {
		{ "password (password-file)", SO(so_password), true },
		{ "tls", SO(so_tls), false },
		{ "port", SO(so_port), false },
		{ "state-dir", SO(so_statedir), true },
		{ "cert", SO(so_cert), true },
		{ "key", SO(so_key), true },
		{ "ca", SO(so_ca), true },
		{ "known-servers", SO(so_known), true },
		{ "auth-timeout", SO(so_auth_timeout), false },
		{ "dial-timeout", SO(so_dial_timeout), false },
		{ "queue-limit", SO(so_queue_max), false },
		{ "queue-total", SO(so_queue_total), false },
		{ "peer-timeout", SO(so_dead_after), false },
		{ "linger", SO(so_linger), false },
		{ "storm-limit", SO(so_storm_pps), false },
		{ "log-level", SO(so_verbosity), false },
		{ "daemon", SO(so_daemon), false },
		{ "vnat", SO(so_vnat), false },
		{ "vnat-secure", SO(so_vnat_secure), false },
		{ "vcmp-port", SO(so_vcmp_port), false },
		{ "vcmp-sessions ... vcmp-pending", SO(so_vcmp), false },
		{ "max-unauth", SO(so_max_unauth), false },
		{ "max-unauth-per-source", SO(so_max_unauth_per_source), false },
		{ "auth-penalty", SO(so_auth_penalty), false },
		{ "idle-timeout", SO(so_idle_timeout), false },
		{ "metrics", SO(so_metrics), true },
		{ "control-socket", SO(so_control), true },
	};
	const char *a = (const char *)run, *b = (const char *)now;
	bool differ;
	size_t i;

	differ = run->so_nlisten != now->so_nlisten;
	for (i = 0; !differ && i < run->so_nlisten; i++)
		differ = strcmp(run->so_listen[i], now->so_listen[i]) != 0;
	if (differ)
		log_warnx("SIGHUP: listen changed: needs a restart (still on the old addresses)");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		differ = f[i].str ? strcmp(a + f[i].off, b + f[i].off) != 0 :
		    memcmp(a + f[i].off, b + f[i].off, f[i].len) != 0;
		if (differ)
			log_warnx("SIGHUP: %s changed: needs a restart (the old value stays)",
			    f[i].name);
	}
}

/* devices only limit new handlers: taken at once */
static void
devices_apply(struct server *s, const struct srv_opts *now)
{
	if (s->s_opts.so_ndevs == now->so_ndevs && memcmp(s->s_opts.so_devs, now->so_devs,
	    now->so_ndevs * sizeof(now->so_devs[0])) == 0)
		return;
	memcpy(s->s_opts.so_devs, now->so_devs, sizeof(now->so_devs));
	s->s_opts.so_ndevs = now->so_ndevs;
	log_info("SIGHUP: devices now: %zu (handlers already running keep theirs)",
	    now->so_ndevs);
}

static void
apply(struct reload *r, struct conf *cf, bool start)
{
	struct server *s = r->r_srv;
	struct tally t;

	memset(&t, 0, sizeof(t));
	if (s->s_vnat)
		vnat_diff(s->s_vnat, r->r_cf ? &r->r_cf->cf_opts : &none, &cf->cf_opts);
	handlers_diff(s, cf, &t);
	if (start) {
		if (cf->cf_nh)
			log_info("%zu standing handler(s) from %s", cf->cf_nh, cf->cf_opts.so_config);
		return;
	}
	log_info("SIGHUP: %s re-read: handlers: %u added, %u removed, %u changed, %u unchanged",
	    cf->cf_opts.so_config, t.t_added - t.t_changed, t.t_removed, t.t_changed, t.t_kept);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct reload *r = arg;
	struct conf *cf;
	char err[700];

	(void)sig;
	(void)what;
	if (r->r_srv->s_opts.so_config[0] == '\0') {
		log_warnx("SIGHUP: no configuration file (--config): nothing to re-read");
		return;
	}
	if (conf_load(r->r_argc, r->r_argv, &cf, err, sizeof(err)) != 0) {
		log_warnx("SIGHUP: refused, nothing changed: %s", err);
		return;
	}
	restart_notes(&r->r_srv->s_opts, &cf->cf_opts);
	devices_apply(r->r_srv, &cf->cf_opts);
	apply(r, cf, false);
	conf_free(r->r_cf);
	r->r_cf = cf;
}

int
reload_start(struct server *s, struct conf *cf, int argc, char **argv)
{
	struct reload *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return -1;
	r->r_srv = s;
	r->r_argc = argc;
	r->r_argv = argv;
	if ((r->r_sig = evsignal_new(s->s_base, SIGHUP, on_hup, r)) == NULL ||
	    evsignal_add(r->r_sig, NULL) != 0) {
		if (r->r_sig)
			event_free(r->r_sig);
		free(r);
		return -1;
	}
	s->s_reload = r;
	apply(r, cf, true);
	r->r_cf = cf;
	return 0;
}

void
reload_stop(struct server *s)
{
	struct reload *r = s->s_reload;

	if (r == NULL)
		return;
	event_free(r->r_sig);
	conf_free(r->r_cf);
	free(r);
	s->s_reload = NULL;
}
