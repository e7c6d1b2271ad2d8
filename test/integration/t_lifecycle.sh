#!/bin/bash
# Handler and server life: promiscuous mode while a handler captures and
# restored after; a server killed outright makes its peer drop the handler;
# SIGTERM and SIGINT close every handler and exit 0; the handler can be set
# up from either server with either role; several addresses per handler;
# many control sessions at once.
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

# the host's server dies without a word: the proxy drops the handler
kill -9 "$PID_host"
wait "$PID_host" 2>/dev/null || true
PID_host=
wait_for 5 "proxy to drop the handler" test -z "$(handlers cli 198.18.42.2 pw2)"
wait_for 5 "proxy eth0 out of promiscuous mode" bash -c "ip -d -n ${P}proxy link show dev eth0 | grep -q 'promiscuity 0'"
grep -q "handler 1 closed: peer closed the connection" "$TMP/proxy.log" || die "proxy did not log the drop"
! promisc host vmnet1 || die "vmnet1 still promiscuous after its server died"
ok "a killed peer: handler gone from HANDLERS?, promiscuous mode restored on both sides"

# SIGTERM on a server with a live handler: exit 0, peer drops it, promisc restored
start_vnet host host pw1 -h _ -p 4455 -d vmnet1
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
client cli -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle again"
nsx vm ping -c1 -W2 198.18.42.20 >/dev/null || die "ping on the new handler"
stop_vnet proxy
! promisc proxy eth0 || die "eth0 promiscuous after SIGTERM"
grep -q "handler 2 closed: server shutting down" "$TMP/proxy.log" || die "proxy did not close its handler"
grep -q "vnet stopped" "$TMP/proxy.log" || die "proxy did not log its stop"
wait_for 5 "host to drop the handler" test -z "$(handlers cli 198.18.44.2 pw1)"
ok "SIGTERM: handlers closed, exit 0, promiscuous mode restored, the peer drops it"

# SIGINT does the same
start_vnet proxy proxy pw2 -h _ -p 4455 -d eth0
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
client cli -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle after restart"
kill -INT "$PID_proxy"
rc=0; wait "$PID_proxy" || rc=$?
PID_proxy=
[ $rc = 0 ] || die "SIGINT exit status $rc"
wait_for 5 "host to drop the handler" test -z "$(handlers cli 198.18.44.2 pw1)"
ok "SIGINT: exit 0, the peer drops the handler"
finish
