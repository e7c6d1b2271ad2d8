/* Unit tests: sock_diag finds this process's own TCP and connected UDP
 * sockets on loopback, with their ports and their owner; sd_dump_all's walk
 * (order, stop, errors) over a fake dump. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vnat/sockdiag.h"

struct want {
	uint16_t	lport, rport;
	uint32_t	inode;
	int		found;
};

static int
find(const struct sd_conn *c, void *arg)
{
	struct want *w = arg;

	if (c->sc_lport == w->lport && c->sc_rport == w->rport) {
		w->inode = c->sc_inode;
		w->found++;
		cr_assert_eq(c->sc_family, AF_INET);
		cr_assert_eq(c->sc_laddr[0], 127);
	}
	return 0;
}

static uint16_t
port_of(int fd, int peer)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	if (peer)
		getpeername(fd, (struct sockaddr *)&sa, &sl);
	else
		getsockname(fd, (struct sockaddr *)&sa, &sl);
	return ntohs(sa.sin_port);
}

Test(sockdiag, finds_tcp_connection_and_owner)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), a;

	cr_assert(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(l, 1) == 0);
	getsockname(l, (struct sockaddr *)&sa, &sl);
	cr_assert_eq(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert((a = accept(l, NULL, NULL)) >= 0);

	struct want w = { port_of(c, 0), port_of(c, 1), 0, 0 };
	cr_assert_eq(sd_dump(AF_INET, IPPROTO_TCP, find, &w), 0);
	cr_assert_eq(w.found, 1, "client side found %d times", w.found);
	struct stat st;
	fstat(c, &st);
	cr_assert_eq(w.inode, (uint32_t)st.st_ino);
	struct sd_owner o;
	cr_assert_eq(sd_owner(w.inode, &o), 0);
	cr_assert_eq(o.so_pid, getpid());
	char comm[16] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	cr_assert_not_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	cr_assert_str_eq(o.so_comm, comm);
	/* the listener itself is not a connection */
	struct want lw = { port_of(l, 0), 0, 0, 0 };
	cr_assert_eq(sd_dump(AF_INET, IPPROTO_TCP, find, &lw), 0);
	cr_assert_eq(lw.found, 0);
	close(a);
	close(c);
	close(l);
}

Test(sockdiag, finds_connected_udp_only)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_DGRAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	cr_assert_eq(connect(u, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct want w = { port_of(u, 0), port_of(u, 1), 0, 0 };
	cr_assert_eq(sd_dump(AF_INET, IPPROTO_UDP, find, &w), 0);
	cr_assert_eq(w.found, 1);
	struct want unconnected = { port_of(s, 0), 0, 0, 0 };
	cr_assert_eq(sd_dump(AF_INET, IPPROTO_UDP, find, &unconnected), 0);
	cr_assert_eq(unconnected.found, 0);
	/* and sd_dump_all, once over each family and protocol */
	w.found = 0;
	cr_assert_eq(sd_dump_all(find, NULL, &w), 0);
	cr_assert_eq(w.found, 1);
	close(s);
	close(u);
}

Test(sockdiag, unknown_inode_has_no_owner)
{
	struct sd_owner o;

	cr_assert_eq(sd_owner(0, &o), -1);
	cr_assert_eq(sd_owner(0xfffffff0u, &o), -1);
}

/* a fake dump for sd_walk: records the order, fails where told, gives one
 * connection per dump with its family and protocol */
struct fake {
	char	calls[8][8];
	int	n;
	int	fail_udp6, fail_tcp4;	/* errno to fail with, or 0 */
	int	stop_at;		/* the cb stops at this connection (1-based), or 0 */
	int	seen, errs;
	int	go_on;			/* what on_err answers */
};

static struct fake *fk;

static int
fake_dump(uint8_t family, uint8_t proto, sd_conn_cb cb, void *arg)
{
	struct sd_conn c = { .sc_family = family, .sc_proto = proto };
	int v6 = family == AF_INET6, udp = proto == IPPROTO_UDP;

	snprintf(fk->calls[fk->n++], sizeof(fk->calls[0]), "%s%s", udp ? "udp" : "tcp",
	    v6 ? "6" : "4");
	if ((v6 && udp && fk->fail_udp6) || (!v6 && !udp && fk->fail_tcp4)) {
		errno = v6 ? fk->fail_udp6 : fk->fail_tcp4;
		return -1;
	}
	cb(&c, arg);
	return 0;
}

static int
fake_cb(const struct sd_conn *c, void *arg)
{
	struct fake *f = arg;

	(void)c;
	return ++f->seen == f->stop_at;
}

static int
fake_err(uint8_t family, uint8_t proto, void *arg)
{
	struct fake *f = arg;

	(void)family;
	(void)proto;
	f->errs++;
	errno = 0;	/* a logging on_err may change errno: sd_walk keeps the dump's */
	return !f->go_on;
}

static void
assert_calls(const char *want)
{
	char got[64] = "";

	for (int i = 0; i < fk->n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, fk->calls[i]);
	}
	cr_assert_str_eq(got, want);
}

Test(sockdiag, walk_covers_both_families_and_protocols_in_order)
{
	struct fake f = { 0 };

	fk = &f;
	cr_assert_eq(sd_walk(fake_dump, fake_cb, NULL, &f), 0);
	assert_calls("tcp4 udp4 tcp6 udp6");
	cr_assert_eq(f.seen, 4);
}

Test(sockdiag, walk_stops_when_the_callback_says_so)
{
	struct fake f = { .stop_at = 2 };

	fk = &f;
	cr_assert_eq(sd_walk(fake_dump, fake_cb, NULL, &f), 0);
	assert_calls("tcp4 udp4");
}

Test(sockdiag, walk_without_on_err_stops_at_the_first_failure)
{
	struct fake f = { .fail_tcp4 = EPERM };

	fk = &f;
	errno = 0;
	cr_assert_eq(sd_walk(fake_dump, fake_cb, NULL, &f), -1);
	cr_assert_eq(errno, EPERM);
	assert_calls("tcp4");
	cr_assert_eq(f.seen, 0);
}

Test(sockdiag, walk_goes_on_or_stops_as_on_err_says)
{
	struct fake f = { .fail_tcp4 = ENOENT, .fail_udp6 = EPERM, .go_on = 1 };

	fk = &f;
	cr_assert_eq(sd_walk(fake_dump, fake_cb, fake_err, &f), 0);
	assert_calls("tcp4 udp4 tcp6 udp6");
	cr_assert_eq(f.errs, 2);
	cr_assert_eq(f.seen, 2);
	struct fake g = { .fail_tcp4 = ENOENT, .fail_udp6 = EPERM, .go_on = 0 };
	fk = &g;
	cr_assert_eq(sd_walk(fake_dump, fake_cb, fake_err, &g), -1);
	cr_assert_eq(errno, ENOENT, "the dump's errno, not on_err's");
	assert_calls("tcp4");
}
