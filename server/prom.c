/* prom: the text exposition format.  Escaping copies the runs between
 * special characters whole, so that a scrape of thousands of samples is
 * not one evbuffer call per character. */
#include "server/prom.h"

#include <inttypes.h>
#include <string.h>

/* s with the characters of special escaped ('\n' always, as "\n") */
static int
escape(struct evbuffer *b, const char *s, const char *special)
{
	size_t run;

	for (;;) {
		run = strcspn(s, special);
		if (run > 0 && evbuffer_add(b, s, run) != 0)
			return -1;
		s += run;
		if (*s == '\0')
			return 0;
		if (evbuffer_add(b, "\\", 1) != 0 || evbuffer_add(b, *s == '\n' ? "n" : s, 1) != 0)
			return -1;
		s++;
	}
}

int
prom_escape_label(struct evbuffer *b, const char *s)
{
	return escape(b, s, "\\\"\n");
}

int
prom_family(struct evbuffer *b, const char *name, enum prom_type type, const char *help)
{
	if (evbuffer_add_printf(b, "# HELP %s ", name) < 0 || escape(b, help, "\\\n") != 0 ||
	    evbuffer_add_printf(b, "\n# TYPE %s %s\n", name,
	    type == PROM_COUNTER ? "counter" : "gauge") < 0)
		return -1;
	return 0;
}

int
prom_sample(struct evbuffer *b, const char *name, const struct prom_label *l, size_t n,
    uint64_t value)
{
	if (evbuffer_add(b, name, strlen(name)) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (evbuffer_add_printf(b, "%s%s=\"", i ? "," : "{", l[i].pl_name) < 0 ||
		    prom_escape_label(b, l[i].pl_value) != 0 || evbuffer_add(b, "\"", 1) != 0)
			return -1;
	if (evbuffer_add_printf(b, "%s %" PRIu64 "\n", n ? "}" : "", value) < 0)
		return -1;
	return 0;
}
