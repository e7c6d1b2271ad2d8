/* l2probe: send or count raw Ethernet frames of one ethertype (test tool).
 *   l2probe send IFACE DSTMAC ETHERTYPE COUNT TEXT
 *   l2probe recv IFACE ETHERTYPE SECONDS [promisc]
 * recv prints "frames=N first=TEXT" after SECONDS. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

static int
parse_mac(const char *s, unsigned char m[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
	    &m[5]) == 6 ? 0 : -1;
}

static int
do_send(const char *ifn, const char *dst, unsigned et, int count, const char *text)
{
	struct sockaddr_ll sll;
	unsigned char f[1514];
	size_t tl = strlen(text), len = 14 + (tl < 46 ? 46 : tl);
	int fd = socket(AF_PACKET, SOCK_RAW, 0), i;

	if (fd < 0 || tl > 1500 || parse_mac(dst, f) != 0)
		return 2;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(ifn);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, f, 6);
	/* our source: the interface's own MAC */
	{
		FILE *a;
		char path[128], mac[32] = "";
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifn);
		if ((a = fopen(path, "r")) == NULL || fscanf(a, "%31s", mac) != 1)
			return 2;
		fclose(a);
		parse_mac(mac, f + 6);
	}
	f[12] = (unsigned char)(et >> 8);
	f[13] = (unsigned char)et;
	memset(f + 14, 0, len - 14);
	memcpy(f + 14, text, tl);
	for (i = 0; i < count; i++)
		if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			perror("sendto");
			return 1;
		}
	close(fd);
	return 0;
}

static int
do_recv(const char *ifn, unsigned et, int secs, int promisc)
{
	struct sockaddr_ll sll;
	unsigned char f[2048];
	char first[64] = "";
	int fd = socket(AF_PACKET, SOCK_RAW, htons((unsigned short)et)), n = 0;
	struct timespec start, now;

	if (fd < 0)
		return 2;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons((unsigned short)et);
	sll.sll_ifindex = (int)if_nametoindex(ifn);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		return 2;
	if (promisc) {
		struct packet_mreq mr = { .mr_ifindex = sll.sll_ifindex, .mr_type = PACKET_MR_PROMISC };
		setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	printf("listening\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = secs * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
		    (now.tv_nsec - start.tv_nsec) / 1000000L);
		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, f, sizeof(f), 0, (struct sockaddr *)&from, &fl);
		if (r < 14 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (n++ == 0) {
			size_t k = (size_t)r - 14 < sizeof(first) - 1 ? (size_t)r - 14 : sizeof(first) - 1;
			memcpy(first, f + 14, k);
			first[k] = '\0';
			first[strcspn(first, "\n")] = '\0';
		}
	}
	printf("frames=%d first=%s\n", n, first);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], argv[3], (unsigned)strtoul(argv[4], NULL, 0), atoi(argv[5]),
		    argv[6]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "recv") == 0)
		return do_recv(argv[2], (unsigned)strtoul(argv[3], NULL, 0), atoi(argv[4]),
		    argc == 6);
	fprintf(stderr, "usage: l2probe send IFACE DSTMAC ETHERTYPE COUNT TEXT\n"
	    "       l2probe recv IFACE ETHERTYPE SECONDS [promisc]\n");
	return 2;
}
