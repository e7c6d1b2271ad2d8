/* kfilt: classic BPF union filter over a device's handlers' addresses. */
#include "handler/kfilt.h"

#include <stdbool.h>
#include <string.h>

#define INS(c, t, f, kk) ((struct sock_filter){ (uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (kk) })

/* a compare of up to 4 bytes of an entry: load, mask, value */
struct chunk {
	uint16_t	load;	/* BPF_W or BPF_H */
	uint32_t	off, mask, val;
};

static uint32_t
be_bytes(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* splits an entry into its compares (0 for a /0 entry: it matches all) */
static unsigned
chunks_of(const struct kfilt_ent *e, struct chunk c[2])
{
	unsigned plen = e->ke_mac.me_plen, n = 0, bits;

	if (plen > 0) {
		bits = plen > 32 ? 32 : plen;
		c[n].load = BPF_W;
		c[n].off = e->ke_off;
		c[n].mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
		c[n].val = be_bytes(e->ke_mac.me_addr, 4) & c[n].mask;
		n++;
	}
	if (plen > 32) {
		bits = plen - 32;
		c[n].load = BPF_H;
		c[n].off = e->ke_off + 4u;
		c[n].mask = (0xffffu << (16 - bits)) & 0xffffu;
		c[n].val = be_bytes(e->ke_mac.me_addr + 4, 2) & c[n].mask;
		n++;
	}
	return n;
}

/* instructions of one entry: per compare a load, a mask unless full, a jump */
static size_t
ent_len(const struct chunk *c, unsigned nc)
{
	size_t len = 1;	/* the jump to accept */

	for (unsigned i = 0; i < nc; i++)
		len += (c[i].load == BPF_W ? c[i].mask != 0xffffffffu : c[i].mask != 0xffffu) ? 3 : 2;
	return len;
}

/* scratch words: the high 16 and low 32 bits of destination and source */
enum { M_DHI, M_DLO, M_SHI, M_SLO, PRELOAD = 8 };

/* one 48-bit entry, with A holding the low word of its address: compare
 * the low word (a miss goes on to the next entry with A unchanged), then
 * the high half; a miss there loads the low word again */
static size_t
emit_exact(struct sock_filter *out, size_t k, const struct kfilt_ent *e, size_t accept)
{
	unsigned hi = e->ke_off ? M_SHI : M_DHI, lo = e->ke_off ? M_SLO : M_DLO;

	out[k] = INS(BPF_JMP | BPF_JEQ | BPF_K, 0, 4, be_bytes(e->ke_mac.me_addr + 2, 4));
	out[k + 1] = INS(BPF_LD | BPF_MEM, 0, 0, hi);
	out[k + 2] = INS(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, be_bytes(e->ke_mac.me_addr, 2));
	out[k + 3] = INS(BPF_JMP | BPF_JA, 0, 0, (uint32_t)(accept - (k + 4)));
	out[k + 4] = INS(BPF_LD | BPF_MEM, 0, 0, lo);
	return k + 5;
}

/* an entry shorter than 48 bits, loaded from the frame */
static size_t
emit_prefix(struct sock_filter *out, size_t k, const struct kfilt_ent *e, size_t accept)
{
	struct chunk c[2];
	unsigned nc = chunks_of(e, c);
	size_t end = k + ent_len(c, nc);	/* the instruction after the jump */

	for (unsigned j = 0; j < nc; j++) {
		bool full = c[j].load == BPF_W ? c[j].mask == 0xffffffffu : c[j].mask == 0xffffu;

		out[k++] = INS(BPF_LD | c[j].load | BPF_ABS, 0, 0, c[j].off);
		if (!full)
			out[k++] = INS(BPF_ALU | BPF_AND | BPF_K, 0, 0, c[j].mask);
		/* a miss skips to the next entry: at most 7 ahead */
		out[k] = INS(BPF_JMP | BPF_JEQ | BPF_K, 0, end - (k + 1), c[j].val);
		k++;
	}
	out[k] = INS(BPF_JMP | BPF_JA, 0, 0, (uint32_t)(accept - (k + 1)));
	return k + 1;
}

static const struct sock_filter preload[PRELOAD] = {
	INS(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), INS(BPF_ST, 0, 0, M_DHI),
	INS(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), INS(BPF_ST, 0, 0, M_DLO),
	INS(BPF_LD | BPF_H | BPF_ABS, 0, 0, 6), INS(BPF_ST, 0, 0, M_SHI),
	INS(BPF_LD | BPF_W | BPF_ABS, 0, 0, 8), INS(BPF_ST, 0, 0, M_SLO),
};

size_t
kfilt_build(const struct kfilt_ent *e, size_t n, uint32_t mark, uint32_t snap,
    struct sock_filter *out, size_t max, int *coarse)
{
	size_t k = 0, i, need = KFILT_GUARD_LEN + PRELOAD + 2 + 2, accept;
	struct chunk c[2];
	unsigned off;

	*coarse = 0;
	for (i = 0; i < n; i++)
		need += e[i].ke_mac.me_plen == 48 ? 5 : ent_len(c, chunks_of(&e[i], c));
	out[k++] = INS(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_MARK));
	out[k++] = INS(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, mark);
	out[k++] = INS(BPF_RET | BPF_K, 0, 0, 0);
	if (need > max) {
		*coarse = 1;
		out[k++] = INS(BPF_RET | BPF_K, 0, 0, snap);
		return k;
	}
	accept = need - 1;
	memcpy(out + k, preload, sizeof(preload));
	k += PRELOAD;
	/* the exact entries at the destination, then at the source: A holds
	 * the low word of the address they are compared with */
	for (off = 0; off <= MAC_LEN; off += MAC_LEN) {
		out[k++] = INS(BPF_LD | BPF_MEM, 0, 0, off ? M_SLO : M_DLO);
		for (i = 0; i < n; i++)
			if (e[i].ke_mac.me_plen == 48 && e[i].ke_off == off)
				k = emit_exact(out, k, &e[i], accept);
	}
	for (i = 0; i < n; i++)
		if (e[i].ke_mac.me_plen != 48)
			k = emit_prefix(out, k, &e[i], accept);
	out[k++] = INS(BPF_RET | BPF_K, 0, 0, 0);
	out[k++] = INS(BPF_RET | BPF_K, 0, 0, snap);
	return k;
}
