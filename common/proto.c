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
parse_hello(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	if (n != 3) {
		snprintf(err, errlen, "usage: HELLO password version");
		return VNET_ERR_SYNTAX;
	}
	if (copy_tok(m->pm_password, sizeof(m->pm_password), tok[1]) ||
	    copy_tok(m->pm_version, sizeof(m->pm_version), tok[2])) {
		snprintf(err, errlen, "password or version too long");
		return VNET_ERR_SIZE;
	}
	return VNET_OK;
}

static int
parse_handle(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	uint32_t port;
	int rc;

	/* HANDLE pw lcfg ldev rcfg raddr rport rdev addresses+ */
	if (n < 9) {
		snprintf(err, errlen, "usage: HANDLE password_of_remote_bridge local_config "
		    "local_device remote_config remote_address remote_port remote_device addresses+");
		return VNET_ERR_SYNTAX;
	}
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
	if (n < 6) {
		snprintf(err, errlen, "usage: BEGIN local_config local_device remote_config "
		    "remote_device addresses+");
		return VNET_ERR_SYNTAX;
	}
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
parse_noarg(const char *name, int n, char *err, size_t errlen)
{
	if (n != 1) {
		snprintf(err, errlen, "usage: %s (no arguments)", name);
		return VNET_ERR_SYNTAX;
	}
	return VNET_OK;
}

static int
parse_vnat(struct proto_msg *m, char **tok, int n, char *err, size_t errlen)
{
	static const struct { const char *w; enum proto_vnat v; int args; } sub[] = {
		{ "PROCS?", PV_PROCS, 0 }, { "ADD", PV_ADD, 1 }, { "DEL", PV_DEL, 1 },
		{ "CONNS?", PV_CONNS, 0 }, { "STATS?", PV_STATS, 0 }, { "SUSPEND", PV_SUSPEND, 0 },
		{ "RESUME", PV_RESUME, -1 }, { "HELPER", PV_HELPER, 2 },
		{ "CONFLICT", PV_CONFLICT, 2 },
	};
	size_t i;

	for (i = 0; n >= 2 && i < sizeof(sub) / sizeof(sub[0]); i++)
		if (strcasecmp(tok[1], sub[i].w) == 0)
			break;
	if (n < 2 || i == sizeof(sub) / sizeof(sub[0])) {
		snprintf(err, errlen, "usage: VNAT PROCS? | ADD name | DEL name | CONNS? | STATS? | HELPER name mode | CONFLICT name abort|preempt | "
		    "SUSPEND | "
		    "RESUME [address]");
		return VNET_ERR_SYNTAX;
	}
	m->pm_vnat = sub[i].v;
	if ((sub[i].args >= 0 && n != 2 + sub[i].args) || (sub[i].args < 0 && n > 3)) {
		snprintf(err, errlen, "usage: VNAT %s%s", sub[i].w, sub[i].args > 1 ? " name mode" :
		    sub[i].args > 0 ? " name" :
		    sub[i].args < 0 ? " [address]" : "");
		return VNET_ERR_SYNTAX;
	}
	if (sub[i].args > 0) {
		const char *p = tok[2];
		if (strlen(p) > PROTO_PROC_MAX) {
			snprintf(err, errlen, "process name '%.40s' is longer than %d characters",
			    p, PROTO_PROC_MAX);
			return VNET_ERR_VALUE;
		}
		memcpy(m->pm_name, p, strlen(p) + 1);
	}
	if (sub[i].args > 1) {
		if (strlen(tok[3]) >= sizeof(m->pm_mode)) {
			snprintf(err, errlen, "helper mode longer than %zu characters",
			    sizeof(m->pm_mode) - 1);
			return VNET_ERR_VALUE;
		}
		memcpy(m->pm_mode, tok[3], strlen(tok[3]) + 1);
	}
	if (sub[i].args < 0 && n == 3) {
		unsigned char a[16];
		if (inet_pton(AF_INET, tok[2], a) != 1 && inet_pton(AF_INET6, tok[2], a) != 1) {
			snprintf(err, errlen, "'%.60s' is not an IP address", tok[2]);
			return VNET_ERR_VALUE;
		}
		memcpy(m->pm_addr, tok[2], strlen(tok[2]) + 1);
	}
	return VNET_OK;
}

int
proto_parse(const char *line, struct proto_msg *m, char *err, size_t errlen)
{
	char buf[PROTO_LINE_MAX + 1], *tok[PROTO_TOK_MAX];
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
	if (strcasecmp(tok[0], "HELLO") == 0) {
		m->pm_cmd = PROTO_HELLO;
		return parse_hello(m, tok, n, err, errlen);
	}
	if (strcasecmp(tok[0], "DONE") == 0) {
		m->pm_cmd = PROTO_DONE;
		return parse_noarg("DONE", n, err, errlen);
	}
	if (strcasecmp(tok[0], "DEVICES?") == 0) {
		m->pm_cmd = PROTO_DEVICES;
		return parse_noarg("DEVICES?", n, err, errlen);
	}
	if (strcasecmp(tok[0], "HANDLERS?") == 0) {
		m->pm_cmd = PROTO_HANDLERS;
		return parse_noarg("HANDLERS?", n, err, errlen);
	}
	if (strcasecmp(tok[0], "CLOSE") == 0 || strcasecmp(tok[0], "STATS?") == 0) {
		bool stats = strcasecmp(tok[0], "STATS?") == 0;
		m->pm_cmd = stats ? PROTO_STATS : PROTO_CLOSE;
		if (stats && n == 1)
			return VNET_OK;
		if (n != 2 || proto_parse_u32(tok[1], 1, UINT32_MAX, &m->pm_id)) {
			snprintf(err, errlen, "usage: %s identifier (a handler number from HANDLERS?)",
			    stats ? "STATS? [identifier]" : "CLOSE");
			return VNET_ERR_SYNTAX;
		}
		m->pm_has_id = true;
		return VNET_OK;
	}
	if (strcasecmp(tok[0], "HANDLE") == 0) {
		m->pm_cmd = PROTO_HANDLE;
		return parse_handle(m, tok, n, err, errlen);
	}
	if (strcasecmp(tok[0], "BEGIN") == 0) {
		m->pm_cmd = PROTO_BEGIN;
		return parse_begin(m, tok, n, err, errlen);
	}
	if (strcasecmp(tok[0], "VNAT") == 0) {
		m->pm_cmd = PROTO_VNAT;
		return parse_vnat(m, tok, n, err, errlen);
	}
	if (strcasecmp(tok[0], "PEER") == 0) {
		m->pm_cmd = PROTO_PEER;
		if (n != 2 || !proto_valid_instance(tok[1])) {
			snprintf(err, errlen, "usage: PEER instance (%d hex digits)", PROTO_INSTANCE_LEN);
			return VNET_ERR_SYNTAX;
		}
		memcpy(m->pm_instance, tok[1], PROTO_INSTANCE_LEN + 1);
		return VNET_OK;
	}
	snprintf(err, errlen, "unknown command '%.40s' (HELLO, DONE, DEVICES?, HANDLERS?, "
	    "STATS?, CLOSE, HANDLE, BEGIN, VNAT, PEER)", tok[0]);
	return VNET_ERR_TYPE;
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
