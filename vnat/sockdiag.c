/* sockdiag: NETLINK_SOCK_DIAG dumps and socket owners. */
#include "vnat/sockdiag.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#define SD_BUF	(64 * 1024)

static int
sd_request(int fd, uint8_t family, uint8_t proto, uint32_t states)
{
	struct {
		struct nlmsghdr		nh;
		struct inet_diag_req_v2	req;
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = proto;
	msg.req.idiag_states = states;
	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -1 : 0;
}

/* one inet_diag_msg, length-checked; 1 to stop, 0 to go on */
static int
sd_one(const struct nlmsghdr *nh, uint8_t proto, bool unconnected, sd_conn_cb cb, void *arg)
{
	const struct inet_diag_msg *m;
	struct sd_conn c;
	size_t al;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	m = NLMSG_DATA(nh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return 0;
	memset(&c, 0, sizeof(c));
	al = m->idiag_family == AF_INET ? 4 : 16;
	c.sc_family = m->idiag_family;
	c.sc_proto = proto;
	c.sc_state = m->idiag_state;
	memcpy(c.sc_laddr, m->id.idiag_src, al);
	memcpy(c.sc_raddr, m->id.idiag_dst, al);
	c.sc_lport = ntohs(m->id.idiag_sport);
	c.sc_rport = ntohs(m->id.idiag_dport);
	c.sc_inode = m->idiag_inode;
	c.sc_uid = m->idiag_uid;
	if (proto == IPPROTO_TCP && m->idiag_timer == 1)	/* retransmission timer */
		c.sc_retrans = m->idiag_retrans;
	if ((c.sc_rport == 0) != unconnected)
		return 0;
	/* an IPv6 socket talking IPv4 (::ffff:a.b.c.d) is an IPv4 connection on
	 * the wire: report it as one */
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (c.sc_family == AF_INET6 && memcmp(c.sc_laddr, v4mapped, 12) == 0 &&
	    (unconnected || memcmp(c.sc_raddr, v4mapped, 12) == 0)) {
		c.sc_family = AF_INET;
		memmove(c.sc_laddr, c.sc_laddr + 12, 4);
		memmove(c.sc_raddr, c.sc_raddr + 12, 4);
		memset(c.sc_laddr + 4, 0, 12);
		memset(c.sc_raddr + 4, 0, 12);
	}
	return cb(&c, arg) != 0;
}

/* one dump of the sockets of family and proto in states (a mask of
 * 1 << TCP_*), connected ones or unconnected ones */
static int
dump_states(uint8_t family, uint8_t proto, uint32_t states, bool unconnected, sd_conn_cb cb, void *arg)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	char *buf = NULL;
	int rc = -1, saved;

	if (fd < 0)
		return -1;
	if ((buf = malloc(SD_BUF)) == NULL || sd_request(fd, family, proto, states) != 0)
		goto out;
	for (;;) {
		ssize_t n = recv(fd, buf, SD_BUF, 0);
		struct nlmsghdr *nh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		left = (size_t)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);
				errno = nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ?
				    -e->error : EPROTO;
				goto out;
			}
			if (sd_one(nh, proto, unconnected, cb, arg)) {
				rc = 0;
				goto out;
			}
		}
		if (n == 0) {
			errno = EPROTO;
			goto out;
		}
	}
out:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return rc;
}

int
sd_dump(uint8_t family, uint8_t proto, sd_conn_cb cb, void *arg)
{
	/* TCP: all but LISTEN and CLOSE; UDP sockets are "ESTABLISHED" when connected */
	return dump_states(family, proto, proto == IPPROTO_TCP ?
	    (0xfff & ~((1u << TCP_LISTEN) | (1u << TCP_CLOSE))) : (1u << TCP_ESTABLISHED), false,
	    cb, arg);
}

int
sd_dump_unconnected(uint8_t family, sd_conn_cb cb, void *arg)
{
	/* an unconnected UDP socket is in state CLOSE, bound or not */
	return dump_states(family, IPPROTO_UDP, 1u << TCP_CLOSE, true, cb, arg);
}

/* the caller's callback, and whether it stopped the walk */
struct walk {
	sd_conn_cb	 w_cb;
	void		*w_arg;
	int		 w_stopped;
};

static int
walk_one(const struct sd_conn *c, void *arg)
{
	struct walk *w = arg;

	return w->w_stopped = w->w_cb(c, w->w_arg) != 0;
}

int
sd_walk(sd_dump_fn dump, sd_conn_cb cb, sd_err_cb on_err, void *arg)
{
	/* by family first: VNAT CONNS? lists IPv4 before IPv6 */
	static const uint8_t fam[] = { AF_INET, AF_INET6 }, proto[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct walk w = { cb, arg, 0 };

	for (size_t f = 0; f < sizeof(fam); f++)
		for (size_t p = 0; p < sizeof(proto); p++) {
			if (dump(fam[f], proto[p], walk_one, &w) != 0) {
				int saved = errno, stop = on_err == NULL ||
				    on_err(fam[f], proto[p], arg) != 0;
				errno = saved;
				if (stop)
					return -1;
			}
			if (w.w_stopped)
				return 0;
		}
	return 0;
}

int
sd_dump_all(sd_conn_cb cb, sd_err_cb on_err, void *arg)
{
	return sd_walk(sd_dump, cb, on_err, arg);
}

/* does /proc/PID/fd hold socket:[inode]? */
static int
pid_has_socket(const char *pid, const char *want, int *fd)
{
	char path[300], link[64];
	struct dirent *de;
	DIR *d;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		char fdp[sizeof(path) + 260];
		ssize_t l;
		if (de->d_name[0] == '.')
			continue;
		snprintf(fdp, sizeof(fdp), "%s/%s", path, de->d_name);
		l = readlink(fdp, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		if ((found = strcmp(link, want) == 0))
			*fd = (int)strtol(de->d_name, NULL, 10);
	}
	closedir(d);
	return found;
}

int
sd_owner(uint32_t inode, struct sd_owner *out)
{
	char want[32];
	struct dirent *de;
	DIR *proc;

	if (inode == 0 || (proc = opendir("/proc")) == NULL)
		return -1;
	snprintf(want, sizeof(want), "socket:[%u]", inode);
	while ((de = readdir(proc)) != NULL) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (*end != '\0' || pid == 0 || !pid_has_socket(de->d_name, want, &out->so_fd))
			continue;
		char path[64];
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%lu/comm", pid);
		out->so_pid = (pid_t)pid;
		out->so_comm[0] = '\0';
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(out->so_comm, sizeof(out->so_comm), f))
				out->so_comm[strcspn(out->so_comm, "\n")] = '\0';
			fclose(f);
		}
		closedir(proc);
		return 0;
	}
	closedir(proc);
	return -1;
}

static void
read_comm(const char *pid, char *comm, size_t len)
{
	char path[300];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, (int)len, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
}

int
sd_owners_scan(void (*cb)(uint32_t inode, pid_t pid, int fd, const char *comm, void *arg),
    void *arg)
{
	struct dirent *de, *fe;
	DIR *proc, *fds;

	if ((proc = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(proc)) != NULL) {
		char path[300], comm[16];
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (*end != '\0' || pid == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		comm[0] = '\0';
		while ((fe = readdir(fds)) != NULL) {
			char fdp[600], link[64];
			ssize_t l;
			unsigned long ino;
			if (fe->d_name[0] == '.')
				continue;
			snprintf(fdp, sizeof(fdp), "%s/%s", path, fe->d_name);
			if ((l = readlink(fdp, link, sizeof(link) - 1)) <= 0)
				continue;
			link[l] = '\0';
			if (strncmp(link, "socket:[", 8) != 0)
				continue;
			ino = strtoul(link + 8, &end, 10);
			if (*end != ']')
				continue;
			if (comm[0] == '\0')
				read_comm(de->d_name, comm, sizeof(comm));
			cb((uint32_t)ino, (pid_t)pid, (int)strtol(fe->d_name, NULL, 10), comm, arg);
		}
		closedir(fds);
	}
	closedir(proc);
	return 0;
}

int
sd_sock_copy(int pidfd, int fd, uint32_t inode)
{
	struct stat st;
	int s = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	if (s < 0)
		return -1;
	if (fstat(s, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_ino != inode) {
		close(s);
		errno = ESTALE;
		return -1;
	}
	return s;
}
