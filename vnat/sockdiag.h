/* sockdiag: the host's TCP and UDP connections from the kernel (NETLINK
 * sock_diag), and the process that owns each (/proc/PID/fd). */
#ifndef VNET_SOCKDIAG_H
#define VNET_SOCKDIAG_H

#include <stdint.h>
#include <sys/types.h>

struct sd_conn {
	uint8_t		sc_family;	/* AF_INET or AF_INET6 */
	uint8_t		sc_proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t		sc_state;	/* TCP_ESTABLISHED, ... of <netinet/tcp.h>
					 * (UDP: TCP_ESTABLISHED when connected) */
	uint8_t		sc_laddr[16], sc_raddr[16];	/* 4 or 16 bytes used */
	uint16_t	sc_lport, sc_rport;		/* host byte order */
	uint32_t	sc_inode, sc_uid;
	uint8_t		sc_retrans;	/* TCP with its retransmission timer pending:
					 * retransmissions of the segment at snd_una
					 * so far (the back-off); otherwise 0 */
};

/* A socket as an index of sockets keeps it (conns_index): its inode and
 * its state (TCP_ESTABLISHED, ... of <netinet/tcp.h>, as sc_state). */
struct sd_sock {
	uint32_t	ss_inode;
	uint8_t		ss_state;
};

typedef int (*sd_conn_cb)(const struct sd_conn *c, void *arg);

/* Calls cb for every connected socket of family and proto (TCP: every state
 * but LISTEN and CLOSE; UDP: those with a remote address).  An AF_INET6
 * socket whose ends are IPv4-mapped is reported as AF_INET.  cb returning
 * non-zero stops the walk.  Returns 0, or -1 with errno. */
int sd_dump(uint8_t family, uint8_t proto, sd_conn_cb cb, void *arg);

/* Calls cb for every unconnected UDP socket of family (no remote address;
 * sc_raddr is zero, sc_rport 0; a wildcard sc_laddr when not bound to an
 * address, sc_lport 0 when not bound at all); an AF_INET6 socket bound to
 * an IPv4-mapped address is reported as AF_INET.  0, or -1 with errno. */
int sd_dump_unconnected(uint8_t family, sd_conn_cb cb, void *arg);

/* After a dump of sd_dump_all failed (errno set): non-zero stops the walk,
 * 0 goes on to the next dump. */
typedef int (*sd_err_cb)(uint8_t family, uint8_t proto, void *arg);
/* A dump with sd_dump's contract. */
typedef int (*sd_dump_fn)(uint8_t family, uint8_t proto, sd_conn_cb cb, void *arg);

/* Calls cb for every connection of the host, as sd_dump does, in four dumps:
 * IPv4 TCP, IPv4 UDP, IPv6 TCP, IPv6 UDP; cb returning non-zero stops the
 * whole walk.  After a failed dump, on_err (NULL: stop) decides.  Returns 0,
 * or -1 with the failed dump's errno when it stopped the walk. */
int sd_dump_all(sd_conn_cb cb, sd_err_cb on_err, void *arg);
/* sd_dump_all over another dump (its unit tests give a fake one). */
int sd_walk(sd_dump_fn dump, sd_conn_cb cb, sd_err_cb on_err, void *arg);

struct sd_owner {
	pid_t	so_pid;
	int	so_fd;		/* its descriptor of the socket */
	char	so_comm[16];
};

/* Finds the process holding the socket with this inode (the first one found
 * under /proc); 0, or -1 when none does. */
int sd_owner(uint32_t inode, struct sd_owner *out);

/* A descriptor of this process for descriptor fd of the process pidfd
 * names (pidfd_getfd), if it is still the socket of inode; -1 with errno
 * (ESTALE when fd is now something else). */
int sd_sock_copy(int pidfd, int fd, uint32_t inode);

/* Calls cb once for every socket descriptor of every process (one walk of
 * /proc): inode, pid, descriptor and process name.  Returns 0, or -1 if
 * /proc cannot be read. */
int sd_owners_scan(void (*cb)(uint32_t inode, pid_t pid, int fd, const char *comm, void *arg),
    void *arg);

#endif
