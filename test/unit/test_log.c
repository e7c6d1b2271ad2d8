/* log: the rate limit for lines a remote party can trigger. */
#include <criterion/criterion.h>

#include "common/log.h"

Test(log, rate_limit_holds_back_past_the_burst)
{
	struct log_rl rl = { 0, 0, 0 };
	unsigned long before = log_rl_held_total();
	int passed = 0;

	log_init("test", LOG_LVL_WARN, 0);
	for (int i = 0; i < 100; i++)
		passed += log_rl_allow(&rl);
	cr_assert_eq(passed, LOG_RL_BURST);
	cr_assert_eq(rl.lr_held, 100 - LOG_RL_BURST);
	cr_assert_eq(log_rl_held_total() - before, 100 - LOG_RL_BURST);
	/* a new window lets lines through again and reports what was held */
	rl.lr_start -= LOG_RL_WINDOW;
	cr_assert(log_rl_allow(&rl));
	cr_assert_eq(rl.lr_held, 0);
}
