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

/* the sockets of the host, then flows and the socket that owns each (0: none) */
static const struct {
	int		 af;
	const char	*addr;
	uint16_t	 port;
	uint32_t	 inode;
} SOCKS[] = {
	{ AF_INET, "0.0.0.0", 6100, 11 },
	{ AF_INET, "198.18.2.20", 6100, 12 },
	{ AF_INET, "0.0.0.0", 53, 13 },
	{ AF_INET6, "::", 6300, 21 },
	{ AF_INET6, "fd00:2::20", 6200, 22 },
};

static const struct {
	uint8_t		 family, proto;
	const char	*local;
	uint16_t	 port;
	uint32_t	 owner;
	const char	*why;
} FLOWS[] = {
	{ 4, IPPROTO_UDP, "198.18.2.20", 6100, 12, "the socket bound to the address first" },
	{ 4, IPPROTO_UDP, "198.18.2.21", 6100, 11, "another address: the wildcard socket" },
	{ 4, IPPROTO_UDP, "198.18.2.20", 6101, 0, "no socket on the port" },
	{ 4, IPPROTO_TCP, "198.18.2.20", 53, 0, "TCP is never a flow" },
	{ 4, IPPROTO_UDP, "198.18.2.20", 6300, 21, "an IPv6 wildcard serves IPv4" },
	{ 6, IPPROTO_UDP, "fd00:2::20", 6200, 22, "bound to the IPv6 address" },
	{ 6, IPPROTO_UDP, "fd00:2::21", 6200, 0, "bound to another IPv6 address" },
	{ 4, IPPROTO_UDP, "198.18.2.20", 6200, 0, "an IPv6 address serves no IPv4" },
};

Test(flows, owner)
{
	struct vtab socks;

	vtab_init(&socks);
	for (size_t i = 0; i < sizeof(SOCKS) / sizeof(SOCKS[0]); i++)
		sock(&socks, SOCKS[i].af, SOCKS[i].addr, SOCKS[i].port, SOCKS[i].inode);
	for (size_t i = 0; i < sizeof(FLOWS) / sizeof(FLOWS[0]); i++) {
		struct vnat_tuple k = flow(FLOWS[i].family, FLOWS[i].proto, FLOWS[i].local,
		    FLOWS[i].port, FLOWS[i].family == 6 ? "fd00:1::10" : "198.18.1.10", 40000);
		uint32_t ino = 0;
		bool owned = flows_owner(&socks, &k, &ino);
		cr_assert_eq(owned, FLOWS[i].owner != 0, "%s", FLOWS[i].why);
		if (owned)
			cr_assert_eq(ino, FLOWS[i].owner, "%s", FLOWS[i].why);
	}
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
