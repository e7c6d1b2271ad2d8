/* json: the server's answers as JSON records (doc/JSON.md). */
#include "client/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mac.h"
#include "common/proto.h"

#define JSON_WORD_MAX	300	/* longer than any word of a record (exec:/path is 261) */

/* Pure: a line of printable ASCII, not empty, of at most 8192 bytes (the
 * client's line buffer); all that is ever made a JSON string comes from
 * such a line, so it is valid UTF-8 without escapes of control bytes. */
static bool
line_valid(const char *line, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e) {
			snprintf(err, errlen, "byte 0x%02x at %zu is not printable ASCII",
			    (unsigned char)line[i], i);
			return false;
		}
	if (i == 0 || i > 8192) {
		snprintf(err, errlen, "%s line", i ? "over-long" : "empty");
		return false;
	}
	return true;
}

/* the next word at *p (blanks skipped) into out; false at the end or for
 * a word that does not fit */
static bool
word(const char **p, char *out, size_t len)
{
	size_t n;

	*p += strspn(*p, " ");
	n = strcspn(*p, " ");
	if (n == 0 || n >= len)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return true;
}

static bool
at_end(const char *p)
{
	return p[strspn(p, " ")] == '\0';
}

/* a decimal number of at most 19 digits in [min, max], digits only */
static bool
number(const char *s, long long min, long long max, long long *out)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	char *end;
	long long v;

	if (d[0] < '0' || d[0] > '9' || strlen(d) > 19 || strspn(d, "0123456789") != strlen(d))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
address(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* "a.b.c.d:port" or "[v6]:port" as {"address": ..., "port": ...} */
static json_t *
endpoint(const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t n;
	long long port;

	if (colon == NULL || !number(colon + 1, 0, 65535, &port))
		return NULL;
	bool v6 = s[0] == '[';

	n = (size_t)(colon - s);
	if (v6) {
		if (n < 3 || s[n - 1] != ']')
			return NULL;
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return NULL;
	memcpy(host, s, n);
	host[n] = '\0';
	/* IPv6 in brackets, IPv4 without */
	if (!address(host) || (strchr(host, ':') != NULL) != v6)
		return NULL;
	return json_pack("{s:s, s:I}", "address", host, "port", (json_int_t)port);
}

static json_t *
bad(char *err, size_t errlen, const char *what, const char *line, json_t *partial)
{
	json_decref(partial);
	snprintf(err, errlen, "not a %s line: '%.80s'", what, line);
	return NULL;
}

/* one end of a handler: config address port device */
static json_t *
handler_end(const char **p)
{
	char role[8], addr[64], port[8], dev[PROTO_DEV_MAX + 2];
	enum proto_role r;
	long long pn;

	if (!word(p, role, sizeof(role)) || !word(p, addr, sizeof(addr)) ||
	    !word(p, port, sizeof(port)) || !word(p, dev, sizeof(dev)) ||
	    proto_role_parse(role, &r) != 0 || !address(addr) || !number(port, 0, 65535, &pn) ||
	    !proto_valid_dev(dev))
		return NULL;
	return json_pack("{s:s, s:s, s:I, s:s}", "role", r == PROTO_LOCAL ? "local" : "remote",
	    "address", addr, "port", (json_int_t)pn, "device", dev);
}

/* id local_config local_address local_port local_device <-> remote_config
 * remote_address remote_port remote_device addresses+ */
static json_t *
handler(const char *line, char *err, size_t errlen)
{
	const char *p = line;
	char w[JSON_WORD_MAX];
	json_t *o = NULL, *l, *r, *addrs;
	long long id;
	struct mac_entry e;

	if (!word(&p, w, sizeof(w)) || !number(w, 1, UINT32_MAX, &id) ||
	    (l = handler_end(&p)) == NULL)
		return bad(err, errlen, "HANDLERS?", line, NULL);
	o = json_pack("{s:I, s:o}", "id", (json_int_t)id, "local", l);
	if (!word(&p, w, sizeof(w)) || strcmp(w, "<->") != 0 || (r = handler_end(&p)) == NULL)
		return bad(err, errlen, "HANDLERS?", line, o);
	json_object_set_new(o, "remote", r);
	addrs = json_array();
	json_object_set_new(o, "addresses", addrs);
	while (word(&p, w, sizeof(w))) {
		if (mac_parse(w, &e) != 0 || json_array_size(addrs) == MAC_LIST_MAX)
			return bad(err, errlen, "HANDLERS?", line, o);
		json_array_append_new(addrs, json_string(w));
	}
	if (json_array_size(addrs) == 0 || !at_end(p))
		return bad(err, errlen, "HANDLERS?", line, o);
	return o;
}

/* key=value words into o: digits a number, yes/no a boolean, else a word;
 * false for any other word, a key twice (or one o has), or none at all */
static bool
pairs(const char *p, json_t *o)
{
	size_t before = json_object_size(o);
	char w[JSON_WORD_MAX];
	long long n;

	while (word(&p, w, sizeof(w))) {
		char *eq = strchr(w, '='), *v;
		size_t klen = eq ? (size_t)(eq - w) : 0;
		if (klen == 0 || klen > 32 || strspn(w, "abcdefghijklmnopqrstuvwxyz_") != klen)
			return false;
		*eq = '\0';
		v = eq + 1;
		if (json_object_get(o, w) != NULL || *v == '\0' ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != strlen(v))
			return false;
		json_object_set_new(o, w, number(v, 0, INT64_MAX, &n) ? json_integer(n) :
		    strcmp(v, "yes") == 0 ? json_true() : strcmp(v, "no") == 0 ? json_false() :
		    json_string(v));
	}
	/* a word too long for w ends the loop early: the rest is not a pair */
	return at_end(p) && json_object_size(o) > before;
}

/* id key=value... */
static json_t *
stats(const char *line, char *err, size_t errlen)
{
	const char *p = line;
	char w[JSON_WORD_MAX];
	long long id;
	json_t *o;

	if (!word(&p, w, sizeof(w)) || !number(w, 1, UINT32_MAX, &id))
		return bad(err, errlen, "STATS?", line, NULL);
	o = json_pack("{s:I}", "id", (json_int_t)id);
	if (!pairs(p, o))
		return bad(err, errlen, "STATS?", line, o);
	return o;
}

/* vstats key=value... (the text after OK) */
static json_t *
vstats(const char *line, char *err, size_t errlen)
{
	const char *p = line;
	char w[16];
	json_t *o = json_object();

	if (!word(&p, w, sizeof(w)) || strcmp(w, "vstats") != 0 || !pairs(p, o))
		return bad(err, errlen, "VNAT STATS?", line, o);
	return o;
}

/* one word: a device */
static json_t *
device(const char *line, char *err, size_t errlen)
{
	if (!proto_valid_dev(line))
		return bad(err, errlen, "DEVICES?", line, NULL);
	return json_string(line);
}

/* a process name (comm: at most 15 characters, blanks allowed), or "*" */
static json_t *
proc(const char *line, char *err, size_t errlen)
{
	const char *sp = strchr(line, ' ');
	size_t n = sp ? (size_t)(sp - line) : strlen(line);
	char name[PROTO_PROC_MAX + 1];

	if (n == 0 || n > PROTO_PROC_MAX || (sp && strcmp(sp, " hide") != 0))
		return bad(err, errlen, "VNAT PROCS?", line, NULL);
	if (sp == NULL)
		return json_string(line);
	memcpy(name, line, n);
	name[n] = '\0';
	return json_pack("{s:s, s:s}", "name", name, "mode", "hide");
}

/* proto virtual_local virtual_remote physical_local physical_remote state
 * pid name (the name, "-" when unknown, may hold blanks) */
static json_t *
conn(const char *line, char *err, size_t errlen)
{
	static const char *const ends[] = { "virtual_local", "virtual_remote", "physical_local",
	    "physical_remote" };
	const char *p = line;
	char w[JSON_WORD_MAX];
	long long pid;
	json_t *o, *e;

	if (!word(&p, w, sizeof(w)) || (strcmp(w, "tcp") && strcmp(w, "udp")))
		return bad(err, errlen, "VNAT CONNS?", line, NULL);
	o = json_pack("{s:s}", "proto", w);
	for (size_t i = 0; i < 4; i++) {
		if (!word(&p, w, sizeof(w)) || (e = endpoint(w)) == NULL)
			return bad(err, errlen, "VNAT CONNS?", line, o);
		json_object_set_new(o, ends[i], e);
	}
	if (!word(&p, w, sizeof(w)) || strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != strlen(w))
		return bad(err, errlen, "VNAT CONNS?", line, o);
	json_object_set_new(o, "state", json_string(w));
	if (!word(&p, w, sizeof(w)) || !number(w, -1, INT32_MAX, &pid))
		return bad(err, errlen, "VNAT CONNS?", line, o);
	json_object_set_new(o, "pid", json_integer(pid));
	p += strspn(p, " ");
	if (*p == '\0' || strlen(p) > PROTO_PROC_MAX)
		return bad(err, errlen, "VNAT CONNS?", line, o);
	json_object_set_new(o, "name", strcmp(p, "-") == 0 ? json_null() : json_string(p));
	return o;
}

/* name setting: two words, the setting checked by ok */
static json_t *
setting(const char *line, const char *what, const char *key, bool (*ok)(const char *),
    char *err, size_t errlen)
{
	const char *p = line;
	char name[PROTO_PROC_MAX + 2], v[JSON_WORD_MAX];

	if (!word(&p, name, sizeof(name)) || !word(&p, v, sizeof(v)) || !at_end(p) || !ok(v))
		return bad(err, errlen, what, line, NULL);
	return json_pack("{s:s, s:s}", "name", name, key, v);
}

static bool
helper_mode(const char *m)
{
	return strcmp(m, "keepalive") == 0 || strcmp(m, "stop") == 0 ||
	    strcmp(m, "stop-always") == 0 || strcmp(m, "none") == 0 ||
	    (strncmp(m, "exec:/", 6) == 0);
}

static bool
conflict_policy(const char *m)
{
	return strcmp(m, "abort") == 0 || strcmp(m, "preempt") == 0;
}

const char *
json_rec_key(enum json_rec r)
{
	static const char *const keys[] = { [JR_NONE] = "ok", [JR_HANDLER] = "handlers",
	    [JR_DEVICE] = "devices", [JR_STATS] = "stats", [JR_PROC] = "procs",
	    [JR_CONN] = "conns", [JR_HELPER] = "helpers", [JR_CONFLICT] = "conflicts",
	    [JR_VSTATS] = "vstats" };

	return keys[r];
}

json_t *
json_parse_record(enum json_rec r, const char *line, char *err, size_t errlen)
{
	if (!line_valid(line, err, errlen))
		return NULL;
	switch (r) {
	case JR_HANDLER:
		return handler(line, err, errlen);
	case JR_DEVICE:
		return device(line, err, errlen);
	case JR_STATS:
		return stats(line, err, errlen);
	case JR_PROC:
		return proc(line, err, errlen);
	case JR_CONN:
		return conn(line, err, errlen);
	case JR_HELPER:
		return setting(line, "VNAT HELPERS?", "mode", helper_mode, err, errlen);
	case JR_CONFLICT:
		return setting(line, "VNAT CONFLICTS?", "policy", conflict_policy, err, errlen);
	case JR_VSTATS:
		return vstats(line, err, errlen);
	case JR_NONE:
		break;
	}
	snprintf(err, errlen, "no record type");
	return NULL;
}

json_t *
json_status(int ok, const char *message)
{
	char err[64];

	if (message[0] && !line_valid(message, err, sizeof(err)))
		return NULL;
	return json_pack("{s:b, s:s}", "ok", ok, "message", message);
}
