/* Unit tests: sock_diag finds this process's own TCP and connected UDP
 * sockets on loopback, with their ports and their owner. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
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
	close(s);
	close(u);
}

Test(sockdiag, unknown_inode_has_no_owner)
{
	struct sd_owner o;

	cr_assert_eq(sd_owner(0, &o), -1);
	cr_assert_eq(sd_owner(0xfffffff0u, &o), -1);
}
