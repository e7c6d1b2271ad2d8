/* policy: the words a setting takes and the values they name, in one table
 * per setting (conflict policies: vnat/conflict; helper kinds:
 * vnat/helper), from which parsing, printing and the "use a, b or c" of an
 * error all come.  Pure. */
#ifndef VNET_POLICY_H
#define VNET_POLICY_H

#include <stddef.h>

struct policy_word {
	const char	*pw_word;
	int		 pw_value;
};

/* The value word names in tab (n entries), or -1 when it names none. */
int policy_parse(const struct policy_word *tab, size_t n, const char *word);
/* The word of value in tab, or "?" when it has none. */
const char *policy_word(const struct policy_word *tab, size_t n, int value);
/* Writes "use a, b or c" into buf (cut short if it does not fit): the
 * words of tab in order, then last (when not NULL) as one more choice;
 * returns buf. */
const char *policy_choices(const struct policy_word *tab, size_t n, const char *last, char *buf,
    size_t len);

#endif
