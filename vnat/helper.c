/* helper: act for a peer's suspended connections, and undo it. */
#include "vnat/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fd.h"
#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/policy.h"
#include "vnat/core.h"
#include "vnat/sockdiag.h"

struct helped {
	uint8_t	 h_kind;
	pid_t	 h_pid;
	char	 h_comm[16];
	int	 h_fd;			/* keepalive: the owner's descriptor of the socket, */
	uint32_t h_inode;		/* and its inode (no copy is kept open) */
	int	 h_keepalive;		/* keepalive: the values to restore */
	unsigned h_user_timeout;
	bool	 h_draining;		/* keepalive: resumed, restored once nothing is
					 * retransmitted (on_drain) */
	struct timespec h_drain_since;
	char	 h_path[256];		/* exec */
};

/* the modes that are one word; exec: takes a path; default (HK_DEFAULT)
 * only in VNAT HELPER, to remove a name's own entry */
static const struct policy_word words[] = {
	{ "keepalive", HK_KEEPALIVE }, { "stop", HK_STOP }, { "stop-always", HK_STOP_ALWAYS },
	{ "none", HK_NONE }, { "default", HK_DEFAULT },
};

/* what applies to a process that has no entry while "*" has none either */
static const struct helper_conf builtin = { "*", HK_KEEPALIVE, "" };

int
helper_parse(const char *mode, enum helper_kind *kind, char *path, size_t len, char *err,
    size_t errlen)
{
	int k = policy_parse(words, sizeof(words) / sizeof(words[0]), mode);
	char use[128];

	path[0] = '\0';
	if (k >= 0) {
		*kind = (enum helper_kind)k;
		return 0;
	}
	if (strncmp(mode, "exec:", 5) == 0 && mode[5] == '/' && strlen(mode + 5) < len) {
		*kind = HK_EXEC;
		memcpy(path, mode + 5, strlen(mode + 5) + 1);
		return 0;
	}
	snprintf(err, errlen, "helper '%.60s': %s (at most %zu characters)", mode,
	    policy_choices(words, sizeof(words) / sizeof(words[0]), "exec:/absolute/path", use,
	    sizeof(use)), len - 1);
	return -1;
}

const struct helper_conf *
helper_for(const struct vnat *v, const char *comm)
{
	const struct helper_part *hs = &v->v_help;
	const struct helper_conf *any = NULL;

	for (size_t i = 0; i < hs->hs_nconf; i++) {
		if (strcmp(hs->hs_conf[i].hc_name, comm) == 0)
			return &hs->hs_conf[i];
		if (strcmp(hs->hs_conf[i].hc_name, "*") == 0)
			any = &hs->hs_conf[i];
	}
	return any ? any : &builtin;
}

/* whether "*" has an entry of its own */
static bool
star_set(const struct vnat *v)
{
	for (size_t i = 0; i < v->v_help.hs_nconf; i++)
		if (strcmp(v->v_help.hs_conf[i].hc_name, "*") == 0)
			return true;
	return false;
}

size_t
helper_count(const struct vnat *v)
{
	return v->v_help.hs_nconf + !star_set(v);
}

void
helper_format(const struct vnat *v, size_t i, char *out, size_t len)
{
	const struct helper_conf *c = i < v->v_help.hs_nconf ? &v->v_help.hs_conf[i] : &builtin;

	if (c->hc_kind == HK_EXEC)
		snprintf(out, len, "%s exec:%s", c->hc_name, c->hc_path);
	else
		snprintf(out, len, "%s %s", c->hc_name, policy_word(words,
		    sizeof(words) / sizeof(words[0]), c->hc_kind));
}

int
helper_set(struct vnat *v, const char *name, const char *mode, char *err, size_t errlen)
{
	struct helper_part *hs = &v->v_help;
	enum helper_kind kind;
	char path[256];
	size_t i;

	if (strlen(name) >= sizeof(hs->hs_conf[0].hc_name)) {
		snprintf(err, errlen, "process name '%.40s' is longer than 15 characters", name);
		return -1;
	}
	if (helper_parse(mode, &kind, path, sizeof(path), err, errlen) != 0)
		return -1;
	for (i = 0; i < hs->hs_nconf; i++)
		if (strcmp(hs->hs_conf[i].hc_name, name) == 0)
			break;
	if (kind == HK_DEFAULT) {	/* "*", or the built-in keepalive, applies again */
		if (i < hs->hs_nconf)
			hs->hs_conf[i] = hs->hs_conf[--hs->hs_nconf];
		return 0;
	}
	if (i == hs->hs_nconf) {
		if (hs->hs_nconf == VNAT_PROCS_MAX) {
			snprintf(err, errlen, "at most %d helpers", VNAT_PROCS_MAX);
			return -1;
		}
		hs->hs_nconf++;
	}
	snprintf(hs->hs_conf[i].hc_name, sizeof(hs->hs_conf[i].hc_name), "%s", name);
	hs->hs_conf[i].hc_kind = (uint8_t)kind;
	memcpy(hs->hs_conf[i].hc_path, path, sizeof(path));
	log_info("vnat: helper for %s: %s", name, mode);
	return 0;
}

static void
ends(const struct vnat_tuple *t, char *l, char *r, size_t len)
{
	tuple_end_text(t->t_family, t->t_lvir, t->t_lvir_port, l, len);
	tuple_end_text(t->t_family, t->t_rvir, t->t_rvir_port, r, len);
}

/* An exec helper's program while it runs, known by its pidfd: the pidfd
 * names that process and no other, even after it ended and its PID was
 * given to another; the PID is only logged.  Reaped through the pidfd
 * alone (waitid P_PIDFD), never by waitpid(-1). */
struct helper_prog {
	TAILQ_ENTRY(helper_prog) hp_entry;
	struct vnat	*hp_v;		/* NULL until listed in hs_progs */
	int		 hp_pidfd;
	pid_t		 hp_pid;
	struct event	*hp_exit;	/* hp_pidfd readable: the program ended */
	struct event	*hp_limit;	/* HELPER_EXEC_TIMEOUT_S */
};

static void
prog_free(struct helper_prog *p)
{
	if (p->hp_v)
		TAILQ_REMOVE(&p->hp_v->v_help.hs_progs, p, hp_entry);
	if (p->hp_exit)
		event_free(p->hp_exit);
	if (p->hp_limit)
		event_free(p->hp_limit);
	if (p->hp_pidfd >= 0)
		close(p->hp_pidfd);
	free(p);
}

/* collects the program's status if it ended; true when it is gone */
static bool
prog_reap(struct helper_prog *p)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)p->hp_pidfd, &si, WEXITED | WNOHANG) != 0) {
		log_warn("vnat: helper program %d: waitid", (int)p->hp_pid);
		return true;	/* not ours to wait for: nothing more to learn */
	}
	if (si.si_pid == 0)
		return false;
	if (si.si_code == CLD_EXITED && si.si_status == 0)
		log_debug("vnat: helper program %d done", (int)p->hp_pid);
	else if (si.si_code == CLD_EXITED)
		log_warnx("vnat: helper program %d failed with status %d", (int)p->hp_pid,
		    si.si_status);
	else
		log_warnx("vnat: helper program %d killed by signal %d", (int)p->hp_pid,
		    si.si_status);
	return true;
}

static void
on_prog_exit(evutil_socket_t fd, short what, void *arg)
{
	struct helper_prog *p = arg;

	(void)fd;
	(void)what;
	if (prog_reap(p))
		prog_free(p);	/* its time limit goes with it */
}

static void
on_prog_limit(evutil_socket_t fd, short what, void *arg)
{
	struct helper_prog *p = arg;

	(void)fd;
	(void)what;
	if (prog_reap(p)) {	/* it ended in this very loop turn */
		prog_free(p);
		return;
	}
	log_warnx("vnat: helper program (pid %d) still running after %d s: killed",
	    (int)p->hp_pid, HELPER_EXEC_TIMEOUT_S);
	/* on_prog_exit reaps it */
	if (syscall(SYS_pidfd_send_signal, p->hp_pidfd, SIGKILL, NULL, 0) != 0)
		log_warn("vnat: helper program %d: pidfd_send_signal", (int)p->hp_pid);
}

/* In the child, signals still blocked: every disposition back to its
 * default (vnet ignores SIGPIPE, libevent catches SIGCHLD's kin), then wait
 * until the parent watches us (gate: a byte, or end of file to give up),
 * keep only standard input, output and error, and run argv[0] with an
 * empty signal mask. */
static void __attribute__((noreturn))
prog_exec(int gate, char *const argv[])
{
	struct sigaction dfl;
	sigset_t none;
	char go;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);	/* refused for SIGKILL, SIGSTOP: fine */
	if (read(gate, &go, 1) != 1 || fd_close_from(3) != 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	_exit(127);
}

/* the parent's half: watch the child through a pidfd, then open the gate */
static void
prog_watch(struct vnat *v, struct helper_prog *p, int gate)
{
	struct timeval tv = { HELPER_EXEC_TIMEOUT_S, 0 };

	if ((p->hp_pidfd = (int)syscall(SYS_pidfd_open, p->hp_pid, 0)) < 0 ||
	    (p->hp_exit = event_new(v->v_base, p->hp_pidfd, EV_READ | EV_PERSIST, on_prog_exit,
	    p)) == NULL || (p->hp_limit = evtimer_new(v->v_base, on_prog_limit, p)) == NULL ||
	    event_add(p->hp_exit, NULL) != 0 || evtimer_add(p->hp_limit, &tv) != 0) {
		log_warn("vnat: helper program %d cannot be watched: not run", (int)p->hp_pid);
		close(gate);	/* end of file: the child exits at once, */
		waitpid(p->hp_pid, NULL, 0);	/* so this does not wait long */
		prog_free(p);
		return;
	}
	if (write(gate, "", 1) != 1)	/* the child died already: on_prog_exit tells */
		log_warn("vnat: helper program %d: its gate", (int)p->hp_pid);
	close(gate);
	p->hp_v = v;
	TAILQ_INSERT_TAIL(&v->v_help.hs_progs, p, hp_entry);
}

static void
run(struct vnat *v, const struct helped *h, const struct vnat_tuple *t, const char *event)
{
	char l[64], r[64], pids[16];
	const char *proto = t->t_proto == IPPROTO_UDP ? "udp" : "tcp";
	struct helper_prog *p;
	sigset_t all, old;
	int gate[2];
	pid_t pid;

	ends(t, l, r, sizeof(l));
	snprintf(pids, sizeof(pids), "%d", (int)h->h_pid);
	if ((p = calloc(1, sizeof(*p))) == NULL || pipe2(gate, O_CLOEXEC) != 0) {
		log_warn("vnat: helper %s", h->h_path);
		free(p);
		return;
	}
	p->hp_pidfd = -1;
	/* no handler of vnet's may run in the child (libevent's would write to
	 * the socket pair it shares with us) */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) == 0) {
		char *argv[] = { (char *)(uintptr_t)h->h_path, (char *)(uintptr_t)event,
		    (char *)(uintptr_t)proto, l, r, NULL };
		setenv("VNAT_EVENT", event, 1);
		setenv("VNAT_PROTO", proto, 1);
		setenv("VNAT_LOCAL", l, 1);
		setenv("VNAT_REMOTE", r, 1);
		setenv("VNAT_PID", pids, 1);
		setenv("VNAT_COMM", h->h_comm, 1);
		prog_exec(gate[0], argv);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(gate[0]);
	if (pid < 0) {
		log_warn("vnat: helper %s", h->h_path);
		close(gate[1]);
		free(p);
		return;
	}
	log_info("vnat: helper %s %s %s %s %s (pid %d)", h->h_path, event, proto, l, r, (int)pid);
	p->hp_pid = pid;
	prog_watch(v, p, gate[1]);
}

int
helper_start(struct vnat *v)
{
	vtab_init(&v->v_help.hs_helped);
	TAILQ_INIT(&v->v_help.hs_progs);
	return 0;
}

/* whether pid holds a connected socket whose connection is not suspended */
static int
serves_others(struct vnat *v, pid_t pid);

/* a copy of h's socket, from its owner, if that descriptor is still the
 * socket the helper started for; -1 otherwise */
static int
socket_of(const struct helped *h)
{
	int pidfd = (int)syscall(SYS_pidfd_open, h->h_pid, 0), s;

	if (pidfd < 0)
		return -1;
	s = sd_sock_copy(pidfd, h->h_fd, h->h_inode);
	close(pidfd);
	return s;
}

/* SO_KEEPALIVE off, TCP_USER_TIMEOUT a day, the old values kept in h; the
 * copy of the socket is closed again at once, so that the owner's close
 * still closes the connection */
static int
keepalive_on(struct helped *h)
{
	int s = socket_of(h), off = 0, rc = -1;
	unsigned day = HELPER_KEEPALIVE_MS;
	socklen_t l1 = sizeof(h->h_keepalive), l2 = sizeof(h->h_user_timeout);

	if (s < 0)
		return -1;
	if (getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &h->h_keepalive, &l1) == 0 &&
	    getsockopt(s, IPPROTO_TCP, TCP_USER_TIMEOUT, &h->h_user_timeout, &l2) == 0 &&
	    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &off, sizeof(off)) == 0 &&
	    setsockopt(s, IPPROTO_TCP, TCP_USER_TIMEOUT, &day, sizeof(day)) == 0)
		rc = 0;
	close(s);
	return rc;
}

/* the old values back on h's socket, if it is still there */
static void
keepalive_off(const struct helped *h, const char *why)
{
	int s = socket_of(h);

	if (s < 0) {
		log_debug("vnat: keepalive helper: %s (pid %d): the socket is gone (%s)", h->h_comm,
		    (int)h->h_pid, why);
		return;
	}
	if (setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &h->h_keepalive, sizeof(h->h_keepalive)) != 0 ||
	    setsockopt(s, IPPROTO_TCP, TCP_USER_TIMEOUT, &h->h_user_timeout,
	    sizeof(h->h_user_timeout)) != 0)
		log_warn("vnat: keepalive helper: restoring %s's socket", h->h_comm);
	else
		log_info("vnat: keepalive helper: %s (pid %d) restored (%s)", h->h_comm,
		    (int)h->h_pid, why);
	close(s);
}

/* whether h's socket still retransmits what it sent while suspended: its
 * old TCP_USER_TIMEOUT (0: tcp_retries2) back now would count the whole
 * suspension against it at the next retransmission timer, and end the
 * connection there; false when the socket is gone */
static bool
retransmitting(const struct helped *h)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	int s = socket_of(h);
	bool r;

	if (s < 0)
		return false;
	memset(&ti, 0, sizeof(ti));
	r = getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &l) == 0 && ti.tcpi_retransmits > 0;
	close(s);
	return r;
}

static double
secs_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_drain(evutil_socket_t fd, short what, void *arg);

/* the drain timer pending; 0, or -1 when there is no loop to wait on */
static int
drain_arm(struct vnat *v)
{
	struct helper_part *hs = &v->v_help;
	struct timeval tv = { 0, HELPER_DRAIN_TICK_MS * 1000 };

	if (hs->hs_drain == NULL && v->v_base)
		hs->hs_drain = evtimer_new(v->v_base, on_drain, v);
	if (hs->hs_drain == NULL)
		return -1;
	return evtimer_pending(hs->hs_drain, NULL) ? 0 : evtimer_add(hs->hs_drain, &tv);
}

/* the helped connections that wait for their retransmissions to be
 * acknowledged: restored when they are, when the socket is gone, or after
 * HELPER_DRAIN_S */
static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct vnat *v = arg;
	struct vtab_ent *e, *next;
	bool more = false;
	char why[96];

	(void)fd;
	(void)what;
	for (e = TAILQ_FIRST(&v->v_help.hs_helped.vt_all); e; e = next) {
		struct helped *h = e->ve_helped;
		double s;
		next = TAILQ_NEXT(e, ve_all);
		if (h == NULL || !h->h_draining)
			continue;
		s = secs_since(&h->h_drain_since);
		if (s < HELPER_DRAIN_S && retransmitting(h)) {
			more = true;
			continue;
		}
		snprintf(why, sizeof(why), "resumed; %s after %.1f s", s < HELPER_DRAIN_S ?
		    "its retransmissions acknowledged" : "still retransmitting", s);
		keepalive_off(h, why);
		free(h);
		e->ve_helped = NULL;
		vtab_del(&v->v_help.hs_helped, e);
	}
	if (more && drain_arm(v) != 0)
		log_warnx("vnat: keepalive helper: cannot arm its timer");
}

/* the helper of the connection t of process o; on the mover (SUSPEND on
 * this host) only keepalive applies: its own transport must not give up
 * either, but its processes are the user's to stop or run */
static void
suspend_one(struct vnat *v, const struct vnat_tuple *t, uint32_t inode, const struct sd_owner o,
    bool mover)
{
	const struct helper_conf *c = helper_for(v, o.so_comm);
	struct helped *h;
	struct vtab_ent *e;
	bool created;
	char l[64], r[64];

	/* keepalive is TCP's alone: nothing to keep for UDP */
	if (c->hc_kind == HK_NONE || (mover && c->hc_kind != HK_KEEPALIVE) ||
	    (c->hc_kind == HK_KEEPALIVE && t->t_proto != IPPROTO_TCP))
		return;
	ends(t, l, r, sizeof(l));
	if ((e = vtab_put(&v->v_help.hs_helped, t, &created)) != NULL && !created) {
		h = e->ve_helped;	/* helped already; suspended again before its restore */
		if (h && h->h_draining) {
			h->h_draining = false;
			log_info("vnat: keepalive helper: %s (pid %d) %s <-> %s: held again", h->h_comm,
			    (int)h->h_pid, l, r);
		}
		return;
	}
	if (e == NULL || (h = calloc(1, sizeof(*h))) == NULL) {
		if (e && created)
			vtab_del(&v->v_help.hs_helped, e);
		return;
	}
	h->h_kind = c->hc_kind;
	h->h_pid = o.so_pid;
	h->h_fd = o.so_fd;
	h->h_inode = inode;
	memcpy(h->h_comm, o.so_comm, sizeof(h->h_comm));
	memcpy(h->h_path, c->hc_path, sizeof(h->h_path));
	e->ve_helped = h;
	switch (h->h_kind) {
	case HK_KEEPALIVE:
		if (keepalive_on(h) != 0) {
			log_warn("vnat: keepalive helper for %s (pid %d) %s <-> %s", o.so_comm,
			    (int)o.so_pid, l, r);
			break;
		}
		log_info("vnat: keepalive helper%s: %s (pid %d) %s <-> %s: keepalive off, "
		    "TCP_USER_TIMEOUT %u ms (were %d, %u)", mover ? " (suspended here)" : "",
		    o.so_comm, (int)o.so_pid, l, r, HELPER_KEEPALIVE_MS, h->h_keepalive,
		    h->h_user_timeout);
		return;
	case HK_STOP:
	case HK_STOP_ALWAYS:
		if (h->h_kind == HK_STOP && serves_others(v, o.so_pid)) {
			log_warnx("vnat: stop helper: %s (pid %d) also serves connections that are not "
			    "suspended: not stopped (stop-always would)", o.so_comm, (int)o.so_pid);
			break;
		}
		if (kill(o.so_pid, SIGSTOP) != 0) {
			log_warn("vnat: stop helper: SIGSTOP %d", (int)o.so_pid);
			break;
		}
		log_info("vnat: stop helper: %s (pid %d) stopped for %s <-> %s", o.so_comm,
		    (int)o.so_pid, l, r);
		return;
	case HK_EXEC:
		run(v, h, t, "suspend");
		return;
	}
	e->ve_helped = NULL;	/* nothing to undo */
	free(h);
	vtab_del(&v->v_help.hs_helped, e);
}

struct owners {
	uint32_t	*o_inode;	/* sorted */
	struct sd_owner	*o_own;		/* so_pid 0: none found yet */
	size_t		 o_n;
};

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
owner_of(uint32_t inode, pid_t pid, int fd, const char *comm, void *arg)
{
	struct owners *o = arg;
	uint32_t *hit = bsearch(&inode, o->o_inode, o->o_n, sizeof(inode), cmp_u32);

	if (hit && o->o_own[hit - o->o_inode].so_pid == 0) {
		struct sd_owner *w = &o->o_own[hit - o->o_inode];
		w->so_pid = pid;
		w->so_fd = fd;
		snprintf(w->so_comm, sizeof(w->so_comm), "%s", comm);
	}
}

/* whether any process name may have a helper that acts (then /proc is
 * walked) */
static bool
any_helper(const struct vnat *v, bool mover)
{
	for (size_t i = 0; i < helper_count(v); i++) {
		const struct helper_conf *c = i < v->v_help.hs_nconf ? &v->v_help.hs_conf[i] :
		    &builtin;
		if (mover ? c->hc_kind == HK_KEEPALIVE : c->hc_kind != HK_NONE)
			return true;
	}
	return false;
}

static void
activate(struct vnat *v, const struct vnat_tuple *t, const uint32_t *inode, size_t n, bool mover)
{
	struct owners o = { calloc(n ? n : 1, sizeof(*o.o_inode)),
	    calloc(n ? n : 1, sizeof(*o.o_own)), n };

	/* nothing that acts: not even a look at /proc */
	if (n == 0 || !any_helper(v, mover) || o.o_inode == NULL || o.o_own == NULL)
		goto out;
	memcpy(o.o_inode, inode, n * sizeof(*inode));
	qsort(o.o_inode, n, sizeof(*o.o_inode), cmp_u32);
	/* one walk of /proc for all of them */
	if (sd_owners_scan(owner_of, &o) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t *hit = bsearch(&inode[i], o.o_inode, n, sizeof(*inode), cmp_u32);
		if (hit && o.o_own[hit - o.o_inode].so_pid)
			suspend_one(v, &t[i], inode[i], o.o_own[hit - o.o_inode], mover);
	}
out:
	free(o.o_inode);
	free(o.o_own);
}

void
helper_suspend(struct vnat *v, const struct vnat_tuple *t, const uint32_t *inode, size_t n)
{
	activate(v, t, inode, n, false);
}

void
helper_hold(struct vnat *v, const struct vnat_tuple *t, const uint32_t *inode, size_t n)
{
	activate(v, t, inode, n, true);
}

/* another helped connection still holds pid stopped */
static int
stopped_by_other(struct vnat *v, const struct vtab_ent *self, pid_t pid)
{
	struct vtab_ent *e;

	TAILQ_FOREACH(e, &v->v_help.hs_helped.vt_all, ve_all) {
		const struct helped *h = e->ve_helped;
		if (e != self && h && (h->h_kind == HK_STOP || h->h_kind == HK_STOP_ALWAYS) &&
		    h->h_pid == pid)
			return 1;
	}
	return 0;
}

/* undoes what e's helper did; false when it waits instead (wait: a
 * keepalive helper whose socket still retransmits is restored later, by
 * on_drain) */
static bool
undo(struct vnat *v, struct vtab_ent *e, const char *why, bool wait)
{
	struct helped *h = e->ve_helped;

	if (h == NULL)
		return true;
	switch (h->h_kind) {
	case HK_KEEPALIVE:
		if (wait && retransmitting(h) && drain_arm(v) == 0) {
			if (!h->h_draining)
				log_info("vnat: keepalive helper: %s (pid %d) still retransmitting (%s): "
				    "restored once that is acknowledged, at most %d s", h->h_comm,
				    (int)h->h_pid, why, HELPER_DRAIN_S);
			if (!h->h_draining)
				clock_gettime(CLOCK_MONOTONIC, &h->h_drain_since);
			h->h_draining = true;
			return false;
		}
		keepalive_off(h, why);
		break;
	case HK_STOP:
	case HK_STOP_ALWAYS:
		if (stopped_by_other(v, e, h->h_pid))
			break;
		if (kill(h->h_pid, SIGCONT) != 0)
			log_warnx("vnat: stop helper: %s (pid %d) exited while stopped", h->h_comm,
			    (int)h->h_pid);
		else
			log_info("vnat: stop helper: %s (pid %d) continued (%s)", h->h_comm,
			    (int)h->h_pid, why);
		break;
	case HK_EXEC:
		run(v, h, &e->ve_tr, "resume");
		break;
	}
	free(h);
	e->ve_helped = NULL;
	return true;
}

void
helper_resume(struct vnat *v, const struct vnat_tuple *t, const char *why)
{
	struct vtab_ent *e = vtab_find(&v->v_help.hs_helped, t);

	if (e && undo(v, e, why, true))
		vtab_del(&v->v_help.hs_helped, e);
}

struct vtab *
helper_table(struct vnat *v)
{
	return &v->v_help.hs_helped;
}

void
helper_stop(struct vnat *v)
{
	struct helper_prog *p;
	struct vtab_ent *e;

	TAILQ_FOREACH(e, &v->v_help.hs_helped.vt_all, ve_all)
		undo(v, e, "vnet stopping", false);
	vtab_clear(&v->v_help.hs_helped);
	if (v->v_help.hs_drain)
		event_free(v->v_help.hs_drain);
	v->v_help.hs_drain = NULL;
	/* the programs still running (the resume ones just started among
	 * them) finish on their own, without the time limit; no pidfd stays */
	while ((p = TAILQ_FIRST(&v->v_help.hs_progs)) != NULL) {
		if (!prog_reap(p))
			log_info("vnat: helper program %d still running as vnet exits: left to "
			    "finish", (int)p->hp_pid);
		prog_free(p);
	}
}

struct others {
	struct vnat	*o_v;
	uint32_t	*o_inodes;
	size_t		 o_n;
	int		 o_found;
};

/* the socket inodes of one process */
struct pid_socks {
	pid_t		 p;
	uint32_t	*in;
	size_t		 n, cap;
};

static void
pid_inode(uint32_t inode, pid_t pid, int fd, const char *comm, void *arg)
{
	struct pid_socks *c = arg;

	(void)fd;
	(void)comm;
	if (pid != c->p || c->n == c->cap)
		return;
	c->in[c->n++] = inode;
}

static int
other_conn(const struct sd_conn *sc, void *arg)
{
	struct others *o = arg;
	struct vnat_tuple k;

	for (size_t i = 0; i < o->o_n; i++)
		if (o->o_inodes[i] == sc->sc_inode) {
			conns_identity(sc, &k);
			if (!endpoint_suspended(o->o_v, &k)) {
				o->o_found = 1;
				return 1;
			}
		}
	return 0;
}

/* what a failed dump hides is not known to serve others */
static int
go_on(uint8_t family, uint8_t proto, void *arg)
{
	(void)family;
	(void)proto;
	(void)arg;
	return 0;
}

static int
serves_others(struct vnat *v, pid_t pid)
{
	struct pid_socks c = { pid, NULL, 0, 4096 };
	struct others o = { v, NULL, 0, 0 };

	if ((c.in = calloc(c.cap, sizeof(*c.in))) == NULL)
		return 1;	/* cannot tell: do not stop it */
	sd_owners_scan(pid_inode, &c);
	o.o_inodes = c.in;
	o.o_n = c.n;
	sd_dump_all(other_conn, go_on, &o);
	free(c.in);
	return o.o_found;
}
