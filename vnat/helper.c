/* helper: act for a peer's suspended connections, and undo it. */
#include "vnat/helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "vnat/conns.h"
#include "vnat/sockdiag.h"

struct helped {
	uint8_t	h_kind;
	pid_t	h_pid;
	char	h_comm[16];
	int	h_sock;			/* keepalive: our duplicate of the socket */
	int	h_keepalive;		/* keepalive: the values to restore */
	unsigned h_user_timeout;
	char	h_path[256];		/* exec */
};

int
helper_parse(const char *mode, enum helper_kind *kind, char *path, size_t len, char *err,
    size_t errlen)
{
	static const struct { const char *m; enum helper_kind k; } words[] = {
		{ "none", HK_NONE }, { "keepalive", HK_KEEPALIVE }, { "stop", HK_STOP },
		{ "stop-always", HK_STOP_ALWAYS },
	};

	path[0] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(mode, words[i].m) == 0) {
			*kind = words[i].k;
			return 0;
		}
	if (strncmp(mode, "exec:", 5) == 0 && mode[5] == '/' && strlen(mode + 5) < len) {
		*kind = HK_EXEC;
		memcpy(path, mode + 5, strlen(mode + 5) + 1);
		return 0;
	}
	snprintf(err, errlen, "helper '%.60s': use keepalive, stop, stop-always, none or "
	    "exec:/absolute/path (at most %zu characters)", mode, len - 1);
	return -1;
}

const struct helper_conf *
helper_for(const struct vnat *v, const char *comm)
{
	const struct helper_conf *any = NULL;

	for (size_t i = 0; i < v->v_nhelpers; i++) {
		if (strcmp(v->v_helpers[i].hc_name, comm) == 0)
			return &v->v_helpers[i];
		if (strcmp(v->v_helpers[i].hc_name, "*") == 0)
			any = &v->v_helpers[i];
	}
	return any;
}

int
helper_set(struct vnat *v, const char *name, const char *mode, char *err, size_t errlen)
{
	enum helper_kind kind;
	char path[256];
	size_t i;

	if (strlen(name) >= sizeof(v->v_helpers[0].hc_name)) {
		snprintf(err, errlen, "process name '%.40s' is longer than 15 characters", name);
		return -1;
	}
	if (helper_parse(mode, &kind, path, sizeof(path), err, errlen) != 0)
		return -1;
	for (i = 0; i < v->v_nhelpers; i++)
		if (strcmp(v->v_helpers[i].hc_name, name) == 0)
			break;
	if (kind == HK_NONE) {
		if (i < v->v_nhelpers)
			v->v_helpers[i] = v->v_helpers[--v->v_nhelpers];
		return 0;
	}
	if (i == v->v_nhelpers) {
		if (v->v_nhelpers == VNAT_PROCS_MAX) {
			snprintf(err, errlen, "at most %d helpers", VNAT_PROCS_MAX);
			return -1;
		}
		v->v_nhelpers++;
	}
	snprintf(v->v_helpers[i].hc_name, sizeof(v->v_helpers[i].hc_name), "%s", name);
	v->v_helpers[i].hc_kind = (uint8_t)kind;
	memcpy(v->v_helpers[i].hc_path, path, sizeof(path));
	log_info("vnat: helper for %s: %s", name, mode);
	return 0;
}

static void
ends(const struct nftx_tr *t, char *l, char *r, size_t len)
{
	int af = t->t_family == 6 ? AF_INET6 : AF_INET;

	conns_endpoint(af, t->t_lvir, t->t_lvir_port, l, len);
	conns_endpoint(af, t->t_rvir, t->t_rvir_port, r, len);
}

static void
on_exec_timeout(evutil_socket_t fd, short what, void *arg)
{
	pid_t pid = (pid_t)(intptr_t)arg;

	(void)fd;
	(void)what;
	if (kill(pid, 0) == 0) {
		log_warnx("vnat: helper program (pid %d) still running after %d s: killed", (int)pid,
		    HELPER_EXEC_TIMEOUT_S);
		kill(pid, SIGKILL);
	}
}

static void
run(struct vnat *v, const struct helped *h, const struct nftx_tr *t, const char *event)
{
	char l[64], r[64], pids[16];
	struct timeval tv = { HELPER_EXEC_TIMEOUT_S, 0 };
	const char *proto = t->t_proto == IPPROTO_UDP ? "udp" : "tcp";
	pid_t pid;

	ends(t, l, r, sizeof(l));
	snprintf(pids, sizeof(pids), "%d", (int)h->h_pid);
	if ((pid = fork()) < 0) {
		log_warn("vnat: helper %s", h->h_path);
		return;
	}
	if (pid == 0) {
		char *argv[] = { (char *)(uintptr_t)h->h_path, (char *)(uintptr_t)event,
		    (char *)(uintptr_t)proto, l, r, NULL };
		setenv("VNAT_EVENT", event, 1);
		setenv("VNAT_PROTO", proto, 1);
		setenv("VNAT_LOCAL", l, 1);
		setenv("VNAT_REMOTE", r, 1);
		setenv("VNAT_PID", pids, 1);
		setenv("VNAT_COMM", h->h_comm, 1);
		execv(h->h_path, argv);
		_exit(127);
	}
	log_info("vnat: helper %s %s %s %s %s (pid %d)", h->h_path, event, proto, l, r, (int)pid);
	event_base_once(v->v_base, -1, EV_TIMEOUT, on_exec_timeout, (void *)(intptr_t)pid, &tv);
}

static void
on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	int st;
	pid_t pid;

	(void)fd;
	(void)what;
	(void)arg;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			log_debug("vnat: helper program %d done", (int)pid);
		else if (WIFEXITED(st))
			log_warnx("vnat: helper program %d failed with status %d", (int)pid,
			    WEXITSTATUS(st));
		else
			log_warnx("vnat: helper program %d killed by signal %d", (int)pid,
			    WTERMSIG(st));
	}
}

int
helper_start(struct vnat *v)
{
	v->v_sigchld = evsignal_new(v->v_base, SIGCHLD, on_sigchld, v);
	return v->v_sigchld && evsignal_add(v->v_sigchld, NULL) == 0 ? 0 : -1;
}

/* whether pid holds a connected socket whose connection is not suspended */
static int
serves_others(struct vnat *v, pid_t pid);

static int
keepalive_on(struct helped *h, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, h->h_pid, 0), off = 0;
	unsigned day = HELPER_KEEPALIVE_MS;
	socklen_t l1 = sizeof(h->h_keepalive), l2 = sizeof(h->h_user_timeout);

	if (pidfd < 0)
		return -1;
	h->h_sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (h->h_sock < 0)
		return -1;
	if (getsockopt(h->h_sock, SOL_SOCKET, SO_KEEPALIVE, &h->h_keepalive, &l1) != 0 ||
	    getsockopt(h->h_sock, IPPROTO_TCP, TCP_USER_TIMEOUT, &h->h_user_timeout, &l2) != 0 ||
	    setsockopt(h->h_sock, SOL_SOCKET, SO_KEEPALIVE, &off, sizeof(off)) != 0 ||
	    setsockopt(h->h_sock, IPPROTO_TCP, TCP_USER_TIMEOUT, &day, sizeof(day)) != 0) {
		close(h->h_sock);
		h->h_sock = -1;
		return -1;
	}
	return 0;
}

static void
suspend_one(struct vnat *v, const struct nftx_tr *t, const struct sd_owner o)
{
	const struct helper_conf *c;
	struct helped *h;
	struct vtab_ent *e;
	bool created;
	char l[64], r[64];

	if ((c = helper_for(v, o.so_comm)) == NULL || c->hc_kind == HK_NONE)
		return;
	ends(t, l, r, sizeof(l));
	if ((e = vtab_put(&v->v_helped, t, &created)) == NULL || !created ||
	    (h = calloc(1, sizeof(*h))) == NULL) {
		if (e && created)
			vtab_del(&v->v_helped, e);
		return;
	}
	h->h_kind = c->hc_kind;
	h->h_pid = o.so_pid;
	h->h_sock = -1;
	memcpy(h->h_comm, o.so_comm, sizeof(h->h_comm));
	memcpy(h->h_path, c->hc_path, sizeof(h->h_path));
	e->ve_data = h;
	switch (h->h_kind) {
	case HK_KEEPALIVE:
		if (t->t_proto != IPPROTO_TCP || keepalive_on(h, o.so_fd) != 0) {
			log_warn("vnat: keepalive helper for %s (pid %d) %s <-> %s", o.so_comm,
			    (int)o.so_pid, l, r);
			break;
		}
		log_info("vnat: keepalive helper: %s (pid %d) %s <-> %s: keepalive off, "
		    "TCP_USER_TIMEOUT %u ms (were %d, %u)", o.so_comm, (int)o.so_pid, l, r,
		    HELPER_KEEPALIVE_MS, h->h_keepalive, h->h_user_timeout);
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
	e->ve_data = NULL;	/* nothing to undo */
	free(h);
	vtab_del(&v->v_helped, e);
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

void
helper_suspend(struct vnat *v, const struct nftx_tr *t, const uint32_t *inode, size_t n)
{
	struct owners o = { calloc(n ? n : 1, sizeof(*o.o_inode)),
	    calloc(n ? n : 1, sizeof(*o.o_own)), n };

	/* nothing configured: not even a look at /proc */
	if (v->v_nhelpers == 0 || o.o_inode == NULL || o.o_own == NULL)
		goto out;
	memcpy(o.o_inode, inode, n * sizeof(*inode));
	qsort(o.o_inode, n, sizeof(*o.o_inode), cmp_u32);
	/* one walk of /proc for all of them */
	if (sd_owners_scan(owner_of, &o) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t *hit = bsearch(&inode[i], o.o_inode, n, sizeof(*inode), cmp_u32);
		if (hit && o.o_own[hit - o.o_inode].so_pid)
			suspend_one(v, &t[i], o.o_own[hit - o.o_inode]);
	}
out:
	free(o.o_inode);
	free(o.o_own);
}

/* another helped connection still holds pid stopped */
static int
stopped_by_other(struct vnat *v, const struct vtab_ent *self, pid_t pid)
{
	struct vtab_ent *e;

	TAILQ_FOREACH(e, &v->v_helped.vt_all, ve_all) {
		const struct helped *h = e->ve_data;
		if (e != self && h && (h->h_kind == HK_STOP || h->h_kind == HK_STOP_ALWAYS) &&
		    h->h_pid == pid)
			return 1;
	}
	return 0;
}

static void
undo(struct vnat *v, struct vtab_ent *e, const char *why)
{
	struct helped *h = e->ve_data;

	if (h == NULL)
		return;
	switch (h->h_kind) {
	case HK_KEEPALIVE:
		if (h->h_sock >= 0) {
			if (setsockopt(h->h_sock, SOL_SOCKET, SO_KEEPALIVE, &h->h_keepalive,
			    sizeof(h->h_keepalive)) != 0 || setsockopt(h->h_sock, IPPROTO_TCP,
			    TCP_USER_TIMEOUT, &h->h_user_timeout, sizeof(h->h_user_timeout)) != 0)
				log_warn("vnat: keepalive helper: restoring %s's socket", h->h_comm);
			else
				log_info("vnat: keepalive helper: %s (pid %d) restored (%s)", h->h_comm,
				    (int)h->h_pid, why);
			close(h->h_sock);
		}
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
	e->ve_data = NULL;
}

void
helper_resume(struct vnat *v, const struct nftx_tr *t, const char *why)
{
	struct vtab_ent *e = vtab_find(&v->v_helped, t);

	if (e) {
		undo(v, e, why);
		vtab_del(&v->v_helped, e);
	}
}

void
helper_stop(struct vnat *v)
{
	struct vtab_ent *e;

	TAILQ_FOREACH(e, &v->v_helped.vt_all, ve_all)
		undo(v, e, "vnet stopping");
	vtab_clear(&v->v_helped);
	if (v->v_sigchld) {
		event_free(v->v_sigchld);
		v->v_sigchld = NULL;
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
	struct nftx_tr k;

	for (size_t i = 0; i < o->o_n; i++)
		if (o->o_inodes[i] == sc->sc_inode) {
			conns_identity(sc, &k);
			if (vtab_find(&o->o_v->v_peer_susp, &k) == NULL) {
				o->o_found = 1;
				return 1;
			}
		}
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
	for (int proto = 6; proto <= 17 && !o.o_found; proto += 11)
		for (int af = 0; af < 2 && !o.o_found; af++)
			sd_dump(af ? AF_INET6 : AF_INET, (uint8_t)proto, other_conn, &o);
	free(c.in);
	return o.o_found;
}
