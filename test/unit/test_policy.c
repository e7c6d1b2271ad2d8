/* Unit tests: a table of words, parsed, printed and listed for an error. */
#include <criterion/criterion.h>
#include <string.h>

#include "vnat/policy.h"

static const struct policy_word tab[] = { { "abort", 0 }, { "preempt", 1 }, { "wait", 7 } };
#define N	(sizeof(tab) / sizeof(tab[0]))

Test(policy, words_and_values_both_ways)
{
	cr_assert_eq(policy_parse(tab, N, "preempt"), 1);
	cr_assert_eq(policy_parse(tab, N, "wait"), 7);
	cr_assert_eq(policy_parse(tab, N, "Preempt"), -1, "words are exact");
	cr_assert_eq(policy_parse(tab, N, ""), -1);
	cr_assert_str_eq(policy_word(tab, N, 0), "abort");
	cr_assert_str_eq(policy_word(tab, N, 5), "?");
}

Test(policy, choices_name_every_word_in_order)
{
	char buf[64];

	cr_assert_str_eq(policy_choices(tab, 2, NULL, buf, sizeof(buf)), "use abort or preempt");
	cr_assert_str_eq(policy_choices(tab, N, NULL, buf, sizeof(buf)),
	    "use abort, preempt or wait");
	cr_assert_str_eq(policy_choices(tab, 2, "exec:/path", buf, sizeof(buf)),
	    "use abort, preempt or exec:/path");
	cr_assert_str_eq(policy_choices(tab, 1, NULL, buf, sizeof(buf)), "use abort");
	cr_assert_str_eq(policy_choices(tab, 2, NULL, buf, 8), "use abo", "cut, terminated");
}
