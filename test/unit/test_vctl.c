/* Unit tests: the VNAT text requests (vnat/ctl) and the lifecycle of the
 * operations (vnat/op), on a struct vnat with nothing started (no root,
 * no nftables). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/proto.h"
#include "vnat/core.h"

struct lines {
	char	l_text[8][512];
	int	l_n;
};

static void
keep_line(void *arg, const char *line)
{
	struct lines *l = arg;

	cr_assert_lt(l->l_n, 8);
	snprintf(l->l_text[l->l_n++], sizeof(l->l_text[0]), "%s", line);
}

static int dones;

static void
count_done(void *arg, bool ok, const char *text)
{
	(void)arg;
	(void)ok;
	(void)text;
	dones++;
}

static struct vnat *
bare(void)
{
	struct vnat *v = calloc(1, sizeof(*v));

	cr_assert_not_null(v);
	vtab_init(&v->v_trs.tr_tab);
	suspend_init(v);
	keys_init(v);
	conflict_init(v);
	kept_init(v);
	return v;
}

static enum vnat_ctl_rc
request(struct vnat *v, const char *text, struct lines *l)
{
	struct proto_msg m;
	char err[256];

	memset(l, 0, sizeof(*l));
	cr_assert_eq(proto_parse(text, &m, err, sizeof(err)), VNET_OK, "%s: %s", text, err);
	return vnat_ctl_request(v, &m, keep_line, count_done, l);
}

/* the request's answer is one line, want */
static void
answers(struct vnat *v, const char *req, const char *want)
{
	struct lines l;

	cr_assert_eq(request(v, req, &l), VNAT_CTL_ANSWERED, "%s", req);
	cr_assert_eq(l.l_n, 1, "%s", req);
	cr_assert_str_eq(l.l_text[0], want);
}

Test(vctl, off_procs_helper_conflict_stats)
{
	static const struct { const char *req, *want; } one[] = {
		{ "VNAT ADD sshd", "OK added sshd" },
		{ "VNAT ADD sshd", "NOK 'sshd' is on the list already" },
		{ "VNAT HELPER sshd keepalive", "OK helper sshd keepalive" },
		{ "VNAT CONFLICT sshd maybe", "NOK conflict policy 'maybe': use abort or preempt" },
		{ "VNAT STATS?", "OK vstats translations=0 kept=0 suspended=no peer_suspended=0 "
		    "keys=0 vcmp_msgs=0 updated=0 unknown=0 refused=0 auth_refused=0 keyless=0 "
		    "conflicts=0 nft_errors=0 kicked=0" },
	};
	struct vnat *v = bare();
	struct lines l;

	answers(NULL, "VNAT PROCS?", "NOK VNAT is off on this server (start vnet with --vnat)");
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		answers(v, one[i].req, one[i].want);
	request(v, "VNAT PROCS?", &l);
	cr_assert_eq(l.l_n, 3);
	cr_assert_str_eq(l.l_text[0], "OK procs");
	cr_assert_str_eq(l.l_text[1], "1");
	cr_assert_str_eq(l.l_text[2], "sshd");
	answers(v, "VNAT DEL sshd", "OK removed sshd");
	/* refused before it began: no operation is left running */
	answers(v, "VNAT RESUME", "NOK nothing to resume: no process is on the VNAT list "
	    "(VNAT ADD)");
	answers(v, "VNAT SUSPEND", "NOK nothing to suspend: no process is on the VNAT list "
	    "(VNAT ADD)");
	cr_assert_not(op_running(v, OP_RESUME));
	cr_assert_not(op_running(v, OP_SUSPEND));
	cr_assert_eq(dones, 0);
	free(v);
}

/* the request's answer is a list: OK what, the count, then want's lines */
static void
lists(struct vnat *v, const char *req, const char *what, const char *const *want, size_t n)
{
	struct lines l;
	char count[16];

	cr_assert_eq(request(v, req, &l), VNAT_CTL_ANSWERED, "%s", req);
	cr_assert_eq(l.l_n, 2 + n, "%s: %zu lines", req, l.l_n);
	cr_assert_str_eq(l.l_text[0], what);
	snprintf(count, sizeof(count), "%zu", n);
	cr_assert_str_eq(l.l_text[1], count);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(l.l_text[2 + i], want[i]);
}

/* HELPERS? and CONFLICTS? list what HELPER and CONFLICT set, in the words
 * they take; none removes a helper, a refused mode changes nothing */
Test(vctl, helpers_conflicts_listed)
{
	static const char *const none[] = { NULL };
	static const char *const h0[] = { "* keepalive" };
	static const char *const h1[] = { "sshd keepalive", "iperf3 exec:/usr/local/bin/h",
	    "* stop-always" };
	static const char *const h2[] = { "* stop-always", "iperf3 exec:/usr/local/bin/h" };
	static const char *const h3[] = { "sshd none", "iperf3 exec:/usr/local/bin/h",
	    "* keepalive" };
	static const char *const c1[] = { "sshd preempt", "* abort" };
	struct vnat *v = bare();

	answers(NULL, "VNAT HELPERS?", "NOK VNAT is off on this server (start vnet with --vnat)");
	lists(v, "VNAT HELPERS?", "OK helpers", h0, 1);
	lists(v, "vnat conflicts?", "OK conflicts", none, 0);
	answers(v, "VNAT HELPER sshd keepalive", "OK helper sshd keepalive");
	answers(v, "VNAT HELPER iperf3 exec:/usr/local/bin/h", "OK helper iperf3 exec:/usr/local/bin/h");
	answers(v, "VNAT HELPER * stop-always", "OK helper * stop-always");
	answers(v, "VNAT HELPER sshd sometimes", "NOK helper 'sometimes': use keepalive, stop, "
	    "stop-always, none, default or exec:/absolute/path (at most 255 characters)");
	lists(v, "VNAT HELPERS?", "OK helpers", h1, 3);
	answers(v, "VNAT HELPER sshd default", "OK helper sshd default");
	lists(v, "VNAT HELPERS?", "OK helpers", h2, 2);
	answers(v, "VNAT HELPER sshd none", "OK helper sshd none");
	answers(v, "VNAT HELPER * default", "OK helper * default");
	lists(v, "VNAT HELPERS?", "OK helpers", h3, 3);
	answers(v, "VNAT CONFLICT sshd preempt", "OK conflict sshd preempt");
	answers(v, "VNAT CONFLICT * abort", "OK conflict * abort");
	answers(v, "VNAT CONFLICT * maybe", "NOK conflict policy 'maybe': use abort or preempt");
	lists(v, "VNAT CONFLICTS?", "OK conflicts", c1, 2);
	conflict_free(v);
	free(v);
}

static int freed;

static void
op_freed(struct vnat_op *op)
{
	(void)op;
	freed++;
}

Test(vctl, one_operation_at_a_time_detach_end_abort)
{
	struct vnat *v = bare();
	struct vnat_op a = { .op_kind = OP_SUSPEND, .op_done = count_done, .op_close = op_freed };
	struct vnat_op b = { .op_kind = OP_RESUME, .op_done = count_done, .op_close = op_freed };
	char err[128];
	int me, other;

	a.op_arg = &me;
	cr_assert_eq(op_begin(v, &a, err, sizeof(err)), 0);
	cr_assert(op_running(v, OP_SUSPEND));
	cr_assert_eq(op_begin(v, &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "a SUSPEND is running already");
	/* ended: answered once, torn down once, nothing runs */
	dones = freed = 0;
	op_end(&a, true, "done");
	cr_assert_eq(dones, 1);
	cr_assert_eq(freed, 1);
	cr_assert_not(op_running(v, OP_SUSPEND));
	/* detached by its requester: ends unanswered; another's detach is ignored */
	b.op_arg = &me;
	cr_assert_eq(op_begin(v, &b, err, sizeof(err)), 0);
	vnat_ctl_detach(v, &other);
	cr_assert_not_null(b.op_done);
	vnat_ctl_detach(v, &me);
	op_end(&b, true, "done");
	cr_assert_eq(dones, 1);
	cr_assert_eq(freed, 2);
	/* aborted (vnat_stop): torn down, unanswered */
	b.op_done = count_done;
	cr_assert_eq(op_begin(v, &b, err, sizeof(err)), 0);
	op_abort(v);
	cr_assert_eq(dones, 1);
	cr_assert_eq(freed, 3);
	cr_assert_not(op_running(v, OP_RESUME));
	free(v);
}

static bool last_ok;
static char last_text[600];

static void
keep_done(void *arg, bool ok, const char *text)
{
	(void)arg;
	last_ok = ok;
	snprintf(last_text, sizeof(last_text), "%s", text);
	dones++;
}

/* req started on v for arg: pending, and not answered from inside the call */
static void
start_pending(struct vnat *v, const char *req, void *arg)
{
	struct proto_msg m;
	char err[256];
	int before = dones;

	cr_assert_eq(proto_parse(req, &m, err, sizeof(err)), VNET_OK);
	cr_assert_eq(vnat_ctl_request(v, &m, keep_line, keep_done, arg), VNAT_CTL_PENDING, "%s",
	    req);
	cr_assert_eq(dones, before, "%s answered from inside the request", req);
}

/* what the loop has to run now, and what that armed for the next turn */
static void
two_turns(struct vnat *v)
{
	event_base_loop(v->v_base, EVLOOP_NONBLOCK);
	event_base_loop(v->v_base, EVLOOP_NONBLOCK);
}

/* a RESUME after a SUSPEND that found nothing: it starts, is answered from
 * the loop (never from inside the request), and a requester that went away
 * (vnat_ctl_detach) or a vnat_stop (op_abort) before the loop ran is not
 * answered: the deferral goes with the operation */
Test(vctl, resume_answered_from_the_loop_unless_detached_or_aborted)
{
	struct vnat *v = bare();
	int me;

	cr_assert_not_null(v->v_base = event_base_new());
	dones = 0;
	for (int round = 0; round < 3; round++) {
		v->v_susp.sp_on = true;
		v->v_susp.sp_at = time(NULL);
		start_pending(v, "VNAT RESUME", &me);
		cr_assert(op_running(v, OP_RESUME));
		if (round == 1)
			vnat_ctl_detach(v, &me);
		else if (round == 2)
			op_abort(v);
		two_turns(v);
		cr_assert_not(op_running(v, OP_RESUME), "round %d", round);
		cr_assert_eq(dones, 1, "round %d: %d answers", round, dones);
		if (round == 0) {
			cr_assert(last_ok);
			cr_assert(strncmp(last_text, "resumed 0 of 0 connection(s) in ", 32) == 0,
			    "%s", last_text);
			cr_assert_not(suspend_is_on(v));
		}
	}
	suspend_free(v);
	event_base_free(v->v_base);
	free(v);
}

/* the same for a SUSPEND that finds nothing to tell anyone about */
Test(vctl, suspend_answered_from_the_loop_unless_detached)
{
	struct vnat *v = bare();
	char err[256];
	int me;

	cr_assert_not_null(v->v_base = event_base_new());
	cr_assert_eq(vnat_proc_add(v, "vctl-nobody", err, sizeof(err)), 0);
	dones = 0;
	for (int round = 0; round < 2; round++) {
		suspend_free(v);
		start_pending(v, "VNAT SUSPEND", &me);
		if (round == 1)
			vnat_ctl_detach(v, &me);
		two_turns(v);
		cr_assert_not(op_running(v, OP_SUSPEND), "round %d", round);
		cr_assert_eq(dones, 1, "round %d: %d answers", round, dones);
		cr_assert(suspend_is_on(v));
	}
	cr_assert(last_ok);
	cr_assert_str_eq(last_text, "suspended 0 connection(s); 0 of 0 peer(s) told, 0 "
	    "connection(s) confirmed");
	suspend_free(v);
	event_base_free(v->v_base);
	free(v);
}

/* doc/PROTOCOL.md's "VNAT STATS? counters", the table's rows only */
static char *
stats_doc(void)
{
	char path[512];
	const char *me = __FILE__, *cut = strstr(me, "test/unit/");
	FILE *f;
	static char doc[1 << 17];
	size_t n;
	char *a, *b;

	snprintf(path, sizeof(path), "%.*sdoc/PROTOCOL.md", cut ? (int)(cut - me) : 0, me);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	cr_assert_not_null(a = strstr(doc, "\n### VNAT STATS? counters\n"), "no such section");
	a++;
	if ((b = strstr(a, "\n#")) != NULL)
		*b = '\0';
	return a;
}

/* every key VNAT STATS? prints is a row of that table, and every row a key
 * it prints: a new counter cannot go undocumented */
Test(vctl, stats_keys_documented)
{
	struct vnat *v = bare();
	struct lines l;
	char *doc = stats_doc(), *p, row[64];
	size_t nkeys = 0;

	cr_assert_eq(request(v, "VNAT STATS?", &l), VNAT_CTL_ANSWERED);
	cr_assert_eq(strncmp(l.l_text[0], "OK vstats ", 10), 0, "%s", l.l_text[0]);
	for (p = l.l_text[0] + 10; *p; ) {
		size_t k = strcspn(p, "=");
		cr_assert(p[k] == '=' && k > 0 && k < 40, "not key=value at '%s'", p);
		snprintf(row, sizeof(row), "\n| `%.*s` |", (int)k, p);
		cr_assert_not_null(strstr(doc - 1, row), "VNAT STATS? prints %.*s, which doc/PROTOCOL.md's "
		    "\"VNAT STATS? counters\" does not list", (int)k, p);
		nkeys++;
		p += k + strcspn(p + k, " ");
		p += strspn(p, " ");
	}
	/* and no row for a key the server does not print */
	size_t rows = 0;
	for (p = strstr(doc, "\n| `"); p; p = strstr(p + 1, "\n| `"))
		rows++;
	cr_assert_eq(rows, nkeys, "%zu rows in the table, %zu keys printed", rows, nkeys);
	free(v);
}
