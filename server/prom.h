/* prom: the Prometheus text exposition format, version 0.0.4 (HELP and
 * TYPE lines, samples with labels), written into an evbuffer.  Pure: no
 * I/O, no state; server/metrics.c decides what is written. */
#ifndef VNET_PROM_H
#define VNET_PROM_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

enum prom_type { PROM_COUNTER, PROM_GAUGE };

struct prom_label {
	const char	*pl_name;	/* [a-zA-Z_][a-zA-Z0-9_]*, written as is */
	const char	*pl_value;	/* any text, escaped */
};

/* Appends s to b escaped as a label value (backslash, double quote and
 * newline as \\, \" and \n); 0, or -1 out of memory. */
int prom_escape_label(struct evbuffer *b, const char *s);
/* Writes the "# HELP" (help escaped: backslash, newline) and "# TYPE"
 * lines of the family name; 0, or -1 out of memory. */
int prom_family(struct evbuffer *b, const char *name, enum prom_type type, const char *help);
/* Writes one sample line, name{l0="v0",...} value, with the n labels of l
 * (none when n is 0); 0, or -1 out of memory. */
int prom_sample(struct evbuffer *b, const char *name, const struct prom_label *l, size_t n,
    uint64_t value);

#endif
