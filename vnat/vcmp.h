/* vcmp: the VNAT control messages VNAT_UPD and VNAT_UPD_R (seed 001,
 * section 3.3.2.2, figures 3-4 and 3-5) and VNAT_SUS and VNAT_SUS_R, sent
 * over TCP to port 2031; byte by byte in doc/PROTOCOL.md, "VCMP".
 *
 * Version 1 is the seed's layout to the bit: 20 bytes, 32-bit aligned,
 * network byte order, IPv4, one connection:
 *
 *    0       8       16              31
 *   +-------+-------+---------------+
 *   |Version|Command|  R_Vir_Port   |   VNAT_UPD_R: R_Vir_Port not used (0)
 *   +-------+-------+---------------+
 *   |          R_Vir_Addr           |   VNAT_UPD_R: not used (0)
 *   +-------------------------------+
 *   |          L_Vir_Addr           |   VNAT_UPD_R: not used (0)
 *   +-------------------------------+
 *   |          L_Phy_Addr           |
 *   +---------------+---------------+
 *   |  L_Vir_Port   |  L_Phy_Port   |   VNAT_UPD_R: L_Vir_Port not used (0)
 *   +---------------+---------------+
 *
 * Version 2 carries many connections of one peer in one message, IPv4 or
 * IPv6, and the transport protocol of each:
 *
 *   header (8 bytes): Version=2 | Command | Family (4 or 6) | Flags
 *                     Count (16 bits) | Length of the whole message (16 bits)
 *   then Count entries, each 8 bytes + 3 addresses of 4 or 16 bytes:
 *                     Proto (6 TCP, 17 UDP) | 0 | R_Vir_Port (16)
 *                     L_Vir_Port (16) | L_Phy_Port (16)
 *                     R_Vir_Addr | L_Vir_Addr | L_Phy_Addr
 *
 * Version 2 adds VNAT_SUS (3) and VNAT_SUS_R (4), same layout: at SUSPEND the
 * host tells each peer which connections it suspends (L_Phy = where they
 * are now); the peer answers like VNAT_UPD_R but changes nothing.
 *
 * Flags: bit 0 (MORE) = more messages of the same exchange follow on this
 * connection; bit 1 (KEY, VNAT_SUS and VNAT_SUS_R only) = the sender's
 * 32-byte X25519 public key follows the header; bit 2 (AUTH, VNAT_UPD
 * only) = after the entries, per entry a 64-bit counter and a 32-byte
 * HMAC-SHA256 tag (vnat/vkey); the other bits are 0.  An exchange is up to
 * VCMP_EXCHANGE_MAX_MSGS messages of one family, handled as one: one look
 * at the kernel's sockets and one nftables transaction for all of them,
 * answered message by message, in order.
 *
 * The validators and codecs below are pure: no I/O, no allocation. */
#ifndef VNET_VCMP_H
#define VNET_VCMP_H

#include <stddef.h>
#include <stdint.h>

#define VCMP_PORT		2031
#define VCMP_V1			1
#define VCMP_V2			2
#define VCMP_UPD		1
#define VCMP_UPD_R		2
#define VCMP_SUS		3	/* version 2: the sender suspends these connections */
#define VCMP_SUS_R		4
#define VCMP_V1_LEN		20
#define VCMP_V2_HDR		8
#define VCMP_V2_MAX_ENTRIES	1024	/* per message; more go in further messages */
#define VCMP_F_MORE		0x01
#define VCMP_F_KEY		0x02	/* VNAT_SUS(_R): a 32-byte X25519 key after the header */
#define VCMP_F_AUTH		0x04	/* VNAT_UPD: per entry a counter and a tag, at the end */
#define VCMP_KEY_LEN		32
#define VCMP_AUTH_LEN		40	/* counter (64 bits) + HMAC-SHA256 tag */
#define VCMP_EXCHANGE_MAX_MSGS	32	/* 32,768 connections per exchange */
#define VCMP_V2_MAX_LEN		65535	/* the 16-bit length field */
#define VCMP_AUTH_MAX_ENTRIES	512	/* per authenticated message (IPv6 fits) */

struct vcmp_entry {
	uint8_t		ve_proto;		/* 6 or 17; version 1: 6 */
	uint16_t	ve_rvir_port, ve_lvir_port, ve_lphy_port;
	uint8_t		ve_rvir[16], ve_lvir[16], ve_lphy[16];	/* 4 or 16 bytes used */
	uint64_t	ve_ctr;			/* VCMP_F_AUTH: 0 = no key */
	uint8_t		ve_tag[32];
};

struct vcmp_msg {
	uint8_t			 vm_version, vm_cmd, vm_family;	/* family 4 or 6 */
	uint16_t		 vm_count;
	struct vcmp_entry	*vm_e;		/* caller's array of vm_cap entries */
	uint16_t		 vm_cap;
	uint8_t			 vm_flags;	/* version 2: VCMP_F_* */
	uint8_t			 vm_key[VCMP_KEY_LEN];	/* VCMP_F_KEY */
};

/* Checks the message at the front of buf (len bytes available).  Returns
 * its total length when whole and well-formed, VNET_ERR_SHORT when more
 * bytes are needed, VNET_ERR_TYPE for an unknown version or command,
 * VNET_ERR_SIZE for a bad count or length, VNET_ERR_VALUE for a bad family,
 * protocol or flag. */
int vcmp_validate(const uint8_t *buf, size_t len);
/* Decodes a message vcmp_validate accepted into m (entries into m->vm_e, at
 * most m->vm_cap).  Returns its length or a VNET_ERR_* code. */
int vcmp_decode(const uint8_t *buf, size_t len, struct vcmp_msg *m);
/* Encodes m into out (cap bytes); version 1 needs family 4 and one entry.
 * Returns the length written or VNET_ERR_SIZE / VNET_ERR_VALUE. */
int vcmp_encode(const struct vcmp_msg *m, uint8_t *out, size_t cap);
/* The length of what a VCMP_F_AUTH message's tags cover (the header, the
 * entries) and where entry i's 32-byte tag sits in it (pure). */
size_t vcmp_body_len(const uint8_t *msg);
size_t vcmp_tag_off(const uint8_t *msg, uint16_t i);
/* The number of entries of a message vcmp_validate accepted (1 for version
 * 1): what vm_cap must hold to decode it. */
uint16_t vcmp_count(const uint8_t *msg);

#endif
