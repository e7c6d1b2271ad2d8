#!/bin/bash
# The seed's example scenario (seed 003, section 7) with -s: the handler is
# set up with the seed's own command line, passwords typed at the prompts of
# a terminal.  Shows: no reach before; ARP, ping, 50 MB each way (sha256),
# LAN broadcast, a non-IP ethertype; HANDLERS? in the seed's format on both
# servers; STATS? counters; CLOSE removes the handler and traffic stops.
. "$(dirname "$0")/lib.sh"
PW_P=Proxy-Secret-42 PW_H=Host-Secret-44
topo_up
servers_up -s
if [ -n "${VNET_SANITIZED:-}" ]; then BIG=$((8 * 1024 * 1024)); else BIG=$((50 * 1024 * 1024)); fi

# before the handler the VM is alone on its host-only network
! nsx vm ping -c1 -W1 198.18.42.20 >/dev/null 2>&1 || die "VM reaches the LAN before any handler"
ok "no reach before the handler"

# the seed's command line, on a terminal: the new server's key shown and
# accepted (yes), then two prompts, no echo
coproc CL { HOME="$TMP/home-cli" ip netns exec "${P}cli" script -qefc \
	"$VNET_BIN/vnetclient -s -h 198.18.42.2 -c handle -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff" /dev/null; }
clpid=$CL_PID
exec {clout}<&"${CL[0]}" {clin}>&"${CL[1]}"
read -r -d '?' -t 10 -u $clout q || die "no question on first contact"
[[ $q == *"Its key fingerprint is SHA256:"*"Pin this key and connect (yes/no)" ]] || die "first contact: '$q'"
echo yes >&$clin
p1=
until [[ $p1 == *"Password for vnet server 198.18.42.2 port 4455:" ]]; do
	read -r -d ':' -t 10 -u $clout part || die "no first password prompt after: '$p1'"
	p1+="$part:"
done
echo "Proxy-Secret-42" >&$clin
read -r -d ':' -t 10 -u $clout p2 || die "no second password prompt"
[[ $p2 == *"Password for second vnet server 198.18.44.2 port 4455" ]] || die "second prompt: '$p2'"
echo "Host-Secret-44" >&$clin
out=$(timeout 30 cat <&$clout) || true
exec {clin}>&- {clout}<&-
wait "$clpid" || die "vnetclient handle failed: $out"
[[ $out == *"handler 1 established"* ]] || die "no 'handler 1 established' in: $out"
[[ "$p1$p2$out" != *Secret* ]] || die "a password was echoed"
grep -q '^198.18.42.2:4455 key:SHA256:' "$TMP/home-cli/.vnet/known_servers" || die "client pinned nothing"
grep -q '^198.18.44.2:4455 key:SHA256:' "$TMP/home-proxy/.vnet/known_servers" || die "proxy pinned nothing"
ok "handler set up at the prompts (no echo), certificates pinned"

# ARP resolves to the peer's real MAC, ping works
nsx vm ping -c3 -i0.2 -W2 198.18.42.20 >/dev/null || die "ping VM -> peer"
peer_mac=$(mac_of "${P}peer" eth0)
nsx vm ip neigh show 198.18.42.20 | grep -q "lladdr $peer_mac" || die "VM has no ARP entry for the peer"
nsx peer ip neigh show 198.18.42.10 | grep -q "lladdr $VM_MAC" || die "peer has no ARP entry for the VM"
nsx peer ping -c3 -i0.2 -W2 198.18.42.10 >/dev/null || die "ping peer -> VM"
ok "ARP and ping both ways"

tcp_transfer vm peer 198.18.42.20 $BIG
ok "$BIG bytes VM -> peer, sha256 equal"
tcp_transfer peer vm 198.18.42.10 $BIG
ok "$BIG bytes peer -> VM, sha256 equal"

# a broadcast from the LAN reaches the VM
nsx vm timeout 10 socat -u UDP4-RECV:5555 OPEN:"$TMP/bcast.txt",creat,trunc &
bpid=$!
wait_for 5 "UDP listener in VM" ss_has vm -uln "sport = :5555"
for _ in 1 2 3; do echo "hello-broadcast" | nsx peer socat -u - UDP4-DATAGRAM:198.18.42.255:5555,broadcast; sleep 0.2; done
wait_for 5 "broadcast in VM" grep -q hello-broadcast "$TMP/bcast.txt"
kill $bpid 2>/dev/null || true
ok "LAN broadcast reached the VM"

# a non-IP ethertype crosses, both ways
nsx vm "$VNET_TOOLS/l2probe" recv eth0 0x88b5 3 >"$TMP/l2.txt" &
lp=$!
wait_for 5 "l2probe in VM" grep -q listening "$TMP/l2.txt"
nsx peer "$VNET_TOOLS/l2probe" send eth0 $VM_MAC 0x88b5 3 "raw-to-vm"
wait $lp
grep -q "frames=3 first=raw-to-vm" "$TMP/l2.txt" || die "ethertype 0x88b5 LAN -> VM: $(cat "$TMP/l2.txt")"
nsx peer "$VNET_TOOLS/l2probe" recv eth0 0x88b5 3 >"$TMP/l2.txt" &
lp=$!
wait_for 5 "l2probe in peer" grep -q listening "$TMP/l2.txt"
nsx vm "$VNET_TOOLS/l2probe" send eth0 "$peer_mac" 0x88b5 2 "raw-to-lan"
wait $lp
# (a rare failure here on a loaded machine: the counters say where the frames went)
grep -q "frames=2 first=raw-to-lan" "$TMP/l2.txt" || die "ethertype 0x88b5 VM -> LAN: $(cat "$TMP/l2.txt");" \
	"host: $(client cli -s -q -p $PW_H -h 198.18.44.2 -c stats 2>&1);" \
	"proxy: $(client cli -s -q -p $PW_P -h 198.18.42.2 -c stats 2>&1)"
ok "non-IP ethertype 0x88b5 crossed both ways"

# HANDLERS? in the seed's format on both servers
hp=$(handlers cli 198.18.42.2 $PW_P -s)
hh=$(handlers cli 198.18.44.2 $PW_H -s)
[[ $hp =~ ^1\ LOCAL\ 198\.18\.42\.2\ [0-9]+\ eth0\ \<-\>\ REMOTE\ 198\.18\.44\.2\ 4455\ vmnet1\ 02:00:00:00:42:10\ ff:ff:ff:ff:ff:ff$ ]] ||
	die "proxy HANDLERS?: '$hp'"
[[ $hh =~ ^1\ REMOTE\ 198\.18\.44\.2\ 4455\ vmnet1\ \<-\>\ LOCAL\ 198\.18\.42\.2\ [0-9]+\ eth0\ 02:00:00:00:42:10\ ff:ff:ff:ff:ff:ff$ ]] ||
	die "host HANDLERS?: '$hh'"
ok "HANDLERS? on both servers: '$hp' / '$hh'"

# counters: frames went both ways, nothing was dropped for a bad reason
st=$(client cli -s -q -p $PW_P -h 198.18.42.2 -c stats -i 1)
for k in sent_frames recv_frames; do
	v=$(tr ' ' '\n' <<<"$st" | sed -n "s/^$k=//p")
	[ "${v:-0}" -gt 0 ] || die "STATS? $k is ${v:-missing}: $st"
done
for k in drop_truncated drop_toobig drop_malformed; do
	v=$(tr ' ' '\n' <<<"$st" | sed -n "s/^$k=//p")
	[ "$v" = 0 ] || die "STATS? $k=$v: $st"
done
sent=$(tr ' ' '\n' <<<"$st" | sed -n 's/^sent_bytes=//p')
[ "$sent" -gt "$BIG" ] || die "proxy sent only $sent bytes for a $BIG-byte transfer"
ok "STATS?: $st"

# CLOSE on the proxy removes the handler from both servers; traffic stops
out=$(client cli -s -q -p $PW_P -h 198.18.42.2 -c close -i 1) || die "close failed: $out"
[ "$out" = "closed 1" ] || die "close said '$out'"
[ -z "$(handlers cli 198.18.42.2 $PW_P -s)" ] || die "proxy still lists the handler"
wait_for 5 "host to drop the handler" test -z "$(handlers cli 198.18.44.2 $PW_H -s)"
! nsx vm ping -c2 -i0.2 -W1 198.18.42.20 >/dev/null 2>&1 || die "ping still works after CLOSE"
ok "CLOSE removed the handler on both servers; traffic stopped"
grep -q "handler 1 closed: CLOSE from" "$TMP/proxy.log" || die "proxy did not log the close"
grep -q "handler 1 closed: closed by the peer (CLOSE there)" "$TMP/host.log" || die "host did not log the close"
finish
