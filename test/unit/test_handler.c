/* Unit tests: the HANDLERS? and STATS? lines of a handler. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "handler/handler.h"
#include "handler/link.h"

static struct handler h;

static void
setup(void)
{
	char err[128];
	char *a[] = { (char *)"00:01:02:03:04:05", (char *)"ff:ff:ff:ff:ff:ff" };

	memset(&h, 0, sizeof(h));
	h.h_conf.hc_id = 3;
	h.h_conf.hc_role = PROTO_LOCAL;
	h.h_conf.hc_rrole = PROTO_REMOTE;
	strcpy(h.h_conf.hc_dev, "eth0");
	strcpy(h.h_conf.hc_rdev, "vmnet1");
	cr_assert_eq(mac_list_parse(a, 2, &h.h_conf.hc_addrs, err, sizeof(err)), 0);
	strcpy(h.h_laddr, "198.18.42.2");
	h.h_lport = 40000;
	strcpy(h.h_raddr, "198.18.44.2");
	h.h_rport = 4455;
}

TestSuite(handler, .init = setup);

Test(handler, handlers_line_is_the_seeds_format)
{
	char line[512];

	handler_format(&h, line, sizeof(line));
	cr_assert_str_eq(line, "3 LOCAL 198.18.42.2 40000 eth0 <-> REMOTE 198.18.44.2 4455 vmnet1 "
	    "00:01:02:03:04:05 ff:ff:ff:ff:ff:ff");
}

Test(handler, stats_line)
{
	char line[512];

	h.h_st.hs_sent_frames = 10;
	h.h_st.hs_sent_bytes = 1000;
	h.h_st.hs_recv_frames = 7;
	h.h_st.hs_drop_queue = 2;
	h.h_st.hs_drop_toobig = 1;
	h.h_st.hs_reconnects = 2;
	/* no connection: down for 12 s, nothing heard for 30 s */
	h.h_state_ms = link_now_ms() - 12500;
	h.h_heard_ms = link_now_ms() - 30100;
	handler_format_stats(&h, line, sizeof(line));
	cr_assert_str_eq(line, "3 sent_frames=10 sent_bytes=1000 recv_frames=7 recv_bytes=0 "
	    "drop_queue=2 drop_truncated=0 drop_toobig=1 drop_inject=0 drop_malformed=0 "
	    "drop_kernel=0 drop_loop=0 drop_storm=0 drop_filtered=0 drop_down=0 "
	    "drop_queue_total=0 queued_bytes=0 "
	    "state=down state_secs=12 last_heard_secs=30 reconnects=2 "
	    "dev_unmatched=0");
}

Test(handler, truncation_is_safe)
{
	char line[16];

	handler_format(&h, line, sizeof(line));
	cr_assert_eq(strlen(line), sizeof(line) - 1);
}
