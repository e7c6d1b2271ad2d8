#!/bin/bash
# Always on: a handler comes back by itself.  WAN outages through a router
# that drops silently (no ICMP, no reset): 30 s (silence noticed, the link
# redialled; under the sanitizers 10 s, which TCP's own retransmission
# carries; bench/recover.sh has both and longer ones): traffic flows again
# within a few seconds of the path (goal 2 s), with no command typed, and both
# servers keep the handler's identifier.  The far server killed with
# SIGKILL and restarted: back within a few seconds of it listening.  A
# refused password while redialling backs off (no busy loop); CLOSE on the
# accepting server while the path is down ends the handler on both once the
# dialler is back; an accepted handler whose dialler never comes back is
# forgotten after --linger.
#
#   vm ── vmnet1 [host] eth0 198.18.44.2 ── wan [rtr] lan ── sw [lan] ── [proxy] 198.18.42.2
#                                               (drops here)        └── [peer] 198.18.42.20
. "$(dirname "$0")/lib.sh"
topo_up
servers_up
px() { client cli -q -p pw2 -h 198.18.42.2 "$@" 2>&1; }
test_no_handlers() { [ -z "$(handlers cli "$1" "$2")" ]; }
hx() { client cli -q -p pw1 -h 198.18.44.2 "$@" 2>&1; }
out=$(px -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff) ||
	die "handle: $out"
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM -> peer before any outage"

path_cut() { nsx rtr nft -f - <<'NFT'
table inet cut {
	chain forward { type filter hook forward priority 0; policy drop; }
}
NFT
}
path_mend() { nsx rtr nft delete table inet cut; }
now() { date +%s.%N; }
# pings from the VM every 0.1 s, with time stamps, into $TMP/ping.NAME
ping_start() {
	nsx vm timeout 300 ping -D -n -i 0.1 -W 1 198.18.42.20 >"$TMP/ping.$1" 2>&1 &
	PING_PID=$!
	PIDS+=($PING_PID)
}
# back_after NAME T0: seconds from T0 to the first reply after it
first_reply() { awk -v t0="$2" -F'[][]' '/bytes from/ && $2 > t0 { print $2 - t0; exit }' "$TMP/ping.$1"; }
got_reply() { [ -n "$(first_reply "$1" "$2")" ]; }

# outage LEN: cut the path for LEN seconds while the VM pings; BACK = the
# time from the path's return to the first reply
outage() {
	local len=$1 t0 back
	ping_start "$len"
	sleep 1
	path_cut
	# the path is dead: nothing crosses it
	! nsx host ping -c1 -W1 198.18.42.2 >/dev/null 2>&1 || die "the cut path still carries pings"
	sleep "$((len - 1))"
	path_mend
	t0=$(now)
	wait_for 30 "traffic after a ${len}s outage" got_reply "$len" "$t0"
	back=$(first_reply "$len" "$t0")
	kill $PING_PID 2>/dev/null; wait $PING_PID 2>/dev/null || true
	awk -v b="$back" 'BEGIN { exit !(b <= 4.0) }' ||
		die "traffic back ${back}s after a ${len}s outage (bound 4 s, goal 2 s)"
	BACK=$back
}
lens=30
[ -n "${VNET_SANITIZED:-}" ] && lens=10
for len in $lens; do
	outage "$len"
	back=$BACK
	[ "$(handlers cli 198.18.42.2 pw2 | cut -d' ' -f1)" = 1 ] || die "proxy's handler is not 1 after the outage"
	[ "$(handlers cli 198.18.44.2 pw1 | cut -d' ' -f1)" = 1 ] || die "host's handler is not 1 after the outage"
	ok "${len}s outage: traffic back ${back}s after the path, handler 1 on both servers"
done
[ "$(stat_of cli 198.18.42.2 pw2 1 state)" = up ] || die "proxy's handler not up"
if [ -z "${VNET_SANITIZED:-}" ]; then
	grep -q "handler 1: link to .* lost: nothing heard from the peer for 15 s" "$TMP/proxy.log" ||
		die "the 30 s outage was not noticed as silence"
	down=$(stat_of cli 198.18.44.2 pw1 1 drop_down)
	[ "$down" -gt 0 ] || die "host: nothing counted in drop_down during the outage"
	ok "the 30 s outage: silence noticed after 15 s; $down frames captured meanwhile dropped and counted"
fi

# the far server killed outright and started again
kill -9 "$PID_host"
wait "$PID_host" 2>/dev/null || true
PID_host=
state_is() { [ "$(stat_of cli 198.18.42.2 pw2 1 state)" = "$1" ]; }
wait_for 5 "proxy notices" state_is down
ping_start kill
sleep 2
start_vnet host host pw1 -h _ -p 4455 -d vmnet1 --linger 3
wait_for 10 "vnet on host again" port_open cli 198.18.44.2 4455
t0=$(now)
wait_for 15 "traffic after the restart" got_reply kill "$t0"
back=$(first_reply kill "$t0")
kill $PING_PID 2>/dev/null; wait $PING_PID 2>/dev/null || true
awk -v b="$back" 'BEGIN { exit !(b <= 4.0) }' || die "traffic back ${back}s after the host listened again"
[ "$(handlers cli 198.18.42.2 pw2 | cut -d' ' -f1)" = 1 ] || die "proxy's handler is not 1 after the restart"
n=$(stat_of cli 198.18.42.2 pw2 1 reconnects)
[ "$n" -ge 1 ] || die "reconnects=$n"
ok "host killed and restarted: traffic back ${back}s after it listened; proxy's handler still 1 (reconnects=$n)"
# the restarted host is another instance: the proxy's handler follows it,
# so the same VM again is refused here already (not only by the host)
out=$(px -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff) &&
	die "the same handler again was accepted after the host restarted: $out"
[[ $out == *"NOK handler 1 already carries $VM_MAC on eth0 with 198.18.44.2:4455"* ]] ||
	die "the duplicate after the restart: $out"
grep -q "handler 1: the peer is now 198.18.44.2:4455 (vnet" "$TMP/proxy.log" || die "proxy did not follow the new instance"
ok "after the host's restart the proxy knows it as its new instance (a duplicate refused at the proxy)"

# the host restarted with another password: the proxy's redials are
# refused, logged and spaced out (5 s, doubling), never a busy loop
stop_vnet host
mv "$TMP/host.log" "$TMP/host1.log"
start_vnet host host other -h _ -p 4455 -d vmnet1 --linger 3
wait_for 10 "vnet on host again" port_open cli 198.18.44.2 4455
a=$(grep -c "redial to 198.18.44.2:4455 failed" "$TMP/proxy.log" || true)
sleep 12
b=$(grep -c "redial to 198.18.44.2:4455 failed" "$TMP/proxy.log" || true)
grep -q "failed (.* in a row): second server refused HELLO: wrong password" "$TMP/proxy.log" ||
	die "the refused password was not logged"
[ $((b - a)) -ge 1 ] && [ $((b - a)) -le 4 ] || die "$((b - a)) refused redials in 12 s"
ok "a refused password: $((b - a)) redials in 12 s, logged"
stop_vnet host
mv "$TMP/host.log" "$TMP/host2.log"
start_vnet host host pw1 -h _ -p 4455 -d vmnet1 --linger 3 --peer-timeout 3
wait_for 70 "the handler back after the password is right again" state_is up

# CLOSE on the host (which accepted) once it has noticed the path is down
# (--peer-timeout 3): when the path is back, the proxy's redial is told the
# handler was closed, and the proxy closes its side too
path_cut
hstate() { [ "$(client host -q -p pw1 -h 127.0.0.1 -c stats -i 1 | tr ' ' '\n' | sed -n 's/^state=//p')" = "$1" ]; }
wait_for 10 "host to notice the cut" hstate down
client host -q -p pw1 -h 127.0.0.1 -c close -i 1 >/dev/null || die "close on the host"
path_mend
wait_for 30 "proxy to close its side" test_no_handlers 198.18.42.2 pw2
grep -q "handler closed here (CLOSE): it is not coming back" "$TMP/proxy.log" ||
	die "proxy did not log why"
ok "CLOSE on the accepting server while the path was down: the proxy closed its side when back"

# an accepted handler whose dialler does not come back is forgotten after --linger
out=$(px -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff) ||
	die "handle: $out"
stop_vnet proxy
wait_for 10 "host to forget the handler" test_no_handlers 198.18.44.2 pw1
grep -q "closed: its dialler did not come back within 3 s" "$TMP/host.log" || die "host did not log the linger"
! ip -d -n "${P}host" link show dev vmnet1 | grep -q "promiscuity [1-9]" || die "vmnet1 still captured"
ok "a dialler that never came back: forgotten after --linger 3, capture closed"
finish
