/* inject: libnet link-layer injection with a virtio-net header. */
#include "handler/inject.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_packet.h>

#include "common/fd.h"
#include "handler/offload.h"

#define INJ_SNDBUF	(4 * 1024 * 1024)

void
inj_refresh_mtu(struct inj *i)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->i_dev);
	if (ioctl(i->i_fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 68)
		i->i_mtu = (unsigned)ifr.ifr_mtu;
	else if (i->i_mtu == 0)
		i->i_mtu = 1500;
}

struct inj *
inj_open(const char *dev, uint32_t mark, char *err, size_t errlen)
{
	char ebuf[LIBNET_ERRBUF_SIZE] = "";
	struct sock_filter drop_all = { BPF_RET | BPF_K, 0, 0, 0 };
	struct sock_fprog fprog = { 1, &drop_all };
	int one = 1, sndbuf = INJ_SNDBUF;
	struct inj *i;

	if ((i = calloc(1, sizeof(*i))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(i->i_dev, sizeof(i->i_dev), "%s", dev);
	if ((i->i_ifindex = (int)if_nametoindex(dev)) == 0) {
		snprintf(err, errlen, "device %s: %s", dev, strerror(errno));
		goto fail;
	}
	if ((i->i_ln = libnet_init(LIBNET_LINK_ADV, dev, ebuf)) == NULL) {
		snprintf(err, errlen, "libnet_init %s: %s", dev, ebuf);
		goto fail;
	}
	i->i_fd = libnet_getfd(i->i_ln);
	fd_cloexec(i->i_fd);	/* libnet makes it without */
	/* libnet's socket listens to every protocol; nobody reads it, so
	 * let the kernel drop its input instead of queueing copies */
	if (setsockopt(i->i_fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0 ||
	    setsockopt(i->i_fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) != 0 ||
	    setsockopt(i->i_fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
		snprintf(err, errlen, "set-up of the injection socket on %s: %s", dev, strerror(errno));
		goto fail;
	}
	if (setsockopt(i->i_fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) != 0)
		setsockopt(i->i_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	inj_refresh_mtu(i);
	return i;
fail:
	inj_close(i);
	return NULL;
}

enum inj_result
inj_send(struct inj *i, uint8_t *frame, size_t len)
{
	struct virtio_net_hdr vh;
	struct sockaddr_ll sll;
	struct iovec iov[2];
	struct msghdr msg;
	enum off_result r;

	r = off_prepare(frame, &len, i->i_mtu, &vh);
	if (r == OFF_TOO_BIG)
		return INJ_TOO_BIG;
	if (r == OFF_MALFORMED)
		return INJ_MALFORMED;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = i->i_ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = frame;
	iov[1].iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &sll;
	msg.msg_namelen = sizeof(sll);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	if (sendmsg(i->i_fd, &msg, MSG_DONTWAIT) < 0) {
		if (errno == EAGAIN || errno == ENOBUFS)
			return INJ_BUSY;
		if (errno == EMSGSIZE)
			return INJ_TOO_BIG;
		return INJ_ERROR;
	}
	return INJ_OK;
}

void
inj_close(struct inj *i)
{
	if (i == NULL)
		return;
	if (i->i_ln)
		libnet_destroy(i->i_ln);
	free(i);
}

int
inj_set_mark(struct inj *i, uint32_t mark, char *err, size_t errlen)
{
	if (setsockopt(i->i_fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
		snprintf(err, errlen, "marking the injection socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}
