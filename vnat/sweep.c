/* sweep: remove what closed connections leave. */
#include "vnat/sweep.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/core.h"
#include "vnat/flows.h"
#include "vnat/sockdiag.h"

/* the tables whose entries live as long as their connection */
enum { T_TRS, T_PEER_SUSP, T_KEYS, T_HELPED, T_N };

static void
tables(struct vnat *v, struct vtab *t[T_N])
{
	t[T_TRS] = vnat_table(v);
	t[T_PEER_SUSP] = endpoint_susp_table(v);
	t[T_KEYS] = keys_table(v);
	t[T_HELPED] = helper_table(v);
}

static int
mark_alive(const struct sd_conn *c, void *arg)
{
	struct vtab **t = arg;
	struct vnat_tuple k;
	struct vtab_ent *e;

	if (c->sc_proto == IPPROTO_TCP && c->sc_state == TCP_TIME_WAIT)
		return 0;	/* the application is done with it */
	conns_identity(c, &k);
	for (int i = 0; i < T_N; i++)
		if ((e = vtab_find(t[i], &k)) != NULL)
			e->ve_alive = true;
	return 0;
}

int
sweep_now(struct vnat *v)
{
	struct vtab *t[T_N];
	struct vtab_ent *e, *next;
	struct vnat_tuple *gone = NULL;
	size_t n = 0, any = kept_count(v);
	char err[256];

	tables(v, t);
	for (int i = 0; i < T_N; i++) {
		any += t[i]->vt_n;
		TAILQ_FOREACH(e, &t[i]->vt_all, ve_all)
			e->ve_alive = false;
	}
	if (op_running(v, OP_RESUME) || any == 0)
		return 0;	/* a RESUME owns the table until it ends */
	flows_repin(v);		/* suspended UDP flows */
	if (sd_dump_all(mark_alive, NULL, t) != 0) {
		log_warn("vnat: sweep: sock_diag");
		return -1;	/* never remove on a partial view */
	}
	flows_mark_alive(t, T_N);	/* UDP flows of unconnected sockets */
	/* suspended by a peer, keyed or helped, and closed since */
	for (int i = T_PEER_SUSP; i < T_N; i++)
		for (e = TAILQ_FIRST(&t[i]->vt_all); e; e = next) {
			next = TAILQ_NEXT(e, ve_all);
			if (e->ve_alive)
				continue;
			if (i == T_HELPED)
				helper_resume(v, &e->ve_tr, "its connection closed");
			else
				vtab_del(t[i], e);
			if (i == T_KEYS)
				state_changed(v);
		}
	if (t[T_TRS]->vt_n && (gone = calloc(t[T_TRS]->vt_n, sizeof(*gone))) == NULL)
		return -1;
	TAILQ_FOREACH(e, &t[T_TRS]->vt_all, ve_all)
		if (!e->ve_alive)
			gone[n++] = e->ve_tr;
	if (n && vnat_remove(v, gone, n, err, sizeof(err)) != 0) {
		log_warnx("vnat: sweep: %s", err);
		free(gone);
		return -1;
	}
	free(gone);
	if (n)
		log_info("vnat: %zu translation(s) removed: their connections closed (%zu left)", n,
		    t[T_TRS]->vt_n);
	kept_release_unused(v);
	return (int)n;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sweep_now(arg);
}

int
sweep_start(struct vnat *v)
{
	struct timeval tv = { VNAT_SWEEP_MS / 1000, (VNAT_SWEEP_MS % 1000) * 1000 };

	if ((v->v_sweep.sw_timer = event_new(v->v_base, -1, EV_PERSIST, on_timer, v)) == NULL)
		return -1;
	return event_add(v->v_sweep.sw_timer, &tv);
}

void
sweep_stop(struct vnat *v)
{
	if (v->v_sweep.sw_timer) {
		event_free(v->v_sweep.sw_timer);
		v->v_sweep.sw_timer = NULL;
	}
}
