/* addr: interface addresses and addresses kept on lo. */
#include "vnat/addr.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "vnat/tuple.h"

int
addr_set_load(struct addr_set *s)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	s->as_n = 0;
	s->as_a = NULL;
	if (getifaddrs(&ifa) != 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next)
		n++;
	if ((s->as_a = calloc(n ? n : 1, sizeof(*s->as_a))) == NULL) {
		freeifaddrs(ifa);
		return -1;
	}
	for (i = ifa; i; i = i->ifa_next) {
		struct addr_one *o = &s->as_a[s->as_n];
		if (i->ifa_addr == NULL)
			continue;
		o->ao_lo = (i->ifa_flags & IFF_LOOPBACK) != 0;
		if (i->ifa_addr->sa_family == AF_INET) {
			o->ao_family = 4;
			memcpy(o->ao_addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			s->as_n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			o->ao_family = 6;
			memcpy(o->ao_addr, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			s->as_n++;
		}
	}
	freeifaddrs(ifa);
	return 0;
}

bool
addr_set_has(const struct addr_set *s, uint8_t family, const uint8_t *addr, bool count_lo)
{
	for (size_t i = 0; i < s->as_n; i++)
		if (s->as_a[i].ao_family == family && (count_lo || !s->as_a[i].ao_lo) &&
		    memcmp(s->as_a[i].ao_addr, addr, tuple_alen(family)) == 0)
			return true;
	return false;
}

bool
addr_is_loopback(uint8_t family, const uint8_t *a)
{
	static const uint8_t one[16] = { [15] = 1 }, mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == 4)
		return a[0] == 127;
	return memcmp(a, one, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

bool
addr_conn_local(const struct addr_set *s, const struct vnat_tuple *t)
{
	return addr_is_loopback(t->t_family, t->t_lphy) || addr_is_loopback(t->t_family, t->t_rphy) ||
	    addr_is_loopback(t->t_family, t->t_lvir) || addr_is_loopback(t->t_family, t->t_rvir) ||
	    addr_set_has(s, t->t_family, t->t_rphy, true);
}

void
addr_set_free(struct addr_set *s)
{
	free(s->as_a);
	s->as_a = NULL;
	s->as_n = 0;
}

bool
addr_assigned(uint8_t family, const uint8_t *addr, bool count_lo)
{
	struct addr_set s;
	bool found;

	if (addr_set_load(&s) != 0)
		return true;
	found = addr_set_has(&s, family, addr, count_lo);
	addr_set_free(&s);
	return found;
}

int
addr_lo(uint8_t family, const uint8_t *addr, bool add)
{
	struct {
		struct nlmsghdr		nh;
		struct ifaddrmsg	ifa;
		char			attrs[64];
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	size_t al = tuple_alen(family);
	struct rtattr *rta;
	char ans[512];
	int fd, rc = -1;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.ifa.ifa_family = tuple_af(family);
	req.ifa.ifa_prefixlen = (unsigned char)(al * 8);
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = if_nametoindex("lo");
	for (int k = 0; k < 2; k++) {
		rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		rta->rta_type = k ? IFA_ADDRESS : IFA_LOCAL;
		rta->rta_len = (unsigned short)RTA_LENGTH(al);
		memcpy(RTA_DATA(rta), addr, al);
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	}
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
		return -1;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0) {
		ssize_t n = recv(fd, ans, sizeof(ans), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)ans;
		if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && nh->nlmsg_type == NLMSG_ERROR) {
			int e = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			if (e == 0)
				rc = 0;
			else
				errno = -e;
		} else
			errno = EPROTO;
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

unsigned
addr_sockaddr(uint8_t family, const uint8_t *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, addr, 4);
	return sizeof(*s4);
}

int
addr_source_for(uint8_t family, const uint8_t *dst, uint8_t *src)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_sockaddr(family, dst, 9, &ss);
	int fd = socket(tuple_af(family), SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	/* connect() on UDP sends nothing: it only picks the route and source */
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (family == 6)
			memcpy(src, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		else
			memcpy(src, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		rc = 0;
	}
	close(fd);
	return rc;
}
