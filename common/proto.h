/* proto: the text protocol (doc/PROTOCOL.md, "Text mode"): the seed's
 * requests (HELLO, DONE, DEVICES?, HANDLERS?, CLOSE, HANDLE, BEGIN) plus
 * STATS?, PEER, BEGIN's token= and records=1 ("BEGIN's extensions") and
 * the VNAT requests ("VNAT requests"): the table of requests (proto_reqs)
 * and the parsing of one request line into a message.  Every function
 * here is pure: no I/O, no allocation. */
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

/* The requests of the text protocol, in the order the NOK to an unknown
 * one lists them: X(enum constant, short name).  The enum below and the
 * server's dispatcher are made from this list, so that a request without
 * a handler there does not compile (server/ctl.c: req_<short name>). */
#define PROTO_REQUESTS(X) \
	X(PROTO_HELLO, hello) X(PROTO_DONE, done) X(PROTO_DEVICES, devices) \
	X(PROTO_HANDLERS, handlers) X(PROTO_STATS, stats) X(PROTO_CLOSE, close) \
	X(PROTO_HANDLE, handle) X(PROTO_BEGIN, begin) X(PROTO_VNAT, vnat) X(PROTO_PEER, peer)

enum proto_cmd {
#define PROTO_ENUM(e, f)	e,
	PROTO_REQUESTS(PROTO_ENUM)
#undef PROTO_ENUM
};
/* not an enumerator, so that a switch over the requests can be complete */
#define PROTO_COUNT(e, f)	+ 1
enum { PROTO_NCMDS = 0 PROTO_REQUESTS(PROTO_COUNT) };
#undef PROTO_COUNT

/* VNAT PROCS? | ADD name | DEL name | CONNS? | STATS? | SUSPEND | RESUME
 * [address] | HELPER name mode | CONFLICT name policy | HELPERS? | CONFLICTS? */
enum proto_vnat { PV_PROCS, PV_ADD, PV_DEL, PV_CONNS, PV_STATS, PV_SUSPEND, PV_RESUME, PV_HELPER,
	PV_CONFLICT, PV_HELPERS, PV_CONFLICTS };
#define PV_NCMDS	(PV_CONFLICTS + 1)
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
	char		 pm_mode[272];				/* VNAT HELPER, CONFLICT, ADD */
	char		 pm_instance[PROTO_INSTANCE_LEN + 1];	/* PEER */
	char		 pm_token[PROTO_INSTANCE_LEN + 1];	/* BEGIN token= */
	bool		 pm_records;				/* BEGIN records=1 */
};

/* Parses the n words of one request (tok[0] its name, their count already
 * checked against the table) into m: 0, or VNET_ERR_* with why in err. */
typedef int proto_parse_fn(struct proto_msg *m, char **tok, int n, char *err, size_t errlen);

#define PROTO_ARGS_ANY	(-1)	/* pr_max: no upper bound */

/* One request of the text protocol (or one VNAT sub-command): the one
 * description that the parser, the server's dispatcher (by the same
 * index), and the client's reading of answers use. */
struct proto_req {
	const char	*pr_name;	/* the first word (the second after VNAT), any case */
	const char	*pr_args;	/* the NOK "usage: NAME ARGS" says what follows */
	int		 pr_min, pr_max;	/* words after the name; PROTO_ARGS_ANY */
	unsigned	 pr_flags;	/* PROTO_AUTH, PROTO_LIST */
	proto_parse_fn	*pr_parse;	/* the words (tok[0] the name) once counted; NULL: none */
	const struct proto_req *pr_sub;	/* VNAT: proto_vnat_reqs, its second word */
};
#define PROTO_AUTH	0x1	/* only after HELLO was answered OK */
#define PROTO_LIST	0x2	/* answered by OK, a count, that many lines */

/* The requests, indexed by enum proto_cmd; VNAT's, by enum proto_vnat. */
extern const struct proto_req proto_reqs[PROTO_NCMDS];
extern const struct proto_req proto_vnat_reqs[PV_NCMDS];

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
/* True when the answer to request line is a list (pr_list of its first
 * word, or for VNAT of its second); false for a line that is no request. */
bool proto_answers_list(const char *line);
/* Classifies a reply line: 1 for "OK ...", 0 for "NOK ...", -1 otherwise;
 * *rest points at the text after the status word. */
int proto_reply_status(const char *line, const char **rest);

#endif
