/* sweep: remove what closed connections leave. */
#include "vnat/sweep.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/helper.h"
#include "vnat/kept.h"
#include "vnat/sockdiag.h"

static int
mark_alive(const struct sd_conn *c, void *arg)
{
	struct vnat *v = arg;
	struct nftx_tr k;
	struct vtab_ent *e;

	if (c->sc_proto == IPPROTO_TCP && c->sc_state == TCP_TIME_WAIT)
		return 0;	/* the application is done with it */
	conns_identity(c, &k);
	if ((e = vtab_find(&v->v_trs, &k)) != NULL)
		e->ve_mark = 1;
	if ((e = vtab_find(&v->v_peer_susp, &k)) != NULL)
		e->ve_mark = 1;
	if ((e = vtab_find(&v->v_keys, &k)) != NULL)
		e->ve_mark = 1;
	if ((e = vtab_find(&v->v_helped, &k)) != NULL)
		e->ve_mark = 1;
	return 0;
}

int
sweep_now(struct vnat *v)
{
	struct vtab_ent *e, *next;
	struct nftx_tr *gone = NULL;
	size_t n = 0;
	char err[256];

	if (v->v_resume || (v->v_trs.vt_n == 0 && v->v_nkept == 0 && v->v_peer_susp.vt_n == 0 &&
	    v->v_keys.vt_n == 0 && v->v_helped.vt_n == 0))
		return 0;	/* a RESUME owns the table until it ends */
	TAILQ_FOREACH(e, &v->v_trs.vt_all, ve_all)
		e->ve_mark = 0;
	TAILQ_FOREACH(e, &v->v_peer_susp.vt_all, ve_all)
		e->ve_mark = 0;
	TAILQ_FOREACH(e, &v->v_keys.vt_all, ve_all)
		e->ve_mark = 0;
	TAILQ_FOREACH(e, &v->v_helped.vt_all, ve_all)
		e->ve_mark = 0;
	for (int proto = 6; proto <= 17; proto += 11)
		for (int af = 0; af < 2; af++)
			if (sd_dump(af ? AF_INET6 : AF_INET, (uint8_t)proto, mark_alive, v) != 0) {
				log_warn("vnat: sweep: sock_diag");
				return -1;	/* never remove on a partial view */
			}
	/* suspended by a peer, or keyed, and closed since */
	for (e = TAILQ_FIRST(&v->v_peer_susp.vt_all); e; e = next) {
		next = TAILQ_NEXT(e, ve_all);
		if (!e->ve_mark)
			vtab_del(&v->v_peer_susp, e);
	}
	for (e = TAILQ_FIRST(&v->v_keys.vt_all); e; e = next) {
		next = TAILQ_NEXT(e, ve_all);
		if (!e->ve_mark)
			vtab_del(&v->v_keys, e);
	}
	for (e = TAILQ_FIRST(&v->v_helped.vt_all); e; e = next) {
		next = TAILQ_NEXT(e, ve_all);
		if (!e->ve_mark)
			helper_resume(v, &e->ve_tr, "its connection closed");
	}
	if (v->v_trs.vt_n && (gone = calloc(v->v_trs.vt_n, sizeof(*gone))) == NULL)
		return -1;
	TAILQ_FOREACH(e, &v->v_trs.vt_all, ve_all)
		if (!e->ve_mark)
			gone[n++] = e->ve_tr;
	if (n && vnat_remove(v, gone, n, err, sizeof(err)) != 0) {
		log_warnx("vnat: sweep: %s", err);
		free(gone);
		return -1;
	}
	free(gone);
	if (n)
		log_info("vnat: %zu translation(s) removed: their connections closed (%zu left)", n,
		    v->v_trs.vt_n);
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

	if ((v->v_sweep = event_new(v->v_base, -1, EV_PERSIST, on_timer, v)) == NULL)
		return -1;
	return event_add(v->v_sweep, &tv);
}

void
sweep_stop(struct vnat *v)
{
	if (v->v_sweep) {
		event_free(v->v_sweep);
		v->v_sweep = NULL;
	}
}
