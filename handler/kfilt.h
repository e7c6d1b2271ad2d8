/* kfilt: the kernel (classic BPF) filter of a device's one capture, shared
 * by every handler on it.  It refuses what this server injected (the
 * frames carrying its mark: they are handed to the device's other handlers
 * in user space, dev.c) and accepts a frame whose destination or source
 * falls in the union of the handlers' entries.  It is a superset of what
 * the handlers take (a handler capturing by destination also refuses its
 * own unicast sources: filt_match in user space); when the union does not
 * fit in BPF_MAXINSNS instructions (about 800 addresses), the filter
 * becomes the coarse one: everything not injected by this server. */
#ifndef VNET_KFILT_H
#define VNET_KFILT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#include "common/mac.h"

#define KFILT_GUARD_LEN	3	/* instructions of the mark test at the start */

/* One entry of the union: an address or prefix at offset 0 (destination)
 * or 6 (source). */
struct kfilt_ent {
	struct mac_entry	ke_mac;
	uint8_t			ke_off;
};

/* Writes the filter for the n entries into out (room for max
 * instructions): frames with skb mark equal to mark are refused, matching
 * ones accepted with snap bytes.  Returns the instruction count; when the
 * union needs more than max, the coarse filter (and *coarse = 1). */
size_t kfilt_build(const struct kfilt_ent *e, size_t n, uint32_t mark, uint32_t snap,
    struct sock_filter *out, size_t max, int *coarse);

#endif
