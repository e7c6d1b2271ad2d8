/* nftx: the nftables table that vnet owns ("inet vnet") and the batches
 * that change it, each applied atomically through libnftables.
 *
 * One translation rewrites one connection: on output, the tuple the socket
 * uses (virtual) becomes the tuple on the wire (physical); on input the
 * reverse.  Output is rewritten after conntrack: the source in a filter
 * chain (priority -151; the route the socket chose still holds, so no
 * second route lookup per packet), the destination in a "route" chain
 * (priority -150, so the kernel routes the packet to the peer's new
 * address); input in prerouting before conntrack (priority -300):
 * conntrack and the host's firewall only ever see the virtual tuple, so
 * "ct state established" keeps matching.
 * Each field that a translation rewrites (saddr, sport, daddr, dport) has a
 * map keyed by the packet's tuple (O(1) lookups, no rule per connection);
 * the base chains set the fields one after the other, each map keyed by the
 * tuple as the earlier rewrites left it, and a miss leaves the field alone.
 * The table exists only while at least one translation does, so nothing
 * costs anything (and nothing of this table shows in the ruleset) until a
 * connection moves.  (Where conntrack tracks nothing and an unconnected
 * UDP socket owns a port, vnet's other table, inet vnetflow, follows UDP
 * flows: vnat/flowset.)
 *
 * The one thing the inet family cannot see is ARP: while a moved host
 * keeps its old IPv4 addresses on lo, a second table of the same name in
 * the arp family drops ARP requests for them and ARP from them, so the new
 * network never learns them.  (IPv6 needs nothing: the kernel answers
 * neighbour solicitations only for addresses of the receiving interface.) */
#ifndef VNET_NFTX_H
#define VNET_NFTX_H

#include <stddef.h>
#include <stdint.h>

#include "vnat/tuple.h"

#define NFTX_TABLE	"vnet"

/* The 16 maps: family 4/6, direction (0 out, 1 in), field index 0-3 in the
 * order that direction rewrites them. */
#define NFTX_NMAPS		16
#define NFTX_MAP(v, in, f)	(1u << (((v) == 6 ? 8 : 0) + ((in) ? 4 : 0) + (f)))

/* A batch that removes any table of ours (one left by a crash). */
int nftx_text_reset(char *buf, size_t len);
/* A batch that removes our tables (at exit). */
int nftx_text_destroy(char *buf, size_t len);
/* A batch that adds n translations; with_base creates the table, its maps
 * and base chains with the rules of the maps these translations use (the
 * first translation).  Returns the length, or -1 if
 * buf is too small. */
int nftx_text_add(const struct vnat_tuple *t, size_t n, int with_base, char *buf, size_t len);
/* The maps translation t puts elements in (NFTX_MAP bits). */
unsigned nftx_maps_of(const struct vnat_tuple *t);
/* A batch that replaces the rules of the maps in was by those of the maps
 * in mask: only maps in use cost a lookup per packet, and a base chain with
 * no rule is removed (no hook call per packet). */
int nftx_text_rules(unsigned was, unsigned mask, char *buf, size_t len);
/* A batch that removes n translations; drop_base removes the whole table
 * instead (the last translation). */
int nftx_text_del(const struct vnat_tuple *t, size_t n, int drop_base, char *buf, size_t len);
/* A batch that hides (add) or unhides a kept IPv4 address from ARP; edge:
 * the first address (creates the arp table) or the last (removes it). */
int nftx_text_arp(const uint8_t addr[4], int add, int edge, char *buf, size_t len);

struct nft_ctx;
/* Runs one batch (all or nothing).  0, or -1 with nftables' message in err. */
int nftx_apply(struct nft_ctx *nft, const char *batch, char *err, size_t errlen);
/* A libnftables context that buffers its output and errors; NULL on failure. */
struct nft_ctx *nftx_open(void);

#endif
