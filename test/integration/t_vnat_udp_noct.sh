#!/bin/bash
# Where nothing uses conntrack (issue 16): in namespaces without a ct rule
# the kernel tracks nothing, so vnet knows no flow of an unconnected UDP
# socket.  It does not turn conntrack on by itself (that would put every
# packet of the host through conntrack, moved or not): CONNS? lists no FLOW
# for the sendto client, the log says why, and nothing of vnet's is in the
# packet path.  The same client behind a stateful firewall is listed
# (t_vnat_udp_sendto).
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"
udp_echo_up 20 unconnected 198.18.1.10
[ -z "$(nsx cli conntrack -L 2>/dev/null)" ] || die "conntrack tracks here: the test proves nothing"
conns=$(vc -c conns)
grep -q " FLOW " <<<"$conns" && die "a FLOW without conntrack: $conns"
grep -q "conntrack holds nothing in this namespace" "$TMP/cli.log" || die "the log does not say why"
! nsx cli nft list ruleset | grep -q vnet || die "a table of vnet's"
ok "no conntrack: no FLOW listed, the log says why, nothing of vnet's in the path"
kill $ECHO_CPID
wait $ECHO_CPID || true
finish
