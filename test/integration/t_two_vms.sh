#!/bin/bash
# Two VMs on two host-only networks of one host, each on its own handler
# through the same proxy NIC.  Each reaches the LAN; neither sees the other's
# unicast (counted in promiscuous mode); they reach each other across the
# proxy's LAN, as two machines plugged into it would.
. "$(dirname "$0")/lib.sh"
topo_up two
HOST_DEVS=vmnet2 servers_up
handle() { client cli -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -g local "$@"; }
handle -f vmnet1 -j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null
handle -f vmnet2 -j $VM2_MAC ff:ff:ff:ff:ff:ff >/dev/null
[ "$(handlers cli 198.18.42.2 pw2 | wc -l)" = 2 ] || die "expected two handlers"
nsx vm ping -c2 -W2 198.18.42.20 >/dev/null || die "VM1 -> peer"
nsx vm2 ping -c2 -W2 198.18.42.20 >/dev/null || die "VM2 -> peer"
ok "both VMs reach the LAN"

# unicast to VM1: VM1 gets it, VM2 (promiscuous) does not, and vice versa
probe_unicast $VM_MAC vm vm2
probe_unicast $VM2_MAC vm2 vm
ok "neither VM sees the other's unicast"

nsx vm ping -c3 -i0.2 -W2 198.18.42.11 >/dev/null || die "VM1 -> VM2 across the proxy LAN"
ok "VM1 reaches VM2 across the proxy's LAN (per-handler loop guard)"
finish
