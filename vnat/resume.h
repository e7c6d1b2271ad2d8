/* resume: the moving side of a migration (doc/PROTOCOL.md, "VNAT requests"
 * and "VCMP"; the design is seed 001, 3.3.2).  Re-homes the virtual
 * connections whose physical address is gone (with an address given: those
 * of its family not on it; after SUSPEND also every suspended one, moved or
 * not), except one whose new tuple is another connection's, unless its
 * policy preempts that one (vnat/conflict).  Keeps their old addresses on
 * lo (vnat/kept); installs the input side of their translations in one
 * nftables batch before telling anyone, so that the peer's first packets
 * to the new address are not answered with a reset; tells every affected
 * peer with one VCMP exchange each (VNAT_UPD / VNAT_UPD_R, version 2, tagged
 * with the keys agreed at SUSPEND: vnat/xchg); then, once every peer has
 * answered or timed out, removes in one batch the input side of the
 * connections no peer confirmed and applies the confirmed ones both ways in
 * another. */
#ifndef VNET_RESUME_H
#define VNET_RESUME_H

#include <stddef.h>

#include "vnat/vnat.h"

/* Starts a RESUME (vnat/op's lifecycle); addr (may be NULL) is the new
 * address to use.  Returns 0 and later calls done once, from the loop, or
 * -1 with the reason in err (nothing to do, an operation running, ...). */
int resume_start(struct vnat *v, const char *addr, vnat_op_done_cb *done, void *arg,
    char *err, size_t errlen);

#endif
