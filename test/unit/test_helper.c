/* Unit tests: migration helper modes and their selection by process name. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vnat/core.h"

Test(helper, modes_parse)
{
	enum helper_kind k;
	char path[256], err[256];

	cr_assert_eq(helper_parse("keepalive", &k, path, sizeof(path), err, sizeof(err)), 0);
	cr_assert_eq(k, HK_KEEPALIVE);
	cr_assert_eq(helper_parse("stop", &k, path, sizeof(path), err, sizeof(err)), 0);
	cr_assert_eq(k, HK_STOP);
	cr_assert_eq(helper_parse("stop-always", &k, path, sizeof(path), err, sizeof(err)), 0);
	cr_assert_eq(k, HK_STOP_ALWAYS);
	cr_assert_eq(helper_parse("none", &k, path, sizeof(path), err, sizeof(err)), 0);
	cr_assert_eq(k, HK_NONE);
	cr_assert_eq(helper_parse("exec:/usr/local/bin/pong", &k, path, sizeof(path), err,
	    sizeof(err)), 0);
	cr_assert_eq(k, HK_EXEC);
	cr_assert_str_eq(path, "/usr/local/bin/pong");
	cr_assert_eq(helper_parse("exec:relative", &k, path, sizeof(path), err, sizeof(err)), -1);
	cr_assert(strstr(err, "exec:/absolute/path"), "%s", err);
	cr_assert_eq(helper_parse("sleep", &k, path, sizeof(path), err, sizeof(err)), -1);
	cr_assert_str_eq(err, "helper 'sleep': use keepalive, stop, stop-always, none, default or "
	    "exec:/absolute/path (at most 255 characters)");
	cr_assert_eq(helper_parse("exec:/xyzw", &k, path, 4, err, sizeof(err)), -1);
}

Test(helper, chosen_by_process_name_then_star)
{
	struct vnat *v = calloc(1, sizeof(*v));
	char err[256];

	char line[300];

	/* nothing set: keepalive, and HELPERS? says so */
	cr_assert_eq(helper_for(v, "irssi")->hc_kind, HK_KEEPALIVE);
	cr_assert_eq(helper_count(v), 1u);
	helper_format(v, 0, line, sizeof(line));
	cr_assert_str_eq(line, "* keepalive");
	cr_assert_eq(helper_set(v, "irssi", "exec:/bin/true", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(helper_set(v, "*", "keepalive", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(helper_for(v, "irssi")->hc_kind, HK_EXEC);
	cr_assert_eq(helper_for(v, "sshd")->hc_kind, HK_KEEPALIVE);
	cr_assert_eq(helper_set(v, "irssi", "stop", err, sizeof(err)), 0);
	cr_assert_eq(helper_for(v, "irssi")->hc_kind, HK_STOP);
	cr_assert_eq(v->v_help.hs_nconf, 2u);
	cr_assert_eq(helper_count(v), 2u);	/* "*" set: no default line */
	cr_assert_eq(helper_set(v, "irssi", "none", err, sizeof(err)), 0);
	cr_assert_eq(helper_for(v, "irssi")->hc_kind, HK_NONE);	/* a choice, kept */
	cr_assert_eq(helper_set(v, "irssi", "default", err, sizeof(err)), 0);
	cr_assert_eq(helper_for(v, "irssi")->hc_kind, HK_KEEPALIVE);	/* back to "*" */
	cr_assert_eq(helper_set(v, "*", "stop", err, sizeof(err)), 0);
	cr_assert_eq(helper_set(v, "*", "default", err, sizeof(err)), 0);
	cr_assert_eq(helper_for(v, "sshd")->hc_kind, HK_KEEPALIVE);	/* the built-in */
	cr_assert_eq(helper_set(v, "*", "none", err, sizeof(err)), 0);
	cr_assert_eq(helper_for(v, "sshd")->hc_kind, HK_NONE);
	cr_assert_eq(helper_set(v, "a-name-far-too-long", "stop", err, sizeof(err)), -1);
	free(v);
}
