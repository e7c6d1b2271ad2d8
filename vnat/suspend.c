/* suspend: record the state, tell the peers. */
#include "vnat/suspend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/vcmp.h"
#include "vnat/xchg.h"

struct suspend {
	struct vnat	*s_v;
	resume_done_cb	 s_done;
	void		*s_arg;
	struct xchg	*s_x;
	struct event	*s_ev;		/* reports an empty SUSPEND from the loop */
	size_t		 s_n;
};

static void
op_free(struct suspend *s)
{
	xchg_free(s->s_x);
	if (s->s_ev)
		event_free(s->s_ev);
	s->s_v->v_suspend = NULL;
	free(s);
}

static void
told(void *arg, struct vnat_tuple *t, const bool *ok, size_t n, unsigned npeers,
    unsigned unreachable)
{
	struct suspend *s = arg;
	char text[256];
	size_t k = 0;

	(void)t;
	for (size_t i = 0; i < n; i++)
		k += ok[i];
	snprintf(text, sizeof(text), "suspended %zu connection(s); %u of %u peer(s) told, %zu "
	    "connection(s) confirmed", s->s_n, npeers - unreachable, npeers, k);
	log_info("vnat: SUSPEND: %s", text);
	if (s->s_done)
		s->s_done(s->s_arg, true, text);
	op_free(s);
}

static void
told_nobody(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	told(arg, NULL, NULL, 0, 0, 0);
}

/* this host's virtual connections as translations (identity when never moved) */
static int
record(struct vnat *v, struct vnat_tuple **out, char *err, size_t errlen)
{
	struct vconn *vc = NULL;
	int n = conns_collect(v->v_procs, v->v_nprocs, &vc, NULL);
	struct vnat_tuple *t;

	if (n < 0) {
		snprintf(err, errlen, "cannot list connections: %s", strerror(errno));
		return -1;
	}
	if ((t = calloc((size_t)n + 1, sizeof(*t))) == NULL) {
		free(vc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const struct vnat_tuple *cur;
		bool created;
		conns_identity(&vc[i].vc_c, &t[i]);
		if ((cur = vnat_find(v, &t[i])) != NULL)
			t[i] = *cur;
		if (vtab_put(&v->v_susp, &t[i], &created) == NULL) {
			vtab_clear(&v->v_susp);
			free(vc);
			free(t);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	free(vc);
	*out = t;
	return n;
}

int
suspend_start(struct vnat *v, resume_done_cb done, void *arg, char *err, size_t errlen)
{
	struct suspend *s;
	struct vnat_tuple *t;
	int n;

	if (v->v_resume || v->v_suspend) {
		snprintf(err, errlen, "a %s is running already", v->v_resume ? "RESUME" : "SUSPEND");
		return -1;
	}
	if (v->v_suspended) {
		snprintf(err, errlen, "suspended already, %.0f s ago (RESUME first)",
		    difftime(time(NULL), v->v_susp_at));
		return -1;
	}
	if (v->v_nprocs == 0) {
		snprintf(err, errlen, "nothing to suspend: no process is on the VNAT list (VNAT ADD)");
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->s_v = v;
	if ((n = record(v, &t, err, errlen)) < 0) {
		free(s);
		return -1;
	}
	v->v_suspend = s;
	v->v_suspended = true;
	v->v_susp_at = time(NULL);
	s->s_done = done;
	s->s_arg = arg;
	s->s_n = (size_t)n;
	if (n == 0) {
		free(t);
		if ((s->s_ev = evtimer_new(v->v_base, told_nobody, s)) == NULL)
			goto oom;
		event_active(s->s_ev, EV_TIMEOUT, 1);
		return 0;
	}
	if ((s->s_x = xchg_start(v, VCMP_SUS, t, (size_t)n, told, s)) == NULL)
		goto oom;
	log_info("vnat: SUSPEND: %d connection(s) with %zu peer(s)", n, xchg_npeers(s->s_x));
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	vtab_clear(&v->v_susp);
	v->v_suspended = false;
	op_free(s);
	return -1;
}

void
suspend_detach(struct vnat *v)
{
	if (v->v_suspend)
		v->v_suspend->s_done = NULL;
}

void
suspend_abort(struct vnat *v)
{
	if (v->v_suspend)
		op_free(v->v_suspend);
}
