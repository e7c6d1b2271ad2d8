/* Unit tests: quiet or busy (handler/quiet): busy at once past QUIET_BYTES
 * or QUIET_CALLS in a window, quiet again only after a whole quiet window;
 * a change the caller could not apply is wanted again. */
#include <criterion/criterion.h>

#include "handler/quiet.h"

Test(quiet, starts_busy_and_a_quiet_second_makes_it_quiet)
{
	struct quiet q;

	quiet_init(&q, 1000, 50);
	cr_assert_not(quiet_is(&q));
	cr_assert_not(quiet_want(&q, 1100, 500), "no promotion within the first window");
	cr_assert(quiet_want(&q, 1100, 1050), "a window of 100 bytes ended: quiet");
	quiet_set(&q, true);
	cr_assert(quiet_is(&q));
}

Test(quiet, a_bulk_transfer_is_busy_at_once_not_at_the_window_end)
{
	struct quiet q;

	quiet_init(&q, 0, 0);
	cr_assert(quiet_want(&q, 0, 1000), "a quiet first second");
	quiet_set(&q, true);
	cr_assert(quiet_want(&q, QUIET_BYTES - 1, 1010));
	cr_assert_not(quiet_want(&q, QUIET_BYTES, 1011), "the limit reached within 11 ms");
	quiet_set(&q, false);
	cr_assert_not(quiet_want(&q, QUIET_BYTES + 10, 1900), "still in that window");
	cr_assert_not(quiet_want(&q, 3 * QUIET_BYTES, 2000), "the window ended over the limit");
	cr_assert_not(quiet_want(&q, 3 * QUIET_BYTES + 10, 2500), "no promotion mid-window");
	cr_assert(quiet_want(&q, 3 * QUIET_BYTES + 10, 3000), "a whole window with 10 bytes");
}

Test(quiet, a_refused_change_is_asked_again)
{
	struct quiet q;

	quiet_init(&q, 0, 0);
	/* the caller could not apply the promotion (an event was active):
	 * the next call in the new window still wants it */
	cr_assert(quiet_want(&q, 10, 1000));
	cr_assert(quiet_want(&q, 20, 1001), "wanted again after a refusal");
	cr_assert_not(quiet_is(&q));
	quiet_set(&q, true);
	/* nor a demotion */
	cr_assert_not(quiet_want(&q, 10 + QUIET_BYTES, 1005));
	cr_assert_not(quiet_want(&q, 20 + QUIET_BYTES, 1006));
	cr_assert(quiet_is(&q));
}

Test(quiet, many_small_callbacks_are_busy)
{
	struct quiet q;
	unsigned i;

	quiet_init(&q, 0, 0);
	cr_assert(quiet_want(&q, 0, 1000));
	quiet_set(&q, true);
	/* a byte per callback: far under QUIET_BYTES, but the loop's time */
	for (i = 1; i < QUIET_CALLS; i++)
		cr_assert(quiet_want(&q, i, 1000 + i % 900), "call %u", i);
	cr_assert_not(quiet_want(&q, i, 1900), "call %u of one window", QUIET_CALLS);
	quiet_set(&q, false);
	cr_assert_not(quiet_want(&q, i, 2000), "the window that ended was busy");
	cr_assert(quiet_want(&q, i, 3000), "one call in the next");
}

Test(quiet, a_long_silence_then_a_frame_is_quiet)
{
	struct quiet q;

	quiet_init(&q, 0, 0);
	cr_assert(quiet_want(&q, 1514, 600000), "ten minutes of nothing, one frame");
}
