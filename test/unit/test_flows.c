/* vnat/flows: which unconnected UDP socket owns the local end of a flow. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "vnat/conns.h"
#include "vnat/flows.h"

/* an unconnected socket as sock_diag lists it: local end only */
static void
sock(struct vtab *socks, int af, const char *addr, uint16_t port, uint32_t inode)
{
	struct sd_conn c;

	memset(&c, 0, sizeof(c));
	c.sc_family = (uint8_t)af;
	c.sc_proto = IPPROTO_UDP;
	c.sc_state = 7;	/* TCP_CLOSE */
	cr_assert_eq(inet_pton(af, addr, c.sc_laddr), 1);
	c.sc_lport = port;
	c.sc_inode = inode;
	conns_index(socks, &c);
}

/* the flow local -> remote of the peer's view */
static struct vnat_tuple
flow(uint8_t family, uint8_t proto, const char *l, uint16_t lport, const char *r, uint16_t rport)
{
	struct vnat_tuple t;
	int af = family == 6 ? AF_INET6 : AF_INET;

	memset(&t, 0, sizeof(t));
	t.t_family = family;
	t.t_proto = proto;
	cr_assert_eq(inet_pton(af, l, t.t_lvir), 1);
	cr_assert_eq(inet_pton(af, r, t.t_rvir), 1);
	t.t_lvir_port = lport;
	t.t_rvir_port = rport;
	return t;
}

Test(flows, owner_by_address_then_wildcard)
{
	struct vtab socks;
	uint32_t ino = 0;

	vtab_init(&socks);
	sock(&socks, AF_INET, "0.0.0.0", 6100, 11);
	sock(&socks, AF_INET, "198.18.2.20", 6100, 12);
	sock(&socks, AF_INET, "0.0.0.0", 53, 13);
	struct vnat_tuple a = flow(4, IPPROTO_UDP, "198.18.2.20", 6100, "198.18.1.10", 40000);
	cr_assert(flows_owner(&socks, &a, &ino));
	cr_assert_eq(ino, 12, "the socket bound to the address comes first");
	struct vnat_tuple b = flow(4, IPPROTO_UDP, "198.18.2.21", 6100, "198.18.1.10", 40000);
	cr_assert(flows_owner(&socks, &b, &ino));
	cr_assert_eq(ino, 11, "another address: the wildcard socket");
	struct vnat_tuple c = flow(4, IPPROTO_UDP, "198.18.2.20", 6101, "198.18.1.10", 40000);
	cr_assert_not(flows_owner(&socks, &c, &ino), "no socket on the port");
	struct vnat_tuple d = flow(4, IPPROTO_TCP, "198.18.2.20", 53, "198.18.1.10", 40000);
	cr_assert_not(flows_owner(&socks, &d, &ino), "TCP is never a flow");
	vtab_clear(&socks);
}

Test(flows, ipv6_wildcard_serves_ipv4)
{
	struct vtab socks;
	uint32_t ino = 0;

	vtab_init(&socks);
	sock(&socks, AF_INET6, "::", 6100, 21);
	sock(&socks, AF_INET6, "fd00:2::20", 6200, 22);
	struct vnat_tuple a = flow(4, IPPROTO_UDP, "198.18.2.20", 6100, "198.18.1.10", 40000);
	cr_assert(flows_owner(&socks, &a, &ino));
	cr_assert_eq(ino, 21);
	struct vnat_tuple b = flow(6, IPPROTO_UDP, "fd00:2::20", 6200, "fd00:1::10", 40000);
	cr_assert(flows_owner(&socks, &b, &ino));
	cr_assert_eq(ino, 22);
	struct vnat_tuple c = flow(6, IPPROTO_UDP, "fd00:2::21", 6200, "fd00:1::10", 40000);
	cr_assert_not(flows_owner(&socks, &c, &ino), "bound to another IPv6 address");
	struct vnat_tuple d = flow(4, IPPROTO_UDP, "198.18.2.20", 6200, "198.18.1.10", 40000);
	cr_assert_not(flows_owner(&socks, &d, &ino), "an IPv6 address serves no IPv4");
	vtab_clear(&socks);
}

Test(flows, conns_says_flow)
{
	struct vconn v;
	char line[256];

	memset(&v, 0, sizeof(v));
	v.vc_c.sc_family = AF_INET;
	v.vc_c.sc_proto = IPPROTO_UDP;
	v.vc_c.sc_state = 7;	/* TCP_CLOSE: an unconnected socket's flow */
	inet_pton(AF_INET, "198.18.1.10", v.vc_c.sc_laddr);
	inet_pton(AF_INET, "198.18.2.20", v.vc_c.sc_raddr);
	v.vc_c.sc_lport = 40000;
	v.vc_c.sc_rport = 6100;
	v.vc_pid = 42;
	memcpy(v.vc_comm, "python3", 8);
	conns_format(&v, NULL, NULL, line, sizeof(line));
	cr_assert_str_eq(line, "udp 198.18.1.10:40000 198.18.2.20:6100 198.18.1.10:40000 "
	    "198.18.2.20:6100 FLOW 42 python3");
	v.vc_c.sc_state = 1;	/* TCP_ESTABLISHED: connected */
	conns_format(&v, NULL, NULL, line, sizeof(line));
	cr_assert(strstr(line, " CONNECTED 42 ") != NULL, "%s", line);
}
