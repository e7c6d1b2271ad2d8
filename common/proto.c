/* proto: validate and parse text protocol request lines. */
#include "common/proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "common/err.h"

int
proto_tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (const unsigned char *c = (const unsigned char *)line; *c; c++)
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			return VNET_ERR_SYNTAX;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == max)
			return VNET_ERR_SIZE;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return (int)n;
}

const char *
proto_role_name(enum proto_role r)
{
	return r == PROTO_LOCAL ? "LOCAL" : "REMOTE";
}

int
proto_role_parse(const char *s, enum proto_role *r)
{
	if (strcasecmp(s, "LOCAL") == 0)
		*r = PROTO_LOCAL;
	else if (strcasecmp(s, "REMOTE") == 0)
		*r = PROTO_REMOTE;
	else
		return VNET_ERR_VALUE;
	return VNET_OK;
}

int
proto_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return VNET_ERR_SYNTAX;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return VNET_ERR_SYNTAX;
	if (errno == ERANGE || v < min || v > max)
		return VNET_ERR_VALUE;
	*out = (uint32_t)v;
	return VNET_OK;
}

bool
proto_valid_dev(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROTO_DEV_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

bool
proto_valid_host(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROTO_HOST_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == ':' ||
		    *s == '_' || *s == '%'))
			return false;
	return true;
}

bool
proto_valid_instance(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == PROTO_INSTANCE_LEN;
}

static int
copy_tok(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return VNET_ERR_SIZE;
	memcpy(dst, src, n + 1);
	return VNET_OK;
}

static int
parse_dev(char *dst, const char *src, const char *what, char *err, size_t errlen)
{
	if (!proto_valid_dev(src)) {
		snprintf(err, errlen, "bad %s device name '%.40s'", what, src);
		return VNET_ERR_VALUE;
	}
	return copy_tok(dst, PROTO_DEV_MAX + 1, src);
}

static int
parse_roles(struct proto_msg *m, const char *l, const char *r, char *err, size_t errlen)
{
	if (proto_role_parse(l, &m->pm_lrole) || proto_role_parse(r, &m->pm_rrole)) {
		snprintf(err, errlen, "config must be LOCAL or REMOTE, got '%.20s' and '%.20s'", l, r);
		return VNET_ERR_VALUE;
	}
	if (m->pm_lrole == m->pm_rrole) {
		snprintf(err, errlen, "one side must be LOCAL and the other REMOTE");
		return VNET_ERR_VALUE;
	}
	return VNET_OK;
}

static int
usage(const char *prefix, const struct proto_req *r, char *err, size_t errlen)
{
	snprintf(err, errlen, "usage: %s%s%s%s", prefix, r->pr_name, r->pr_args[0] ? " " : "",
	    r->pr_args);
	return VNET_ERR_SYNTAX;
}

static int
parse_hello(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	(void)n;
	if (copy_tok(m->pm_password, sizeof(m->pm_password), tok[1]) ||
	    copy_tok(m->pm_version, sizeof(m->pm_version), tok[2])) {
		snprintf(err, errlen, "password or version too long");
		return VNET_ERR_SIZE;
	}
	return VNET_OK;
}

/* CLOSE id, STATS? [id] */
static int
parse_id(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	if (n == 1)
		return VNET_OK;
	if (proto_parse_u32(tok[1], 1, UINT32_MAX, &m->pm_id))
		return usage("", &proto_reqs[m->pm_cmd], err, errlen);
	m->pm_has_id = true;
	return VNET_OK;
}

static int
parse_handle(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	uint32_t port;
	int rc;

	/* HANDLE pw lcfg ldev rcfg raddr rport rdev addresses+ */
	if (copy_tok(m->pm_password, sizeof(m->pm_password), tok[1])) {
		snprintf(err, errlen, "password too long");
		return VNET_ERR_SIZE;
	}
	if ((rc = parse_roles(m, tok[2], tok[4], err, errlen)) ||
	    (rc = parse_dev(m->pm_ldev, tok[3], "local", err, errlen)) ||
	    (rc = parse_dev(m->pm_rdev, tok[7], "remote", err, errlen)))
		return rc;
	if (!proto_valid_host(tok[5])) {
		snprintf(err, errlen, "bad remote address '%.60s'", tok[5]);
		return VNET_ERR_VALUE;
	}
	copy_tok(m->pm_rhost, sizeof(m->pm_rhost), tok[5]);
	if (proto_parse_u32(tok[6], 1, 65535, &port)) {
		snprintf(err, errlen, "bad remote port '%.20s' (1-65535)", tok[6]);
		return VNET_ERR_VALUE;
	}
	m->pm_rport = (uint16_t)port;
	return mac_list_parse(tok + 8, (size_t)n - 8, &m->pm_addrs, err, errlen);
}

/* BEGIN's extensions (doc/PROTOCOL.md), after the addresses: token=HEX
 * (the dialling server's handler, so that it is recognised when it comes
 * back) and records=1 (keepalive and goodbye records understood).  An
 * address never holds '='. */
static int
parse_begin_ext(struct proto_msg *m, char *const *tok, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		if (strncmp(tok[i], "token=", 6) == 0 && proto_valid_instance(tok[i] + 6) &&
		    m->pm_token[0] == '\0')
			memcpy(m->pm_token, tok[i] + 6, PROTO_INSTANCE_LEN + 1);
		else if (strcmp(tok[i], "records=1") == 0)
			m->pm_records = true;
		else {
			snprintf(err, errlen, "bad BEGIN extension '%.40s' (token=%d hex digits, "
			    "records=1)", tok[i], PROTO_INSTANCE_LEN);
			return VNET_ERR_VALUE;
		}
	}
	return VNET_OK;
}

static int
parse_begin(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	int rc, naddr;

	/* BEGIN lcfg ldev rcfg rdev addresses+ [extensions] */
	if ((rc = parse_roles(m, tok[1], tok[3], err, errlen)) ||
	    (rc = parse_dev(m->pm_ldev, tok[2], "local", err, errlen)) ||
	    (rc = parse_dev(m->pm_rdev, tok[4], "remote", err, errlen)))
		return rc;
	for (naddr = 0; 5 + naddr < n && strchr(tok[5 + naddr], '=') == NULL; naddr++)
		;
	if ((rc = mac_list_parse(tok + 5, (size_t)naddr, &m->pm_addrs, err, errlen)))
		return rc;
	return parse_begin_ext(m, tok + 5 + naddr, n - 5 - naddr, err, errlen);
}

static int
parse_peer(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	(void)n;
	if (!proto_valid_instance(tok[1]))
		return usage("", &proto_reqs[PROTO_PEER], err, errlen);
	memcpy(m->pm_instance, tok[1], PROTO_INSTANCE_LEN + 1);
	return VNET_OK;
}

/* VNAT ADD name [hide], DEL name; with HELPER and CONFLICT, a mode follows */
static int
parse_vname(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	if (strlen(tok[1]) > PROTO_PROC_MAX) {
		snprintf(err, errlen, "process name '%.40s' is longer than %d characters",
		    tok[1], PROTO_PROC_MAX);
		return VNET_ERR_VALUE;
	}
	memcpy(m->pm_name, tok[1], strlen(tok[1]) + 1);
	if (n < 3)
		return VNET_OK;
	if (strlen(tok[2]) >= sizeof(m->pm_mode)) {
		snprintf(err, errlen, "helper mode longer than %zu characters",
		    sizeof(m->pm_mode) - 1);
		return VNET_ERR_VALUE;
	}
	memcpy(m->pm_mode, tok[2], strlen(tok[2]) + 1);
	return VNET_OK;
}

/* VNAT RESUME [address] */
static int
parse_vaddr(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	unsigned char a[16];

	if (n == 1)
		return VNET_OK;
	if (inet_pton(AF_INET, tok[1], a) != 1 && inet_pton(AF_INET6, tok[1], a) != 1) {
		snprintf(err, errlen, "'%.60s' is not an IP address", tok[1]);
		return VNET_ERR_VALUE;
	}
	memcpy(m->pm_addr, tok[1], strlen(tok[1]) + 1);
	return VNET_OK;
}

static int parse_vnat(struct proto_msg *m, char **tok, int n, char *err, size_t errlen);

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* The requests of doc/PROTOCOL.md, "Text mode" and "VNAT requests".
 * pr_args is the text of the usage NOK, kept as it was sent (STATS?'s
 * names its argument twice); VNAT's lists its sub-commands. */
#define A	PROTO_AUTH
#define L	PROTO_LIST
const struct proto_req proto_reqs[PROTO_NCMDS] = {
	[PROTO_HELLO] = { "HELLO", "password version", 2, 2, 0, parse_hello, NULL },
	[PROTO_DONE] = { "DONE", "(no arguments)", 0, 0, A, NULL, NULL },
	[PROTO_DEVICES] = { "DEVICES?", "(no arguments)", 0, 0, A | L, NULL, NULL },
	[PROTO_HANDLERS] = { "HANDLERS?", "(no arguments)", 0, 0, A | L, NULL, NULL },
	[PROTO_STATS] = { "STATS?", "[identifier] identifier (a handler number from HANDLERS?)",
	    0, 1, A | L, parse_id, NULL },
	[PROTO_CLOSE] = { "CLOSE", "identifier (a handler number from HANDLERS?)", 1, 1, A,
	    parse_id, NULL },
	[PROTO_HANDLE] = { "HANDLE", "password_of_remote_bridge local_config local_device "
	    "remote_config remote_address remote_port remote_device addresses+", 8,
	    PROTO_ARGS_ANY, A, parse_handle, NULL },
	[PROTO_BEGIN] = { "BEGIN", "local_config local_device remote_config remote_device "
	    "addresses+", 5, PROTO_ARGS_ANY, A, parse_begin, NULL },
	[PROTO_VNAT] = { "VNAT", "PROCS? | ADD name [hide] | DEL name | CONNS? | STATS? | HELPER name "
	    "mode | CONFLICT name abort|preempt | SUSPEND | RESUME [address] | HELPERS? | "
	    "CONFLICTS?", 1, PROTO_ARGS_ANY, A, parse_vnat, proto_vnat_reqs },
	[PROTO_PEER] = { "PEER", "instance (" STR(PROTO_INSTANCE_LEN) " hex digits)", 1, 1, A,
	    parse_peer, NULL },
};

const struct proto_req proto_vnat_reqs[PV_NCMDS] = {
	[PV_PROCS] = { "PROCS?", "", 0, 0, A | L, NULL, NULL },
	[PV_ADD] = { "ADD", "name [hide]", 1, 2, A, parse_vname, NULL },
	[PV_DEL] = { "DEL", "name", 1, 1, A, parse_vname, NULL },
	[PV_CONNS] = { "CONNS?", "", 0, 0, A | L, NULL, NULL },
	[PV_STATS] = { "STATS?", "", 0, 0, A, NULL, NULL },
	[PV_SUSPEND] = { "SUSPEND", "", 0, 0, A, NULL, NULL },
	[PV_RESUME] = { "RESUME", "[address]", 0, 1, A, parse_vaddr, NULL },
	[PV_HELPER] = { "HELPER", "name mode", 2, 2, A, parse_vname, NULL },
	[PV_CONFLICT] = { "CONFLICT", "name mode", 2, 2, A, parse_vname, NULL },
	[PV_HELPERS] = { "HELPERS?", "", 0, 0, A | L, NULL, NULL },
	[PV_CONFLICTS] = { "CONFLICTS?", "", 0, 0, A | L, NULL, NULL },
};
#undef A
#undef L

static const struct proto_req *
find(const struct proto_req *t, size_t nt, const char *word)
{
	for (size_t i = 0; i < nt; i++)
		if (strcasecmp(word, t[i].pr_name) == 0)
			return &t[i];
	return NULL;
}

/* the count of words after the name, then the request's own checks */
static int
parse_args(const char *prefix, const struct proto_req *r, struct proto_msg *m, char **tok,
    int n, char *err, size_t errlen)
{
	if (n - 1 < r->pr_min || (r->pr_max != PROTO_ARGS_ANY && n - 1 > r->pr_max))
		return usage(prefix, r, err, errlen);
	return r->pr_parse ? r->pr_parse(m, tok, n, err, errlen) : VNET_OK;
}

static int
parse_vnat(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	const struct proto_req *r = find(proto_vnat_reqs, PV_NCMDS, tok[1]);

	if (r == NULL)
		return usage("", &proto_reqs[PROTO_VNAT], err, errlen);
	m->pm_vnat = (enum proto_vnat)(r - proto_vnat_reqs);
	return parse_args("VNAT ", r, m, tok + 1, n - 1, err, errlen);
}

static int
unknown(const char *word, char *err, size_t errlen)
{
	char names[PROTO_NCMDS * 12] = "";

	for (size_t i = 0; i < PROTO_NCMDS; i++) {
		strcat(names, i ? ", " : "");
		strcat(names, proto_reqs[i].pr_name);
	}
	snprintf(err, errlen, "unknown command '%.40s' (%s)", word, names);
	return VNET_ERR_TYPE;
}

int
proto_parse(const char *line, struct proto_msg *m, char *err, size_t errlen)
{
	char buf[PROTO_LINE_MAX + 1], *tok[PROTO_TOK_MAX];
	const struct proto_req *r;
	size_t len = strlen(line);
	int n;

	memset(m, 0, sizeof(*m));
	if (len > PROTO_LINE_MAX) {
		snprintf(err, errlen, "line too long (%zu bytes, at most %d)", len, PROTO_LINE_MAX);
		return VNET_ERR_SIZE;
	}
	memcpy(buf, line, len + 1);
	n = proto_tokenize(buf, tok, PROTO_TOK_MAX);
	if (n == VNET_ERR_SIZE) {
		snprintf(err, errlen, "too many words (at most %d addresses)", MAC_LIST_MAX);
		return n;
	}
	if (n < 0) {
		snprintf(err, errlen, "control character in line");
		return n;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty line");
		return VNET_ERR_SYNTAX;
	}
	if ((r = find(proto_reqs, PROTO_NCMDS, tok[0])) == NULL)
		return unknown(tok[0], err, errlen);
	m->pm_cmd = (enum proto_cmd)(r - proto_reqs);
	return parse_args("", r, m, tok, n, err, errlen);
}

/* the length of the word at *p (after blanks, which are skipped) */
static size_t
word_at(const char **p)
{
	*p += strspn(*p, " \t");
	return strcspn(*p, " \t");
}

static const struct proto_req *
find_word(const struct proto_req *t, size_t nt, const char *w, size_t len)
{
	char word[16];

	if (len == 0 || len >= sizeof(word))
		return NULL;
	memcpy(word, w, len);
	word[len] = '\0';
	return find(t, nt, word);
}

bool
proto_answers_list(const char *line)
{
	const char *p = line;
	size_t len = word_at(&p);
	const struct proto_req *r = find_word(proto_reqs, PROTO_NCMDS, p, len);

	if (r == NULL || r->pr_sub == NULL)
		return r != NULL && (r->pr_flags & PROTO_LIST);
	p += len;
	len = word_at(&p);
	r = find_word(r->pr_sub, PV_NCMDS, p, len);
	return r != NULL && (r->pr_flags & PROTO_LIST);
}

int
proto_reply_status(const char *line, const char **rest)
{
	int st;
	size_t skip;

	if (strncmp(line, "OK", 2) == 0 && (line[2] == '\0' || line[2] == ' ')) {
		st = 1;
		skip = 2;
	} else if (strncmp(line, "NOK", 3) == 0 && (line[3] == '\0' || line[3] == ' ')) {
		st = 0;
		skip = 3;
	} else
		return -1;
	line += skip;
	while (*line == ' ')
		line++;
	*rest = line;
	return st;
}
