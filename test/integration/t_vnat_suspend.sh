#!/bin/bash
# SUSPEND, then a move during which one connection closes, beside iptables-nft:
# the client suspends (both hosts show its two connections SUSPENDED), moves;
# meanwhile the server closes one of them.  RESUME restores the other one
# (its 20 MB stream arrives intact), reports the lost one, and leaves no
# translation for it.  The server's firewall is iptables-nft (stateful),
# the client's an nftables table of its own: both stay as they were.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20 (iptables-nft)
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
stateful_fw cli '{ 4455, 2031 }'
ipt() { nsx srv iptables-nft "$@"; }
ipt -P INPUT DROP
ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
ipt -A INPUT -m conntrack --ctstate INVALID -j DROP
ipt -A INPUT -i lo -j ACCEPT
ipt -A INPUT -p tcp -m multiport --dports 4455,2031,5001,5002 -j ACCEPT
rules_before=$(ipt -S | sort)
vnat_pair
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
[ "$(vs -c vadd -n socat)" = "added socat" ] || die "vadd on the server"
out=$(vc -c resume) && die "RESUME with nothing moved accepted: $out"

SIZE=$((20 * 1024 * 1024))
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $SIZE
nsx srv timeout 60 socat -u TCP-LISTEN:5002,reuseaddr,linger=0 OPEN:/dev/null &
bpid=$!
wait_for 5 "server listening" ss_has srv -tln "sport = :5002"
mkfifo "$TMP/idle"
nsx cli timeout 60 socat -u OPEN:"$TMP/idle" TCP:198.18.2.20:5002 &
bcpid=$!
exec 7<>"$TMP/idle"	# keeps the idle connection open and silent
wait_for 5 "the idle connection" ss_has srv -tn "sport = :5002"

out=$(vc -c suspend) || die "SUSPEND: $out"
[ "$out" = "suspended 2 connection(s); 1 of 1 peer(s) told, 2 connection(s) confirmed" ] ||
	die "SUSPEND said: $out"
[ "$(vc -c conns | grep -c ' SUSPENDED [0-9]* socat$')" = 2 ] || die "client conns: $(vc -c conns)"
[ "$(vs -c conns | grep -c ' SUSPENDED [0-9]* socat$')" = 2 ] || die "server conns: $(vs -c conns)"
out=$(vc -c suspend) && die "a second SUSPEND was accepted: $out"
[[ $out == *"NOK suspended already"*"(RESUME first)"* ]] || die "SUSPEND twice: $out"
! nsx cli nft list ruleset | grep -q vnet || die "SUSPEND changed the ruleset"
ok "SUSPEND: 2 connections SUSPENDED on both hosts; a second SUSPEND refused"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
# the server drops the idle connection (abortive close: the socket is gone
# at once) while the client is away
nsx srv pkill -f "TCP-LISTEN:5002" || die "no server socat on 5002"
wait $bpid 2>/dev/null || true
wait_for 5 "the server's side to close" bash -c "! ip netns exec ${P}srv ss -Htn state established '( sport = :5002 )' | grep -q ."
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 2\ connection\(s\)\ in\ [0-9.]+\ ms\ after\ [0-9]+\ s\ suspended$ ]] ||
	die "RESUME said: $out"
grep -q "VNAT_UPD for 2 connection(s): 1 updated, 1 unknown" "$TMP/srv.log" || die "the server did not report the unknown one"
bport=$(nsx cli ss -Htn "dport = :5002" | awk '{print $4}' | sed 's/.*://')
[ -n "$bport" ] || die "the client's idle socket is gone"
nsx cli nft list table inet vnet | grep -q ". $bport ." && die "a translation left for the closed connection"
vc -c conns | grep -q SUSPENDED && die "still SUSPENDED after RESUME: $(vc -c conns)"
vs -c conns | grep -q SUSPENDED && die "the server still shows SUSPENDED: $(vs -c conns)"
ok "RESUME: $out; the connection closed meanwhile got no translation"

stream_end up
ok "20 MB arrived intact through the move"
exec 7>&-
nsx cli pkill -f "TCP:198.18.2.20:5002" || true
wait_for 10 "the client's table and kept address to go" vnat_gone cli 198.18.1.10
wait_for 10 "the server's table to go" vnat_gone srv 198.18.2.99
[ "$(ipt -S | sort)" = "$rules_before" ] || die "the server's iptables rules changed: $(ipt -S)"
nsx cli nft list table inet fw >/dev/null || die "the client's own table is gone"
ok "iptables-nft rules and the other table untouched; nothing of vnet's left"
finish
