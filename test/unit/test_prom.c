/* prom: label values and help texts escaped as the text format wants
 * (backslash, double quote, newline), and one family written whole. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "server/prom.h"

/* what b holds, as a string the caller frees; b is emptied */
static char *
drain(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = calloc(1, n + 1);

	cr_assert_not_null(s);
	cr_assert_eq(evbuffer_remove(b, s, n), (int)n);
	return s;
}

static void
assert_label(const char *in, const char *want)
{
	struct evbuffer *b = evbuffer_new();
	char *got;

	cr_assert_eq(prom_escape_label(b, in), 0);
	got = drain(b);
	cr_assert_str_eq(got, want, "escaping '%s'", in);
	free(got);
	evbuffer_free(b);
}

Test(prom, label_escaping)
{
	assert_label("", "");
	assert_label("eth0", "eth0");
	assert_label("a\\b", "a\\\\b");
	assert_label("say \"hi\"", "say \\\"hi\\\"");
	assert_label("two\nlines", "two\\nlines");
	assert_label("\\\"\n", "\\\\\\\"\\n");
	assert_label("[::1]:4455", "[::1]:4455");
	/* everything else, UTF-8 and tabs included, goes as it is */
	assert_label("tab\there \xc3\xa9", "tab\there \xc3\xa9");
}

Test(prom, one_family)
{
	struct evbuffer *b = evbuffer_new();
	struct prom_label l[] = { { "id", "7" }, { "device", "ve\"th\\0" }, { "reason", "a\nb" } };
	char *got;

	cr_assert_eq(prom_family(b, "vnet_x_total", PROM_COUNTER, "Frames \"dropped\"\\by\nreason."),
	    0);
	cr_assert_eq(prom_sample(b, "vnet_x_total", l, 3, 18446744073709551615ull), 0);
	cr_assert_eq(prom_sample(b, "vnet_x_total", l, 1, 0), 0);
	cr_assert_eq(prom_family(b, "vnet_up", PROM_GAUGE, "Up."), 0);
	cr_assert_eq(prom_sample(b, "vnet_up", NULL, 0, 1), 0);
	got = drain(b);
	/* HELP escapes backslash and newline only; quotes stay */
	cr_assert_str_eq(got,
	    "# HELP vnet_x_total Frames \"dropped\"\\\\by\\nreason.\n"
	    "# TYPE vnet_x_total counter\n"
	    "vnet_x_total{id=\"7\",device=\"ve\\\"th\\\\0\",reason=\"a\\nb\"} 18446744073709551615\n"
	    "vnet_x_total{id=\"7\"} 0\n"
	    "# HELP vnet_up Up.\n"
	    "# TYPE vnet_up gauge\n"
	    "vnet_up 1\n");
	free(got);
	evbuffer_free(b);
}
