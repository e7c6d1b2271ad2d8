/* conn: the client's blocking connection to a server, plain, TLS or on
 * its local control socket, and line I/O on it. */
#ifndef VNET_CONN_H
#define VNET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "client/trust.h"

struct conn {
	int	 cn_fd;
	SSL_CTX	*cn_ctx;
	SSL	*cn_ssl;
	char	 cn_buf[8192];
	size_t	 cn_len;
	unsigned cn_timeout;	/* seconds per read or write */
};

struct conn_tls {
	bool		 ct_on;
	const char	*ct_ca;		/* NULL: pin in ct_known */
	const char	*ct_known;
	enum trust_first ct_first;	/* a server not in ct_known */
};

/* Connects to host:port (TCP, then TLS when t->ct_on, verified or pinned).
 * Returns 0, or -1 with the reason in err. */
int conn_open(struct conn *c, const char *host, uint16_t port, const struct conn_tls *t,
    unsigned timeout, char *err, size_t errlen);
/* Connects to the server's local control socket at path (no TLS).
 * Returns 0, or -1 with the reason in err. */
int conn_open_local(struct conn *c, const char *path, unsigned timeout, char *err,
    size_t errlen);
/* Sends line plus "\n"; 0 or -1. */
int conn_send_line(struct conn *c, const char *line);
/* Reads one line (terminator stripped) into out; 0, or -1 on EOF, error or
 * timeout with the reason in err. */
int conn_read_line(struct conn *c, char *out, size_t len, char *err, size_t errlen);
/* Closes the connection. */
void conn_close(struct conn *c);

#endif
