/* Unit tests: quiet or busy (handler/quiet): busy at once past QUIET_BYTES
 * in a window, quiet again only after a whole quiet window. */
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
	quiet_set(&q, true);
	cr_assert(quiet_want(&q, QUIET_BYTES - 1, 10));
	cr_assert_not(quiet_want(&q, QUIET_BYTES, 11), "the limit reached within 11 ms");
	quiet_set(&q, false);
	cr_assert_not(quiet_want(&q, QUIET_BYTES + 10, 900), "still in that window");
	cr_assert_not(quiet_want(&q, 3 * QUIET_BYTES, 1000), "the window ended over the limit");
	cr_assert_not(quiet_want(&q, 3 * QUIET_BYTES + 10, 1500), "no promotion mid-window");
	cr_assert(quiet_want(&q, 3 * QUIET_BYTES + 10, 2000), "a whole window with 10 bytes");
}

Test(quiet, a_refused_change_is_asked_again)
{
	struct quiet q;

	quiet_init(&q, 0, 0);
	quiet_set(&q, true);
	/* the caller could not apply the demotion (the event was active):
	 * the next call still wants it */
	cr_assert_not(quiet_want(&q, QUIET_BYTES, 5));
	cr_assert_not(quiet_want(&q, QUIET_BYTES, 6));
	cr_assert(quiet_is(&q));
}

Test(quiet, a_long_silence_then_a_frame_is_quiet)
{
	struct quiet q;

	quiet_init(&q, 0, 0);
	cr_assert(quiet_want(&q, 1514, 600000), "ten minutes of nothing, one frame");
}
