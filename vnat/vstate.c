/* vstate: the state file's text. */
#include "vnat/vstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER	"vnet-vnat-state 1"

enum kind { L_HEAD, L_ANN, L_NEXT, L_TR, L_KEPT, L_KEY, L_SUSP, L_SCONN, L_END };

struct line {
	enum kind		 l_kind;
	int			 l_ann;
	uint32_t		 l_next;
	uint64_t		 l_at;
	struct vnat_tuple	 l_tr;
	struct vstate_kept	 l_kept;
	struct vstate_key	 l_key;
};

/* a decimal number of at most max: digits only, no sign, no blank */
static bool
num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 20)
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return false;
	*out = n;
	return true;
}

static bool
num8(const char *s, uint64_t max, uint8_t *out)
{
	uint64_t n;

	if (!num(s, max, &n))
		return false;
	*out = (uint8_t)n;
	return true;
}

static bool
port(const char *s, uint16_t *out)
{
	uint64_t n;

	if (!num(s, 65535, &n))
		return false;
	*out = (uint16_t)n;
	return true;
}

static bool
family(const char *s, uint8_t *out)
{
	return s && (strcmp(s, "4") == 0 || strcmp(s, "6") == 0) && num8(s, 6, out);
}

static bool
proto(const char *s, uint8_t *out)
{
	return s && (strcmp(s, "6") == 0 || strcmp(s, "17") == 0) && num8(s, 17, out);
}

static bool
addr(const char *s, uint8_t fam, uint8_t *out)
{
	uint8_t a[16] = { 0 };

	if (s == NULL || inet_pton(fam == 6 ? AF_INET6 : AF_INET, s, a) != 1)
		return false;
	memcpy(out, a, 16);
	return true;
}

static bool
hexkey(const char *s, uint8_t out[VKEY_LEN])
{
	static const char hex[] = "0123456789abcdef";

	if (s == NULL || strlen(s) != 2 * VKEY_LEN)
		return false;
	for (size_t i = 0; i < VKEY_LEN; i++) {
		const char *h = strchr(hex, s[2 * i]), *l = strchr(hex, s[2 * i + 1]);
		if (s[2 * i] == '\0' || s[2 * i + 1] == '\0' || h == NULL || l == NULL)
			return false;
		out[i] = (uint8_t)((h - hex) << 4 | (l - hex));
	}
	return true;
}

#define MAXTOK	16

/* the words of line s (written into) */
static size_t
words(char *s, char *w[MAXTOK])
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == MAXTOK)
			return MAXTOK + 1;
		w[n++] = t;
	}
	return n;
}

/* a tr line, or (id 0 allowed: never moved) a suspended connection's */
static bool
tr_line(char **w, size_t n, uint64_t min_id, struct vnat_tuple *t)
{
	uint64_t id;

	memset(t, 0, sizeof(*t));
	return n == 13 && num(w[1], UINT32_MAX, &id) && id >= min_id &&
	    family(w[2], &t->t_family) &&
	    proto(w[3], &t->t_proto) && num8(w[4], TUPLE_OUT | TUPLE_IN, &t->t_dirs) &&
	    addr(w[5], t->t_family, t->t_lvir) && port(w[6], &t->t_lvir_port) &&
	    addr(w[7], t->t_family, t->t_lphy) && port(w[8], &t->t_lphy_port) &&
	    addr(w[9], t->t_family, t->t_rvir) && port(w[10], &t->t_rvir_port) &&
	    addr(w[11], t->t_family, t->t_rphy) && port(w[12], &t->t_rphy_port) &&
	    (t->t_id = (uint32_t)id, true);
}

static bool
key_line(char **w, size_t n, struct vstate_key *k)
{
	struct vnat_tuple *t = &k->sy_conn;
	uint64_t ctr;

	memset(k, 0, sizeof(*k));
	if (!(n == 9 && family(w[1], &t->t_family) && proto(w[2], &t->t_proto) &&
	    addr(w[3], t->t_family, t->t_lvir) && port(w[4], &t->t_lvir_port) &&
	    addr(w[5], t->t_family, t->t_rvir) && port(w[6], &t->t_rvir_port) &&
	    hexkey(w[7], k->sy_key.vk_key) && num(w[8], UINT64_MAX, &ctr)))
		return false;
	k->sy_key.vk_ctr = ctr;
	memcpy(t->t_lphy, t->t_lvir, 16);
	memcpy(t->t_rphy, t->t_rvir, 16);
	t->t_lphy_port = t->t_lvir_port;
	t->t_rphy_port = t->t_rvir_port;
	return true;
}

/* one line (its text in s, without the line end, written into) */
static bool
parse_line(char *s, struct line *l)
{
	char *w[MAXTOK];
	size_t n;
	uint64_t v;

	if (strcmp(s, HEADER) == 0) {
		l->l_kind = L_HEAD;
		return true;
	}
	if ((n = words(s, w)) == 0 || n > MAXTOK)
		return false;
	if (strcmp(w[0], "announce") == 0 && n == 2) {
		l->l_kind = L_ANN;
		if (strcmp(w[1], "-1") == 0) {
			l->l_ann = -1;
			return true;
		}
		return num(w[1], 2, &v) && (l->l_ann = (int)v, true);
	}
	if (strcmp(w[0], "nextid") == 0 && n == 2) {
		l->l_kind = L_NEXT;
		return num(w[1], UINT32_MAX, &v) && (l->l_next = (uint32_t)v, true);
	}
	if (strcmp(w[0], "tr") == 0) {
		l->l_kind = L_TR;
		return tr_line(w, n, 1, &l->l_tr);
	}
	if (strcmp(w[0], "susp") == 0 && n == 2) {
		l->l_kind = L_SUSP;
		return num(w[1], VSTATE_AT_MAX, &l->l_at);
	}
	if (strcmp(w[0], "sconn") == 0) {
		l->l_kind = L_SCONN;
		return tr_line(w, n, 0, &l->l_tr);
	}
	if (strcmp(w[0], "kept") == 0) {
		l->l_kind = L_KEPT;
		memset(&l->l_kept, 0, sizeof(l->l_kept));
		return n == 3 && family(w[1], &l->l_kept.sk_family) &&
		    addr(w[2], l->l_kept.sk_family, l->l_kept.sk_addr);
	}
	if (strcmp(w[0], "key") == 0) {
		l->l_kind = L_KEY;
		return key_line(w, n, &l->l_key);
	}
	if (strcmp(w[0], "end") == 0 && n == 1) {
		l->l_kind = L_END;
		return true;
	}
	return false;
}

/* walks buf line by line, checking the order and the counts; with out,
 * fills it (its arrays sized by a first walk) */
static int
walk(const char *buf, size_t len, struct vstate *out, size_t cnt[L_END + 1], char *err,
    size_t errlen)
{
	size_t off = 0, lno = 0;
	bool done = false;

	memset(cnt, 0, sizeof(cnt[0]) * (L_END + 1));
	if (len > VSTATE_MAX) {
		snprintf(err, errlen, "%zu bytes, more than %u", len, VSTATE_MAX);
		return -1;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		char s[VSTATE_LINE_MAX + 1];
		struct line l;
		size_t ll;

		lno++;
		if (done) {
			snprintf(err, errlen, "line %zu: text after \"end\"", lno);
			return -1;
		}
		if (nl == NULL) {
			snprintf(err, errlen, "line %zu: truncated (no line end)", lno);
			return -1;
		}
		if ((ll = (size_t)(nl - (buf + off))) > VSTATE_LINE_MAX) {
			snprintf(err, errlen, "line %zu: longer than %d bytes", lno, VSTATE_LINE_MAX);
			return -1;
		}
		memcpy(s, buf + off, ll);
		s[ll] = '\0';
		for (size_t i = 0; i < ll; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
				snprintf(err, errlen, "line %zu: byte 0x%02x", lno, (unsigned char)s[i]);
				return -1;
			}
		off += ll + 1;
		if (!parse_line(s, &l)) {
			snprintf(err, errlen, "line %zu: not a state line: '%.*s'", lno,
			    (int)(ll < 40 ? ll : 40), buf + off - ll - 1);
			return -1;
		}
		if ((lno == 1) != (l.l_kind == L_HEAD) ||
		    ((l.l_kind == L_ANN || l.l_kind == L_NEXT || l.l_kind == L_SUSP) &&
		    cnt[l.l_kind] > 0) || (l.l_kind == L_SCONN && cnt[L_SUSP] == 0)) {
			snprintf(err, errlen, "line %zu: out of place", lno);
			return -1;
		}
		if ((l.l_kind == L_KEPT && cnt[L_KEPT] == VSTATE_KEPT_MAX) ||
		    ((l.l_kind == L_TR || l.l_kind == L_KEY || l.l_kind == L_SCONN) &&
		    cnt[l.l_kind] == VSTATE_ENTS_MAX)) {
			snprintf(err, errlen, "line %zu: too many entries", lno);
			return -1;
		}
		if (out && l.l_kind == L_ANN)
			out->vs_announce = l.l_ann;
		else if (out && l.l_kind == L_NEXT)
			out->vs_next_id = l.l_next;
		else if (out && l.l_kind == L_TR)
			out->vs_trs[cnt[L_TR]] = l.l_tr;
		else if (out && l.l_kind == L_KEPT)
			out->vs_kept[cnt[L_KEPT]] = l.l_kept;
		else if (out && l.l_kind == L_KEY)
			out->vs_keys[cnt[L_KEY]] = l.l_key;
		else if (out && l.l_kind == L_SUSP)
			out->vs_susp_at = l.l_at;
		else if (out && l.l_kind == L_SCONN)
			out->vs_sconns[cnt[L_SCONN]] = l.l_tr;
		cnt[l.l_kind]++;
		done = l.l_kind == L_END;
		explicit_bzero(&l, sizeof(l));	/* keys */
		explicit_bzero(s, sizeof(s));
	}
	if (!done) {
		snprintf(err, errlen, lno ? "truncated: no \"end\" line" : "empty");
		return -1;
	}
	if (cnt[L_ANN] != 1 || cnt[L_NEXT] != 1) {
		snprintf(err, errlen, "no announce or nextid line");
		return -1;
	}
	return 0;
}

int
vstate_check(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t cnt[L_END + 1];

	return walk(buf, len, NULL, cnt, err, errlen);
}

int
vstate_parse(const char *buf, size_t len, struct vstate *out, char *err, size_t errlen)
{
	size_t cnt[L_END + 1];

	memset(out, 0, sizeof(*out));
	if (walk(buf, len, NULL, cnt, err, errlen) != 0)
		return -1;
	out->vs_trs = calloc(cnt[L_TR] ? cnt[L_TR] : 1, sizeof(*out->vs_trs));
	out->vs_kept = calloc(cnt[L_KEPT] ? cnt[L_KEPT] : 1, sizeof(*out->vs_kept));
	out->vs_keys = calloc(cnt[L_KEY] ? cnt[L_KEY] : 1, sizeof(*out->vs_keys));
	out->vs_sconns = calloc(cnt[L_SCONN] ? cnt[L_SCONN] : 1, sizeof(*out->vs_sconns));
	if (out->vs_trs == NULL || out->vs_kept == NULL || out->vs_keys == NULL ||
	    out->vs_sconns == NULL) {
		vstate_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	walk(buf, len, out, cnt, err, errlen);
	out->vs_ntrs = cnt[L_TR];
	out->vs_nkept = cnt[L_KEPT];
	out->vs_nkeys = cnt[L_KEY];
	out->vs_susp = cnt[L_SUSP] > 0;
	out->vs_nsconns = cnt[L_SCONN];
	/* ids already given are not given again */
	for (size_t i = 0; i < out->vs_ntrs; i++)
		if (out->vs_trs[i].t_id > out->vs_next_id)
			out->vs_next_id = out->vs_trs[i].t_id;
	return 0;
}

void
vstate_free(struct vstate *s)
{
	free(s->vs_trs);
	free(s->vs_kept);
	if (s->vs_keys)
		explicit_bzero(s->vs_keys, s->vs_nkeys * sizeof(*s->vs_keys));
	free(s->vs_keys);
	free(s->vs_sconns);
	memset(s, 0, sizeof(*s));
}

static void
end_text(FILE *f, uint8_t fam, const uint8_t *a, uint16_t p)
{
	char s[ADDRFMT_ADDRLEN];

	fprintf(f, " %s %u", tuple_addr_text(fam, a, s, sizeof(s)), p);
}

/* a whole tuple: NAME ID FAM PROTO DIRS and the four ends */
static void
tuple_text(FILE *f, const char *name, const struct vnat_tuple *t)
{
	fprintf(f, "%s %u %u %u %u", name, t->t_id, t->t_family, t->t_proto, t->t_dirs);
	end_text(f, t->t_family, t->t_lvir, t->t_lvir_port);
	end_text(f, t->t_family, t->t_lphy, t->t_lphy_port);
	end_text(f, t->t_family, t->t_rvir, t->t_rvir_port);
	end_text(f, t->t_family, t->t_rphy, t->t_rphy_port);
	fputc('\n', f);
}

char *
vstate_format(const struct vstate *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	char a[ADDRFMT_ADDRLEN];

	if (f == NULL)
		return NULL;
	fprintf(f, HEADER "\nannounce %d\nnextid %u\n", s->vs_announce, s->vs_next_id);
	for (size_t i = 0; i < s->vs_ntrs; i++)
		tuple_text(f, "tr", &s->vs_trs[i]);
	for (size_t i = 0; i < s->vs_nkept; i++)
		fprintf(f, "kept %u %s\n", s->vs_kept[i].sk_family,
		    tuple_addr_text(s->vs_kept[i].sk_family, s->vs_kept[i].sk_addr, a, sizeof(a)));
	for (size_t i = 0; i < s->vs_nkeys; i++) {
		const struct vstate_key *k = &s->vs_keys[i];
		fprintf(f, "key %u %u", k->sy_conn.t_family, k->sy_conn.t_proto);
		end_text(f, k->sy_conn.t_family, k->sy_conn.t_lvir, k->sy_conn.t_lvir_port);
		end_text(f, k->sy_conn.t_family, k->sy_conn.t_rvir, k->sy_conn.t_rvir_port);
		fputc(' ', f);
		for (size_t j = 0; j < VKEY_LEN; j++)
			fprintf(f, "%02x", k->sy_key.vk_key[j]);
		fprintf(f, " %llu\n", (unsigned long long)k->sy_key.vk_ctr);
	}
	if (s->vs_susp)
		fprintf(f, "susp %llu\n", (unsigned long long)s->vs_susp_at);
	for (size_t i = 0; s->vs_susp && i < s->vs_nsconns; i++)
		tuple_text(f, "sconn", &s->vs_sconns[i]);
	fputs("end\n", f);
	if ((ferror(f) != 0) + (fclose(f) != 0)) {
		free(buf);
		return NULL;
	}
	return buf;
}
