/* conn: blocking TCP/TLS connection with timeouts. */
#include "client/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>

#include "common/tls.h"

static int
connect_timeout(int fd, const struct sockaddr *sa, socklen_t sl, unsigned timeout)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	int flags = fcntl(fd, F_GETFL), soerr = 0;
	socklen_t el = sizeof(soerr);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, sl) != 0) {
		if (errno != EINPROGRESS)
			return -1;
		int r = poll(&p, 1, (int)timeout * 1000);
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0)
			return -1;
		if (soerr) {
			errno = soerr;
			return -1;
		}
	}
	fcntl(fd, F_SETFL, flags);
	return 0;
}

static int
tcp_open(const char *host, uint16_t port, unsigned timeout, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char sport[8];
	int fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(sport, sizeof(sport), "%u", port);
	if ((rc = getaddrinfo(host, sport, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout) == 0) {
			/* requests are small and answered one by one: Nagle would
			 * hold one behind the server's delayed ACK (the TLS Finished
			 * and the HELLO are two writes), about 40 ms each */
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			break;
		}
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "cannot connect to %s port %u: %s", host, port,
		    strerror(saved ? saved : EHOSTUNREACH));
	return fd;
}

int
conn_open(struct conn *c, const char *host, uint16_t port, const struct conn_tls *t,
    unsigned timeout, char *err, size_t errlen)
{
	struct timeval tv = { (time_t)timeout, 0 };
	char msg[1024];

	memset(c, 0, sizeof(*c));
	c->cn_timeout = timeout;
	if ((c->cn_fd = tcp_open(host, port, timeout, err, errlen)) < 0)
		return -1;
	setsockopt(c->cn_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->cn_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!t->ct_on)
		return 0;
	if ((c->cn_ctx = tls_client_ctx(t->ct_ca, err, errlen)) == NULL ||
	    (c->cn_ssl = SSL_new(c->cn_ctx)) == NULL)
		goto fail;
	tls_client_prepare(c->cn_ssl, host, t->ct_ca != NULL);
	SSL_set_fd(c->cn_ssl, c->cn_fd);
	if (SSL_connect(c->cn_ssl) != 1) {
		unsigned long e = ERR_get_error();
		char ebuf[200] = "connection closed";
		if (e)
			ERR_error_string_n(e, ebuf, sizeof(ebuf));
		snprintf(err, errlen, "TLS handshake with %s port %u failed: %s (does the server "
		    "run with -s?)", host, port, ebuf);
		goto fail;
	}
	/* a CA's verdict as the server takes it; a pin with the user's say */
	if (t->ct_ca ? tls_check_peer(c->cn_ssl, t->ct_known, host, port, true, msg,
	    sizeof(msg)) : trust_server(c->cn_ssl, t->ct_known, host, port, t->ct_first, msg,
	    sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		goto fail;
	}
	return 0;
fail:
	conn_close(c);
	return -1;
}

int
conn_open_local(struct conn *c, const char *path, unsigned timeout, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { (time_t)timeout, 0 };

	memset(c, 0, sizeof(*c));
	c->cn_timeout = timeout;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path '%.60s' is too long", path);
		c->cn_fd = -1;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((c->cn_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->cn_fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot use the control socket %s: %s%s", path, strerror(e),
		    e == ENOENT ? " (is vnet running here? else give -h <host1>)" :
		    e == EACCES ? " (root and the vnet service's group may use it)" :
		    e == ECONNREFUSED ? " (vnet is not running)" : "");
		conn_close(c);
		return -1;
	}
	setsockopt(c->cn_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->cn_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

static ssize_t
conn_io(struct conn *c, void *buf, size_t len, bool wr)
{
	if (c->cn_ssl) {
		int n = wr ? SSL_write(c->cn_ssl, buf, (int)len) : SSL_read(c->cn_ssl, buf, (int)len);
		return n > 0 ? n : (SSL_get_error(c->cn_ssl, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
	}
	return wr ? write(c->cn_fd, buf, len) : read(c->cn_fd, buf, len);
}

int
conn_send_line(struct conn *c, const char *line)
{
	char buf[8192];
	size_t n = strlen(line), off = 0;

	if (n + 2 > sizeof(buf))
		return -1;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	while (off < n) {
		ssize_t w = conn_io(c, buf + off, n - off, true);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int
conn_read_line(struct conn *c, char *out, size_t len, char *err, size_t errlen)
{
	for (;;) {
		char *nl = memchr(c->cn_buf, '\n', c->cn_len);
		if (nl) {
			size_t l = (size_t)(nl - c->cn_buf);
			size_t keep = l;
			if (keep && c->cn_buf[keep - 1] == '\r')
				keep--;
			if (keep >= len)
				keep = len - 1;
			memcpy(out, c->cn_buf, keep);
			out[keep] = '\0';
			memmove(c->cn_buf, nl + 1, c->cn_len - l - 1);
			c->cn_len -= l + 1;
			return 0;
		}
		if (c->cn_len == sizeof(c->cn_buf)) {
			snprintf(err, errlen, "server sent a line over %zu bytes", sizeof(c->cn_buf));
			return -1;
		}
		ssize_t r = conn_io(c, c->cn_buf + c->cn_len, sizeof(c->cn_buf) - c->cn_len, false);
		if (r == 0) {
			snprintf(err, errlen, "server closed the connection");
			return -1;
		}
		if (r < 0) {
			snprintf(err, errlen, "%s", errno == EAGAIN || errno == EWOULDBLOCK ?
			    "no answer from the server in time" : strerror(errno));
			return -1;
		}
		c->cn_len += (size_t)r;
	}
}

void
conn_close(struct conn *c)
{
	if (c->cn_ssl) {
		SSL_shutdown(c->cn_ssl);
		SSL_free(c->cn_ssl);
	}
	SSL_CTX_free(c->cn_ctx);
	if (c->cn_fd >= 0)
		close(c->cn_fd);
	c->cn_ssl = NULL;
	c->cn_ctx = NULL;
	c->cn_fd = -1;
}
