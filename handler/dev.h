/* dev (private to handler/): a device as this server's handlers share it.
 * One capture (one ring, one kernel filter: kfilt.c) and one injection
 * socket per device, opened when the first handler joins and closed when
 * the last leaves.  A captured frame goes to its handlers through a hash
 * table keyed by address (destination for handlers capturing by
 * destination, source for the others), so that its cost does not grow
 * with the number of handlers; entries shorter than 48 bits are few and
 * scanned.  What a handler injects is marked with this server's mark and
 * refused by the kernel filter; dev_inject hands it to the device's other
 * handlers itself, knowing who injected it: the loop guard drops it for
 * the handlers whose frames come from the same origin (doc/PROTOCOL.md,
 * "What a server injects does not come back"). */
#ifndef VNET_DEV_H
#define VNET_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <pcap/pcap.h>

#include "handler/inject.h"

struct dev;
struct handler;

/* A handler's place in its device, embedded in struct handler; dev.c's. */
struct dev_member {
	TAILQ_ENTRY(dev_member)	 dm_entry;
	struct handler		*dm_h;
	uint64_t		 dm_seq;	/* the last frame offered to it */
	bool			 dm_pending;	/* took frames: flush after the batch */
};

/* h (its conf set; m embedded in it) joins the device its conf names: the
 * device is opened if h is the first, and h's addresses enter the table
 * and the kernel filter.  NULL with the reason in err. */
struct dev *dev_join(struct event_base *base, struct handler *h, struct dev_member *m,
    char *err, size_t errlen);
/* h leaves d (the kernel filter forgets its addresses); the last one
 * closes d. */
void dev_leave(struct dev *d, struct dev_member *m);
/* Injects a frame that from received from its peer, and hands it to the
 * device's other handlers as the kernel would have (but for those with
 * from's origin: counted as loops). */
enum inj_result dev_inject(struct dev *d, struct handler *from, uint8_t *frame, size_t len);
/* The MTU of d's device. */
unsigned dev_mtu(const struct dev *d);
/* Frames the kernel dropped on d because its ring was full. */
uint64_t dev_kernel_drops(struct dev *d);
/* Frames d's kernel filter passed that no handler took (while the union
 * filter is in place: frames caught before it was attached). */
uint64_t dev_unmatched(const struct dev *d);
/* The SO_MARK of every frame this server injects: HANDLER_MARK_BASE and a
 * random number, drawn once (not 0). */
uint32_t dev_mark(void);

/* handler.c: a captured frame (or one injected by another handler of the
 * device) that passed h's filter: queued to the peer (true) or dropped
 * and counted (false). */
bool handler_cap_frame(struct handler *h, const struct pcap_pkthdr *ph, const u_char *data);
/* handler.c: writes what the frames of a batch queued. */
void handler_cap_flush(struct handler *h);
/* handler.c: a frame injected from where h sends would go back (a loop). */
void handler_cap_loop(struct handler *h);

#endif
