/* proto: the text protocol (doc/PROTOCOL.md, "Text mode"): the seed's
 * requests (HELLO, DONE, DEVICES?, HANDLERS?, CLOSE, HANDLE, BEGIN) plus
 * STATS?, PEER, BEGIN's token= and records=1 ("BEGIN's extensions") and
 * the VNAT requests ("VNAT requests"); parsing of one request line into a
 * message.  Every function here is pure: no I/O, no allocation. */
#ifndef VNET_PROTO_H
#define VNET_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mac.h"

#define PROTO_LINE_MAX	4096	/* longest request line, terminator excluded */
#define PROTO_TOK_MAX	(MAC_LIST_MAX + 10)
#define PROTO_PASS_MAX	256
#define PROTO_HOST_MAX	253
#define PROTO_DEV_MAX	15	/* IFNAMSIZ - 1 */
#define PROTO_VERSION	"1.0"	/* sent in HELLO and answered in OK */
#define PROTO_INSTANCE_LEN 32	/* a server's instance: hex digits, PEER */
#define PROTO_GONE_PREFIX "handler closed here"	/* NOK to a BEGIN whose token was CLOSEd */

enum proto_cmd {
	PROTO_HELLO, PROTO_DONE, PROTO_DEVICES, PROTO_HANDLERS, PROTO_CLOSE,
	PROTO_HANDLE, PROTO_BEGIN, PROTO_STATS, PROTO_VNAT, PROTO_PEER,
};

/* VNAT PROCS? | ADD name | DEL name | CONNS? | SUSPEND | RESUME [address] */
enum proto_vnat { PV_PROCS, PV_ADD, PV_DEL, PV_CONNS, PV_STATS, PV_SUSPEND, PV_RESUME, PV_HELPER, PV_CONFLICT };
#define PROTO_PROC_MAX	15	/* a process name (comm) */

enum proto_role { PROTO_LOCAL, PROTO_REMOTE };

struct proto_msg {
	enum proto_cmd	 pm_cmd;
	char		 pm_password[PROTO_PASS_MAX + 1];	/* HELLO, HANDLE */
	char		 pm_version[33];			/* HELLO */
	uint32_t	 pm_id;					/* CLOSE, STATS? */
	bool		 pm_has_id;				/* STATS? id */
	enum proto_role	 pm_lrole, pm_rrole;			/* HANDLE, BEGIN */
	char		 pm_ldev[PROTO_DEV_MAX + 1];
	char		 pm_rdev[PROTO_DEV_MAX + 1];
	char		 pm_rhost[PROTO_HOST_MAX + 1];		/* HANDLE */
	uint16_t	 pm_rport;				/* HANDLE */
	struct mac_list	 pm_addrs;				/* HANDLE, BEGIN */
	enum proto_vnat	 pm_vnat;				/* VNAT */
	char		 pm_name[PROTO_PROC_MAX + 1];		/* VNAT ADD/DEL */
	char		 pm_addr[64];				/* VNAT RESUME */
	char		 pm_mode[272];				/* VNAT HELPER */
	char		 pm_instance[PROTO_INSTANCE_LEN + 1];	/* PEER */
	char		 pm_token[PROTO_INSTANCE_LEN + 1];	/* BEGIN token= */
	bool		 pm_records;				/* BEGIN records=1 */
};

/* Splits line in place on blanks into at most max tokens; returns the count,
 * or VNET_ERR_SIZE for too many tokens, VNET_ERR_SYNTAX for a control byte. */
int proto_tokenize(char *line, char **tok, size_t max);
/* Parses one request line (without its \n or \r\n).  Returns 0, or a
 * VNET_ERR_* code with the reason for the NOK reply written into err. */
int proto_parse(const char *line, struct proto_msg *m, char *err, size_t errlen);
/* "LOCAL" or "REMOTE". */
const char *proto_role_name(enum proto_role r);
/* Parses LOCAL/REMOTE (any case); returns 0 or VNET_ERR_VALUE. */
int proto_role_parse(const char *s, enum proto_role *r);
/* Parses a decimal number in [min,max] with strtoul and an end check. */
int proto_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* True when s is a usable interface name. */
bool proto_valid_dev(const char *s);
/* True when s is a usable host name or address literal. */
bool proto_valid_host(const char *s);
/* True when s is a server instance or a handler token: PROTO_INSTANCE_LEN
 * lowercase hex digits. */
bool proto_valid_instance(const char *s);
/* Classifies a reply line: 1 for "OK ...", 0 for "NOK ...", -1 otherwise;
 * *rest points at the text after the status word. */
int proto_reply_status(const char *line, const char **rest);

#endif
