/* policy: words and the values they name. */
#include "vnat/policy.h"

#include <string.h>

#include "common/sbuf.h"

int
policy_parse(const struct policy_word *tab, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i].pw_word, word) == 0)
			return tab[i].pw_value;
	return -1;
}

const char *
policy_word(const struct policy_word *tab, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].pw_value == value)
			return tab[i].pw_word;
	return "?";
}

const char *
policy_choices(const struct policy_word *tab, size_t n, const char *last, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, 0 };
	size_t all = n + (last != NULL);

	sbuf_add(&b, "use");
	for (size_t i = 0; i < all; i++)
		sbuf_add(&b, "%s%s", i == 0 ? " " : i + 1 == all ? " or " : ", ",
		    i < n ? tab[i].pw_word : last);
	return buf;
}
