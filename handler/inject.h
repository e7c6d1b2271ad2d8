/* inject: send frames out of a device through libnet's link-layer socket,
 * with a virtio-net header so the kernel completes checksums and segments
 * super-frames, and with a mark that the capture guard recognises. */
#ifndef VNET_INJECT_H
#define VNET_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include <libnet.h>

struct inj {
	libnet_t	*i_ln;
	int		 i_fd;
	int		 i_ifindex;
	unsigned	 i_mtu;
	char		 i_dev[16];
};

enum inj_result {
	INJ_OK = 0,
	INJ_TOO_BIG = -1,	/* over the MTU and not segmentable */
	INJ_BUSY = -2,		/* device or socket buffer full */
	INJ_ERROR = -3,		/* any other send error (errno set) */
	INJ_MALFORMED = -4,	/* headers cut short */
};

/* Opens dev for injection; every frame sent carries mark.  NULL with err set. */
struct inj *inj_open(const char *dev, uint32_t mark, char *err, size_t errlen);
/* Sends one frame (may rewrite its checksum field). */
enum inj_result inj_send(struct inj *i, uint8_t *frame, size_t len);
/* Re-reads the device MTU (it may change while a handler runs). */
void inj_refresh_mtu(struct inj *i);
/* Frames injected from now on carry mark; -1 with err set. */
int inj_set_mark(struct inj *i, uint32_t mark, char *err, size_t errlen);
/* Closes the socket and frees i. */
void inj_close(struct inj *i);

#endif
