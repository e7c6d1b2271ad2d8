/* Unit tests: conflict policies and the tuple check. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/fixture.h"
#include "vnat/core.h"

Test(conflict, policy_by_name_then_star_then_abort)
{
	struct vnat *v = calloc(1, sizeof(*v));
	char err[256];

	cr_assert_eq(conflict_policy_for(v, "sshd"), CP_ABORT);
	cr_assert_eq(conflict_set(v, "sshd", "preempt", err, sizeof(err)), 0);
	cr_assert_eq(conflict_policy_for(v, "sshd"), CP_PREEMPT);
	cr_assert_eq(conflict_policy_for(v, "irssi"), CP_ABORT);
	cr_assert_eq(conflict_set(v, "*", "preempt", err, sizeof(err)), 0);
	cr_assert_eq(conflict_set(v, "irssi", "abort", err, sizeof(err)), 0);
	cr_assert_eq(conflict_policy_for(v, "irssi"), CP_ABORT);
	cr_assert_eq(conflict_policy_for(v, "curl"), CP_PREEMPT);
	cr_assert_eq(conflict_set(v, "curl", "maybe", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "conflict policy 'maybe': use abort or preempt");
	enum conflict_policy p;
	cr_assert_eq(conflict_parse("preempt", &p, err, sizeof(err)), 0);
	cr_assert_eq(p, CP_PREEMPT);
	cr_assert_str_eq(conflict_policy_name(CP_ABORT), "abort");
	cr_assert_str_eq(conflict_policy_name(CP_PREEMPT), "preempt");
	free(v);
}

Test(conflict, the_new_physical_tuple_is_checked_not_the_old)
{
	struct vtab socks;
	struct vnat_tuple t, other;
	struct vtab_ent *e;
	bool created;

	t = fx_tr4("198.18.1.10", 40001, "198.18.3.10", "198.18.2.20", 7000, "198.18.2.20");
	vtab_init(&socks);
	/* the connection's own socket (old tuple) is no conflict */
	e = vtab_put(&socks, &t, &created);
	e->ve_sock.ss_inode = 11;
	e->ve_sock.ss_state = TCP_ESTABLISHED;
	cr_assert_eq(conflict_hit(&socks, &t), 0);
	/* another socket on the new tuple is */
	other = t;
	memcpy(other.t_lvir, t.t_lphy, 4);
	e = vtab_put(&socks, &other, &created);
	e->ve_sock.ss_inode = 22;
	e->ve_sock.ss_state = TCP_ESTABLISHED;
	cr_assert_eq(conflict_hit(&socks, &t), 22u);
	/* so is one still opening, either way */
	e->ve_sock.ss_state = TCP_SYN_SENT;
	cr_assert_eq(conflict_hit(&socks, &t), 22u);
	e->ve_sock.ss_state = TCP_SYN_RECV;
	cr_assert_eq(conflict_hit(&socks, &t), 22u);
	/* the same socket on its way out is no conflict */
	e->ve_sock.ss_state = TCP_FIN_WAIT1;
	cr_assert_eq(conflict_hit(&socks, &t), 0);
	e->ve_sock.ss_state = TCP_CLOSE_WAIT;
	cr_assert_eq(conflict_hit(&socks, &t), 0);
	e->ve_sock.ss_state = TCP_ESTABLISHED;
	/* not moved: the new tuple is its own */
	memcpy(t.t_lphy, t.t_lvir, 4);
	cr_assert_eq(conflict_hit(&socks, &t), 0);
	vtab_clear(&socks);
}
