#!/bin/bash
# IPv6 over a handler: a LAN host's neighbour solicitation for the VM goes
# to the VM's solicited-node multicast MAC (33:33:ff:xx:xx:xx).  A list
# without it: the peer cannot ping the VM's link-local address.  A list with
# the prefix 33:33:00:00:00:00/16: IPv6 link-local ping works both ways.
. "$(dirname "$0")/lib.sh"
topo_up
servers_up
ll() { ip -n "$P$1" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1; }
wait_for 10 "link-local address on the peer" test -n "$(ll peer)"
wait_for 10 "link-local address on the VM" test -n "$(ll vm)"
peer6=$(ll peer) vm6=$(ll vm)
handle() { client cli -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j "$@"; }

handle $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null
nsx vm ping -c2 -W1 198.18.42.20 >/dev/null || die "IPv4 ping through handler 1"
! nsx peer ping -6 -c2 -W1 "$vm6%eth0" >/dev/null 2>&1 || die "IPv6 worked without the 33:33 prefix"
ok "without 33:33::/16 in the list, IPv6 neighbour discovery fails"
client cli -q -p pw2 -h 198.18.42.2 -c close -i 1 >/dev/null
nsx vm ip -6 neigh flush dev eth0
nsx peer ip -6 neigh flush dev eth0

handle $VM_MAC ff:ff:ff:ff:ff:ff 33:33:00:00:00:00/16 >/dev/null
hp=$(handlers cli 198.18.42.2 pw2)
[[ $hp == *" $VM_MAC ff:ff:ff:ff:ff:ff 33:33:00:00:00:00/16" ]] || die "HANDLERS? shows '$hp'"
nsx peer ping -6 -c3 -i0.2 -W2 "$vm6%eth0" >/dev/null || die "IPv6 link-local ping peer -> VM"
nsx vm ping -6 -c3 -i0.2 -W2 "$peer6%eth0" >/dev/null || die "IPv6 link-local ping VM -> peer"
ok "with 33:33:00:00:00:00/16, IPv6 link-local ping works both ways ($vm6 <-> $peer6)"
finish
