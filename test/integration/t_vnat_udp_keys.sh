#!/bin/bash
# Keys for the UDP flows of unconnected sockets (issue 16), the server
# under --vnat-secure: the client (sendto on an unconnected socket bound to
# its address, to an echo server's unconnected socket) suspends, and a key
# is agreed for its flow; the router, a third host that reaches both ends,
# then sends the server forged updates that would redirect the flow to
# itself: with a made-up tag, and keyless; and a keyless one for a second
# flow that never had a key.  Each is refused and counted, nothing is
# translated towards the router.  The client's real move is authenticated:
# RESUME moves the flow and the echoes go on.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr: the attacker, 198.18.4.1 on l4] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/udp_flow.sh"
hexip() { printf '\\x%02x' ${1//./ }; }
hexport() { printf '\\x%02x\\x%02x' $(($1 >> 8)) $(($1 & 255)); }
# evil BYTES: the router sends BYTES to the server's VCMP port, prints the answer as hex
evil() { printf "$1" | nsx rtr timeout 5 socat -t 2 - TCP:198.18.2.20:2031 | od -An -tx1 | tr -d ' \n'; }
vstat() { vs -c vstats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# entry PORT: a version-2 IPv4 UDP entry, the client's flow from PORT moved to the router
entry() { echo "\x11\x00$(hexport 6100)$(hexport $1)$(hexport $1)$(hexip 198.18.2.20)$(hexip 198.18.1.10)$(hexip 198.18.4.1)"; }
# refused HEX: a VNAT_UPD_R whose one entry has no physical end (0.0.0.0:0)
refused() { [ "${1:0:8}" = 02020400 ] && [ "${1:28:4}" = 0000 ] && [ "${1:48:8}" = 00000000 ]; }

vnat_topo_up four
ip -n "${P}rtr" link set l4 up
for ns in cli srv; do
	stateful_fw $ns '{ 4455, 2031 }'
	nsx $ns nft add rule inet fw input udp dport 6100 accept
done
start_vnet cli cli pwc -h _ -p 4455 --vnat
start_vnet srv srv pws -h _ -p 4455 --vnat --vnat-secure
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
[ "$(vc -c vadd -n python3)" = "added python3" ] || die "vadd"

udp_echo_up 20 unconnected 198.18.1.10
lport=$(vc -c conns | awk '$3 == "198.18.2.20:6100" && $6 == "FLOW" { split($2, a, ":"); print a[2] }')
[ -n "$lport" ] || die "no FLOW line: $(vc -c conns)"
out=$(vc -c suspend) || die "SUSPEND: $out"
[[ $out == "suspended 1 connection(s); 1 of 1 peer(s) told, 1 connection(s) confirmed" ]] || die "SUSPEND said: $out"
[ "$(vstat keys)" = 1 ] || die "no key on the server: $(vs -c vstats)"
ok "SUSPEND of the flow from port $lport: a key on the server"

tag=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
out=$(evil "\x02\x01\x04\x04\x00\x01\x00\x44$(entry $lport)\x00\x00\x00\x00\x00\x00\x00\x07$tag")
refused "$out" || die "forged tagged update answered: $out"
out=$(evil "\x02\x01\x04\x00\x00\x01\x00\x1c$(entry $lport)")
refused "$out" || die "forged keyless update answered: $out"
grep -q "wrong tag (forged or tampered)" "$TMP/srv.log" || die "tag forgery not logged"
grep -q "the connection has a key, the update no tag" "$TMP/srv.log" || die "keyless forgery not logged"
[ "$(vstat auth_refused)" = 2 ] || die "forgeries not counted: $(vs -c vstats)"
ok "forged updates for the keyed flow (made-up tag, keyless) refused and counted"

# a second flow, opened after SUSPEND: it never had a key
nsx cli timeout 20 python3 "$UDP_ECHO" client 198.18.2.20 6100 3 "$TMP/echoes2" unconnected 198.18.1.10 &
c2=$!
wait_for 5 "the second flow" sh -c "[ \$(wc -l <'$TMP/echoes2') -gt 3 ]"
port2=$(nsx cli ss -Huan | awk -v p="$lport" '$4 ~ /^198.18.1.10:/ { split($4, a, ":"); if (a[2] != p) print a[2] }' | head -1)
[ -n "$port2" ] || die "no second socket: $(nsx cli ss -Huan)"
out=$(evil "\x02\x01\x04\x00\x00\x01\x00\x1c$(entry $port2)")
refused "$out" || die "keyless update for a flow without a key accepted under --vnat-secure: $out"
grep -q "refused: no key and --vnat-secure" "$TMP/srv.log" || die "not logged: $(grep vcmp "$TMP/srv.log" | tail -3)"
[ "$(vstat auth_refused)" = 3 ] || die "not counted: $(vs -c vstats)"
nsx srv nft list ruleset | grep -q 198.18.4.1 && die "the server translates towards the attacker"
ok "a keyless update for a flow that never had a key refused (--vnat-secure); nothing redirected"
wait $c2 || true

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
before=$(echoes)
out=$(vc -c resume) || die "RESUME: $out"
[[ $out =~ ^resumed\ 1\ of\ 1\ connection ]] || die "RESUME said: $out ($(vc -c conns | tr '\n' ';'))"
[ "$(vstat auth_refused)" = 3 ] || die "the true update was refused: $(vs -c vstats)"
wait_for 10 "40 echoes after the move" echoes_over $((before + 40))
nsx srv nft list ruleset | grep -q 198.18.4.1 && die "the server translates towards the attacker"
ok "the true RESUME authenticated: $out; $(($(echoes) - before)) echoes after the move"
kill $ECHO_CPID
wait $ECHO_CPID || true
finish
