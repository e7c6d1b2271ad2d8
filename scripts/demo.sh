#!/bin/bash
# make demo: the seed's example scenario, live, in network namespaces.
# A VM on a host-only network of machine44-1 appears on the 42 LAN through
# the proxy machine42-2: ARP, ping and a TCP transfer.  Everything it creates
# (namespaces, processes) is removed on exit, even on Ctrl-C.
T_SUFFIX=demo
. "$(dirname "$0")/demo-lib.sh"

say "Building the seed's example (network namespaces named $P*)"
cat <<'PIC'
   VM 198.18.42.10 ── vmnet1 [machine44-1] 198.18.44.2 ── router ── 42 LAN
                                                                     ├─ [machine42-2] proxy 198.18.42.2
                                                                     ├─ [machine42-3] client 198.18.42.3
                                                                     └─ peer 198.18.42.20
PIC
topo_up
PW_H=password1 PW_P=password2

say "Before vnet: the VM is alone on its host-only network"
run "ping -c1 -W1 198.18.42.20   (in the VM)"
nsx vm ping -c1 -W1 198.18.42.20 | sed 's/^/     /' || true
nsx vm ip neigh flush all   # forget the failed ARP attempt

say "Starting the two servers, with TLS"
run "machine44-1# vnet password1 -s -h _ -p 4455 -d vmnet1"
run "machine42-2# vnet password2 -s -h _ -p 4455 -d eth0"
servers_up -s

say "Setting up the handler with the seed's command line"
run "machine42-3$ vnetclient -s -h 198.18.42.2 -c handle -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff"
run "  (passwords typed at the prompts: password2, then password1)"
printf 'password2\npassword1\n' | client cli -s -h 198.18.42.2 -c handle -d 198.18.44.2 -e eth0 -f vmnet1 \
	-g local -j $VM_MAC ff:ff:ff:ff:ff:ff 2>&1 | sed 's/^/     /'

say "The VM is on the 42 LAN now"
run "ping -c3 198.18.42.20   (in the VM)"
nsx vm ping -c3 -i0.3 198.18.42.20 | sed 's/^/     /'
run "ip neigh   (in the VM: the peer's MAC, learned by ARP across vnet)"
nsx vm ip neigh show 198.18.42.20 | sed 's/^/     /'
say "A 20 MB TCP transfer VM -> LAN peer, checked with sha256"
tcp_transfer vm peer 198.18.42.20 $((20 * 1024 * 1024))
echo "     20971520 bytes arrived, sha256 equal"

say "What the servers say"
run "vnetclient -s -h 198.18.42.2 -c handlers"
client cli -s -q -p password2 -h 198.18.42.2 -c handlers | sed 's/^/     /'
run "vnetclient -s -h 198.18.44.2 -c handlers"
client cli -s -q -p password1 -h 198.18.44.2 -c handlers | sed 's/^/     /'
run "vnetclient -s -h 198.18.42.2 -c stats"
client cli -s -q -p password2 -h 198.18.42.2 -c stats | sed 's/^/     /'

say "Closing the handler"
run "vnetclient -s -h 198.18.42.2 -c close -i 1"
client cli -s -q -p password2 -h 198.18.42.2 -c close -i 1 | sed 's/^/     /'
finish >/dev/null 2>&1
say "Done; removing the namespaces"
