#!/bin/bash
# Handler and server life: promiscuous mode while a handler captures and
# restored after; a server killed outright: its peer keeps the handler
# waiting, and the killed server, restarted, brings it back from its state
# file (same identifiers on both); SIGTERM and SIGINT close every handler
# and exit 0, and the peer waits for them; CLOSE ends the handler on both
# servers for good; the handler can be set up from either server with
# either role; several addresses per handler; many control sessions.
. "$(dirname "$0")/lib.sh"
topo_up two
# VM2 joins VM1's host-only network: one handler will carry both
ip -n "${P}host" link set vmport2 master vmnet1
servers_up
promisc() { ip -d -n "$P$1" link show dev "$2" | grep -q "promiscuity [1-9]"; }

! promisc proxy eth0 || die "eth0 promiscuous before any handler"
# set up from the VM host's side, which is REMOTE; two VMs in one list
client cli -q -p pw1 -h 198.18.44.2 -c handle -b pw2 -d 198.18.42.2 -e vmnet1 -f eth0 -g remote \
	-j $VM_MAC $VM2_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle from the host side"
hh=$(handlers cli 198.18.44.2 pw1)
[[ $hh == "1 REMOTE 198.18.44.2 "*" vmnet1 <-> LOCAL 198.18.42.2 4455 eth0 $VM_MAC $VM2_MAC ff:ff:ff:ff:ff:ff" ]] ||
	die "host HANDLERS?: $hh"
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> peer"
nsx vm2 ping -c2 -W2 198.18.42.20 >/dev/null || die "VM2 -> peer"
ok "handler set up from the host side (REMOTE), two VMs in one address list"
promisc proxy eth0 || die "eth0 not promiscuous while captured"
promisc host vmnet1 || die "vmnet1 not promiscuous while captured"
ok "capture devices promiscuous while the handler runs"

# many control sessions at once
par=()
for i in $(seq 20); do
	client cli -q -p pw2 -h 198.18.42.2 -c handlers >"$TMP/par.$i" 2>&1 &
	par+=($!)
done
wait "${par[@]}"
for i in $(seq 20); do grep -q "eth0 <-> REMOTE" "$TMP/par.$i" || die "parallel session $i: $(cat "$TMP/par.$i")"; done
ok "20 control sessions at once all answered"

# the host's server (which dialled) dies without a word: the proxy keeps
# the handler, waiting; the host, started again, brings it back
kill -9 "$PID_host"
wait "$PID_host" 2>/dev/null || true
PID_host=
pstate() { [ "$(stat_of cli 198.18.42.2 pw2 1 state)" = "$1" ]; }
wait_for 5 "proxy to see the link lost" pstate down
[[ $(handlers cli 198.18.42.2 pw2) == "1 LOCAL 198.18.42.2 4455 eth0 <-> REMOTE 198.18.44.2 "* ]] ||
	die "proxy's HANDLERS? while down: $(handlers cli 198.18.42.2 pw2)"
promisc proxy eth0 || die "proxy stopped capturing while it waits"
! promisc host vmnet1 || die "vmnet1 still promiscuous after its server died"
grep -q "handler 1: link to .* lost: peer closed the connection" "$TMP/proxy.log" || die "proxy did not log the loss"
[ -s "$TMP/home-host/.vnet/handlers" ] || die "the host kept no state file"
[ "$(stat -c %a "$TMP/home-host/.vnet/handlers")" = 600 ] || die "the state file is not 0600"
! grep -q pw2 "$TMP/host.log" || die "the password reached the log"
ok "a killed dialler: its peer keeps handler 1 waiting (HANDLERS? shows the last addresses)"
start_vnet host host pw1 -h _ -p 4455 -d vmnet1
wait_for 10 "the handler back" pstate up
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> peer after the restart"
[ "$(handlers cli 198.18.44.2 pw1 | cut -d' ' -f1)" = 1 ] || die "host's handler is not 1 again"
grep -q "handler 1: back from .*/handlers: dialling 198.18.42.2:4455" "$TMP/host.log" || die "host did not log the return"
ok "the host restarted: handler 1 back on both servers from its state file, traffic flows"

# SIGTERM on the proxy (which accepted): exit 0, promiscuous mode restored;
# the host redials until the proxy is back
stop_vnet proxy
! promisc proxy eth0 || die "eth0 promiscuous after SIGTERM"
grep -q "handler 1 closed: server shutting down" "$TMP/proxy.log" || die "proxy did not close its handler"
grep -q "vnet stopped" "$TMP/proxy.log" || die "proxy did not log its stop"
hstate() { [ "$(stat_of cli 198.18.44.2 pw1 "$1" state)" = "$2" ]; }
wait_for 5 "host to see the link lost" hstate 1 down
start_vnet proxy proxy pw2 -h _ -p 4455 -d eth0
wait_for 10 "the handler back on the proxy" hstate 1 up
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> peer after the proxy's restart"
ok "SIGTERM: exit 0, promiscuous mode restored; the host redialled the restarted proxy"

# CLOSE ends it on both, for good: the host forgets it (no redial)
client cli -q -p pw2 -h 198.18.42.2 -c close -i 1 >/dev/null || die "close on the proxy"
wait_for 5 "host to drop the handler" test -z "$(handlers cli 198.18.44.2 pw1)"
grep -q "handler 1 closed: closed by the peer (CLOSE there)" "$TMP/host.log" || die "host did not log the goodbye"
[ ! -s "$TMP/home-host/.vnet/handlers" ] || die "the host still keeps it: $(cat "$TMP/home-host/.vnet/handlers")"
sleep 2
[ -z "$(handlers cli 198.18.42.2 pw2)" ] || die "the host redialled a closed handler"
ok "CLOSE on the proxy: closed on the host too, forgotten, not redialled"

# SIGINT does the same as SIGTERM
client cli -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle after restart"
kill -INT "$PID_proxy"
rc=0; wait "$PID_proxy" || rc=$?
PID_proxy=
[ $rc = 0 ] || die "SIGINT exit status $rc"
wait_for 5 "host to see the link lost" hstate 2 down
ok "SIGINT: exit 0, the peer waits"
finish
