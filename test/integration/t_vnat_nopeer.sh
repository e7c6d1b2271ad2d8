#!/bin/bash
# A peer without VNAT: the client has one stream to a server that runs no
# vnet (its port 2031 refuses) and one to a host that does (the router).
# After the move RESUME restores the second, reports the first peer as
# unreachable with the reason, and leaves no translation for the lost
# connection; the restored stream's data arrives intact.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] 198.18.2.1 (vnet --vnat) l2 ── eth0 [srv] 198.18.2.20 (no vnet)
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
start_vnet cli cli pwc -h _ -p 4455 --vnat
start_vnet rtr rtr pwr -h _ -p 4455 --vnat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "router's VCMP" port_open cli 198.18.2.1 2031
port_open cli 198.18.2.20 2031 && die "something listens on the server's 2031"
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"

SIZE=$((20 * 1024 * 1024))
shape cli
nsx srv timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:/dev/null &
wait_for 5 "server listening" ss_has srv -tln "sport = :5001"
nsx cli timeout 60 socat -u OPEN:/dev/zero TCP:198.18.2.20:5001 >/dev/null 2>&1 &
stream up up rtr TCP-LISTEN:5003 cli TCP:198.18.2.1:5003 $SIZE

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 2\ connection\(s\)\ in\ [0-9.]+\ ms\ \(some\ peers\ did\ not\ answer\)$ ]] ||
	die "RESUME said: $out"
grep -q "RESUME: peer 198.18.2.20: Connection refused" "$TMP/cli.log" || die "the refusing peer is not logged"
lost=$(nsx cli ss -Htn "dport = :5001" | awk '{print $4}' | sed 's/.*://')
[ -n "$lost" ] || die "the client's socket to the server is gone"
nsx cli nft list table inet vnet | grep -q ". $lost ." && die "a translation left for the connection nobody confirmed"
ok "RESUME: $out; peer without VNAT logged (connection refused), no translation for its connection"

stream_end up
ok "the stream to the VNAT peer: 20 MB intact"
nsx cli pkill -f "TCP:198.18.2.20:5001" || true
wait_for 10 "the client's table and kept address to go" vnat_gone cli 198.18.1.10
ok "nothing of vnet's left on the client"
finish
