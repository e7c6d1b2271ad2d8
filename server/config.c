/* config: the configuration file.  INI, because every administrator has
 * read one and libinih (Debian's libinih-dev) reads it in 300 lines of C;
 * vnet only maps keys to the options' one setter each (server/options.c)
 * and to handler entries. */
#include "server/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "common/passfile.h"

enum hkey { HK_DEVICE, HK_PEER, HK_PORT, HK_PEERDEV, HK_ROLE, HK_ADDRS, HK_PWFILE, HK_FP,
	HK_N };
static const char *const hkeys[HK_N] = {
	"device", "peer", "port", "peer-device", "role", "addresses", "password-file",
	"fingerprint",
};
#define HK_OPTIONAL(k)	((k) == HK_PORT || (k) == HK_FP)

/* a [handler NAME] section as read, checked after the whole file */
struct raw_handler {
	char		 rh_name[CONF_NAME_MAX + 1];
	unsigned	 rh_line;
	char		*rh_val[HK_N];
	unsigned	 rh_vline[HK_N];
};

struct parse {
	struct conf		*p_cf;
	struct opts_src		 p_src;
	FILE			*p_f;
	unsigned		 p_line;	/* the line being read */
	unsigned		 p_section_line;	/* the last [section] line */
	unsigned		 p_cur_line;	/* the current section's, as keys saw it */
	bool			 p_at_bol;
	size_t			 p_len;		/* of the line so far */
	bool			 p_toolong;
	bool			 p_started;
	struct raw_handler	*p_rh;		/* the sections' handlers */
	size_t			 p_nrh;
	bool			 p_has_password;
	unsigned		 p_errline;
	char			 p_err[512];
};

/* fgets for libinih that counts physical lines (the callback is not told
 * its line) and bounds their length */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(str, num, p->p_f);
	size_t n;

	if (r == NULL)
		return NULL;
	n = strlen(r);
	if (p->p_at_bol) {
		p->p_line++;
		p->p_len = 0;
		if (r[strspn(r, " \t")] == '[')
			p->p_section_line = p->p_line;
	}
	p->p_len += n;
	p->p_at_bol = n > 0 && r[n - 1] == '\n';
	if (p->p_len > CONF_LINE_MAX) {
		p->p_toolong = true;
		return NULL;
	}
	return r;
}

static int
fail(struct parse *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct parse *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->p_err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(p->p_err, sizeof(p->p_err), fmt, ap);
		va_end(ap);
		p->p_errline = line;
	}
	return 0;
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONF_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* a new section: [vnet], or [handler NAME] (each name once) */
static int
new_section(struct parse *p, const char *section)
{
	struct raw_handler *rh;
	const char *name;

	p->p_started = true;
	p->p_cur_line = p->p_section_line;
	if (section[0] == '\0' || strcmp(section, "vnet") == 0)
		return 1;
	if (strncmp(section, "handler ", 8) != 0)
		return fail(p, p->p_section_line, "unknown section [%.60s] (use [vnet] or "
		    "[handler NAME])", section);
	name = section + 8;
	if (!valid_name(name))
		return fail(p, p->p_section_line, "handler name '%.80s': 1-%d letters, digits, "
		    "'.', '_' or '-'", name, CONF_NAME_MAX);
	for (size_t i = 0; i < p->p_nrh; i++)
		if (strcmp(p->p_rh[i].rh_name, name) == 0)
			return fail(p, p->p_section_line, "handler '%s' is already on line %u", name,
			    p->p_rh[i].rh_line);
	if (p->p_nrh == CONF_HANDLERS_MAX)
		return fail(p, p->p_section_line, "at most %d handlers", CONF_HANDLERS_MAX);
	if ((rh = realloc(p->p_rh, (p->p_nrh + 1) * sizeof(*rh))) == NULL)
		return fail(p, p->p_line, "out of memory");
	p->p_rh = rh;
	rh = &p->p_rh[p->p_nrh++];
	memset(rh, 0, sizeof(*rh));
	memcpy(rh->rh_name, name, strlen(name) + 1);
	rh->rh_line = p->p_section_line;
	return 1;
}

static int
on_key(void *user, const char *section, const char *key, const char *val)
{
	struct parse *p = user;
	struct raw_handler *rh;
	char err[400];
	size_t k;

	if ((!p->p_started || p->p_section_line != p->p_cur_line) && !new_section(p, section))
		return 0;
	if (section[0] == '\0' || strcmp(section, "vnet") == 0) {
		if (strcmp(key, "password") == 0)
			p->p_has_password = true;
		p->p_src.os_line = p->p_line;
		if (opts_set(&p->p_cf->cf_opts, &p->p_src, key, val, err, sizeof(err)) != 0)
			return fail(p, p->p_line, "%s", err);
		return 1;
	}
	rh = &p->p_rh[p->p_nrh - 1];
	for (k = 0; k < HK_N; k++)
		if (strcmp(key, hkeys[k]) == 0)
			break;
	if (k == HK_N)
		return fail(p, p->p_line, "handler '%s': unknown key '%.60s' (device, peer, port, "
		    "peer-device, role, addresses, password-file, fingerprint)", rh->rh_name, key);
	if (rh->rh_val[k])
		return fail(p, p->p_line, "handler '%s': %s is already given on line %u",
		    rh->rh_name, key, rh->rh_vline[k]);
	if ((rh->rh_val[k] = strdup(val)) == NULL)
		return fail(p, p->p_line, "out of memory");
	rh->rh_vline[k] = p->p_line;
	return 1;
}

/* a file that names password files and helper programs run as root must
 * not be changed by others; one that holds a password not read by them */
static int
check_mode(struct parse *p, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fileno(p->p_f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s belongs to uid %u, neither root nor you", path,
		    (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & 022) {
		snprintf(err, errlen, "%s can be changed by others (mode %04o): chmod go-w it", path,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (p->p_has_password && (st.st_mode & 077)) {
		snprintf(err, errlen, "%s holds a password and can be read by others (mode %04o): "
		    "chmod 600 it, or use password-file", path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int
read_file(struct parse *p, const char *path, char *err, size_t errlen)
{
	int rc;

	if ((p->p_f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	p->p_src.os_file = path;
	p->p_at_bol = true;
	/* libinih's run-time settings (Debian builds them as variables):
	 * first error only, no continuation lines, long lines on the heap */
	ini_stop_on_first_error = true;
	ini_allow_multiline = false;
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = CONF_LINE_MAX + 3;
	ini_inline_comment_prefixes = (char *)";#";
	rc = ini_parse_stream(reader, p, on_key, p);
	if (p->p_toolong)
		snprintf(err, errlen, "%s:%u: line longer than %d characters", path, p->p_line,
		    CONF_LINE_MAX);
	else if (p->p_err[0])
		snprintf(err, errlen, "%s:%u: %s", path, p->p_errline, p->p_err);
	else if (rc > 0)
		snprintf(err, errlen, "%s:%d: syntax error (want key = value, [vnet] or "
		    "[handler NAME])", path, rc);
	else if (rc < 0 || ferror(p->p_f))
		snprintf(err, errlen, "%s: cannot be read", path);
	else if (check_mode(p, path, err, errlen) == 0) {
		fclose(p->p_f);
		return 0;
	}
	fclose(p->p_f);
	return -1;
}

static bool
has_dev(const struct srv_opts *o, const char *dev)
{
	for (size_t i = 0; i < o->so_ndevs; i++)
		if (strcmp(o->so_devs[i], dev) == 0)
			return true;
	return false;
}

/* one handler: every key checked on its own line, then the HANDLE built
 * from them (and the second server's password file) */
static int
make_handler(const char *path, const struct srv_opts *o, const struct raw_handler *rh,
    struct conf_handler *ch, char *err, size_t errlen)
{
	char *const *v = rh->rh_val;
	const unsigned *ln = rh->rh_vline;
	char pw[PROTO_PASS_MAX + 2], why[300], line[PROTO_LINE_MAX + 1];
	enum proto_role role;
	uint32_t port = 4455;
	int n;

	for (size_t k = 0; k < HK_N; k++)
		if (!HK_OPTIONAL(k) && v[k] == NULL) {
			snprintf(err, errlen, "%s:%u: handler '%s': no %s", path, rh->rh_line,
			    rh->rh_name, hkeys[k]);
			return -1;
		}
	if (!proto_valid_dev(v[HK_DEVICE]) || !has_dev(o, v[HK_DEVICE])) {
		snprintf(err, errlen, "%s:%u: handler '%s': device '%.40s' is not one of this "
		    "server's devices (devices, -d)", path, ln[HK_DEVICE], rh->rh_name, v[HK_DEVICE]);
		return -1;
	}
	if (!proto_valid_host(v[HK_PEER])) {
		snprintf(err, errlen, "%s:%u: handler '%s': peer '%.60s' is not a host name or "
		    "address", path, ln[HK_PEER], rh->rh_name, v[HK_PEER]);
		return -1;
	}
	if (v[HK_PORT] && proto_parse_u32(v[HK_PORT], 1, 65535, &port) != 0) {
		snprintf(err, errlen, "%s:%u: handler '%s': port '%.20s' is not a number from 1 to "
		    "65535", path, ln[HK_PORT], rh->rh_name, v[HK_PORT]);
		return -1;
	}
	if (!proto_valid_dev(v[HK_PEERDEV])) {
		snprintf(err, errlen, "%s:%u: handler '%s': peer-device '%.40s' is not a device "
		    "name", path, ln[HK_PEERDEV], rh->rh_name, v[HK_PEERDEV]);
		return -1;
	}
	if (proto_role_parse(v[HK_ROLE], &role) != 0) {
		snprintf(err, errlen, "%s:%u: handler '%s': role '%.20s': use local or remote", path,
		    ln[HK_ROLE], rh->rh_name, v[HK_ROLE]);
		return -1;
	}
	if (v[HK_FP] && !conf_valid_fp(v[HK_FP])) {
		snprintf(err, errlen, "%s:%u: handler '%s': fingerprint '%.80s' is not SHA256: and "
		    "64 hex digits (what vnet --fingerprint prints as key)", path, ln[HK_FP],
		    rh->rh_name, v[HK_FP]);
		return -1;
	}
	if (v[HK_FP] && !o->so_tls) {
		snprintf(err, errlen, "%s:%u: handler '%s': fingerprint needs TLS (tls = yes, or -s)",
		    path, ln[HK_FP], rh->rh_name);
		return -1;
	}
	if (passfile_read(v[HK_PWFILE], pw, sizeof(pw), why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s:%u: handler '%s': %s", path, ln[HK_PWFILE], rh->rh_name,
		    why);
		return -1;
	}
	n = snprintf(line, sizeof(line), "HANDLE %s %s %s %s %s %u %s %s", pw,
	    proto_role_name(role), v[HK_DEVICE], proto_role_name(role == PROTO_LOCAL ?
	    PROTO_REMOTE : PROTO_LOCAL), v[HK_PEER], port, v[HK_PEERDEV], v[HK_ADDRS]);
	OPENSSL_cleanse(pw, sizeof(pw));
	memset(ch, 0, sizeof(*ch));
	if (n < 0 || (size_t)n >= sizeof(line)) {
		snprintf(err, errlen, "%s:%u: handler '%s': too many addresses", path, ln[HK_ADDRS],
		    rh->rh_name);
		n = -1;
	} else if (proto_parse(line, &ch->ch_msg, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s:%u: handler '%s': addresses: %s", path, ln[HK_ADDRS],
		    rh->rh_name, why);
		n = -1;
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (n < 0)
		return -1;
	memcpy(ch->ch_name, rh->rh_name, sizeof(ch->ch_name));
	/* as tls_key_fingerprint writes it, so that a plain compare does */
	for (size_t i = 0; v[HK_FP] && v[HK_FP][i]; i++)
		ch->ch_fp[i] = i < 7 ? v[HK_FP][i] : (char)tolower((unsigned char)v[HK_FP][i]);
	ch->ch_line = rh->rh_line;
	return 0;
}

bool
conf_valid_fp(const char *fp)
{
	return strncmp(fp, "SHA256:", 7) == 0 && strlen(fp + 7) == 64 &&
	    strspn(fp + 7, "0123456789abcdefABCDEF") == 64;
}

static void
parse_free(struct parse *p)
{
	for (size_t i = 0; i < p->p_nrh; i++)
		for (size_t k = 0; k < HK_N; k++)
			free(p->p_rh[i].rh_val[k]);
	free(p->p_rh);
}

static bool
asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "--version") == 0)
			return true;
	return false;
}

int
conf_load(int argc, char **argv, struct conf **out, char *err, size_t errlen)
{
	const char *path = opts_config_path(argc, argv);
	struct parse p;
	struct conf *cf;
	int rc = -1;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if ((cf = calloc(1, sizeof(*cf))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p.p_cf = cf;
	opts_defaults(&cf->cf_opts);
	if (asks_help(argc, argv)) {
		rc = opts_cmdline(argc, argv, &cf->cf_opts, err, errlen);
		goto out;
	}
	if (path && read_file(&p, path, err, errlen) != 0)
		goto out;
	if ((rc = opts_cmdline(argc, argv, &cf->cf_opts, err, errlen)) != 0 ||
	    (rc = opts_finish(&cf->cf_opts, err, errlen)) != 0)
		goto out;
	if (p.p_nrh && (cf->cf_h = calloc(p.p_nrh, sizeof(*cf->cf_h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	/* --fingerprint only shows the identity: the handlers are not read
	 * (their password files may be root's) */
	if (cf->cf_opts.so_fingerprint || cf->cf_opts.so_vnat_flush)
		goto out;
	cf->cf_nh = p.p_nrh;
	for (size_t i = 0; i < p.p_nrh; i++)
		if ((rc = make_handler(path, &cf->cf_opts, &p.p_rh[i], &cf->cf_h[i], err,
		    errlen)) != 0)
			goto out;
out:
	parse_free(&p);
	if (rc == 0)
		*out = cf;
	else
		conf_free(cf);
	return rc;
}

void
conf_free(struct conf *cf)
{
	if (cf == NULL)
		return;
	if (cf->cf_h) {
		OPENSSL_cleanse(cf->cf_h, cf->cf_nh * sizeof(*cf->cf_h));
		free(cf->cf_h);
	}
	OPENSSL_cleanse(cf, sizeof(*cf));
	free(cf);
}

const struct conf_handler *
conf_handler(const struct conf *cf, const char *name)
{
	for (size_t i = 0; i < cf->cf_nh; i++)
		if (strcmp(cf->cf_h[i].ch_name, name) == 0)
			return &cf->cf_h[i];
	return NULL;
}

bool
conf_handle_same(const struct proto_msg *a, const struct proto_msg *b)
{
	return a->pm_lrole == b->pm_lrole && a->pm_rrole == b->pm_rrole &&
	    strcmp(a->pm_ldev, b->pm_ldev) == 0 && strcmp(a->pm_rdev, b->pm_rdev) == 0 &&
	    strcmp(a->pm_rhost, b->pm_rhost) == 0 && a->pm_rport == b->pm_rport &&
	    a->pm_addrs.ml_n == b->pm_addrs.ml_n &&
	    memcmp(a->pm_addrs.ml_e, b->pm_addrs.ml_e, a->pm_addrs.ml_n *
	    sizeof(a->pm_addrs.ml_e[0])) == 0 &&
	    strcmp(a->pm_password, b->pm_password) == 0;
}
