#!/bin/bash
# Bad input gets a clear answer and loses nothing: wrong password, malformed
# and unknown lines, a line over 4 KiB, BEGIN before HELLO, unknown devices
# and handler ids, unreachable / refusing / wrongly-passworded second
# servers, a broadcast first address, oversized and truncated binary frames,
# a peer closing mid-frame, an idle unauthenticated connection.  Afterwards
# the servers still serve and a good handler still works.  Also: the seed's
# lines typed by hand (socat) get the seed's answers, with \n or \r\n.
. "$(dirname "$0")/lib.sh"
topo_up
start_vnet host host pw1 -h _ -p 4455 -d vmnet1 --auth-timeout 2
start_vnet proxy proxy pw2 -h _ -p 4455 -d eth0
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455

# talk HOST TEXT [SECONDS]: send TEXT (printf format) and print all answers
talk() { (printf "$2"; sleep "${3:-0.5}") | nsx cli timeout 10 socat -t 2 - TCP:"$1":4455; }
expect() { # expect WHAT OUTPUT PATTERN
	[[ $2 == *"$3"* ]] || die "$1: expected '$3' in: $(printf '%q' "$2")"
	ok "$1"
}

# the seed's lines by hand, \r\n line ends
out=$(talk 198.18.44.2 'HELLO pw1 0.9\r\nDEVICES?\r\nHANDLERS?\r\nDONE\r\n')
[ "$out" = $'OK 1.0\nOK devices\n1\nvmnet1\nOK handlers\n0\nOK bye' ] ||
	die "typed session: $(printf '%q' "$out")"
ok "typed HELLO/DEVICES?/HANDLERS?/DONE get the seed's answers"

out=$(talk 198.18.44.2 'HELLO wrong 1.0\nDEVICES?\n')
[ "$out" = "NOK wrong password" ] || die "wrong password: $(printf '%q' "$out")"
ok "wrong password: NOK and closed"
grep -q "wrong password in HELLO" "$TMP/host.log" || die "wrong password not logged"

expect "BEGIN before HELLO" "$(talk 198.18.44.2 "BEGIN LOCAL eth0 REMOTE vmnet1 $VM_MAC\n")" \
	"NOK not authenticated: send HELLO password version first"
expect "unknown line" "$(talk 198.18.44.2 'HELLO pw1 1.0\nFROB x\n')" "NOK unknown command 'FROB'"
expect "malformed HANDLE" "$(talk 198.18.44.2 'HELLO pw1 1.0\nHANDLE pw LOCAL eth0\n')" \
	"NOK usage: HANDLE password_of_remote_bridge"
expect "malformed CLOSE" "$(talk 198.18.44.2 'HELLO pw1 1.0\nCLOSE x\n')" "NOK usage: CLOSE identifier"
expect "unknown handler id" "$(talk 198.18.44.2 'HELLO pw1 1.0\nCLOSE 99\n')" "NOK no such handler 99"
expect "control byte" "$(talk 198.18.44.2 'HELLO pw1 1.0\nDEVICES?\x01\n')" "NOK control character in line"
long=$(head -c 5000 /dev/zero | tr '\0' A)
out=$(talk 198.18.44.2 "HELLO pw1 1.0\n${long}\nDEVICES?\n")
[ "$out" = $'OK 1.0\nNOK line too long (at most 4096 bytes)' ] || die "long line: $(printf '%q' "$out")"
ok "line over 4 KiB: NOK and closed"
expect "unknown device in BEGIN" "$(talk 198.18.44.2 "HELLO pw1 1.0\nBEGIN LOCAL eth0 REMOTE eth9 $VM_MAC\n")" \
	"NOK unknown device 'eth9' (this server serves: vmnet1)"
expect "broadcast first address" \
	"$(talk 198.18.44.2 'HELLO pw1 1.0\nBEGIN LOCAL eth0 REMOTE vmnet1 ff:ff:ff:ff:ff:ff\n')" \
	"NOK first address ff:ff:ff:ff:ff:ff is broadcast: list the VM's own unicast MAC first, or frames may loop (ARP storm)"

# the same through vnetclient: exit 1 and the server's reason on stderr
vc() { client cli -q "$@" 2>&1; }
set +e
out=$(vc -p pw2 -h 198.18.42.2 -c close -i 99); rc=$?
set -e
[ $rc = 1 ] && [[ $out == *"server said: NOK no such handler 99"* ]] || die "client close 99: rc=$rc $out"
ok "vnetclient close -i 99: exit 1, reason shown"
h() { vc -p pw2 -h 198.18.42.2 -c handle "$@"; }
set +e
out=$(h -b pw1 -d 198.18.44.2 -e eth0 -f nope -g local -j $VM_MAC); rc=$?
[ $rc = 1 ] && [[ $out == *"second server refused BEGIN: unknown device 'nope'"* ]] || die "remote unknown device: rc=$rc $out"
out=$(h -b pw1 -d 198.18.44.2 -e eth7 -f vmnet1 -g local -j $VM_MAC); rc=$?
[ $rc = 1 ] && [[ $out == *"unknown device 'eth7' (this server serves: eth0)"* ]] || die "local unknown device: rc=$rc $out"
out=$(h -b wrong -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC); rc=$?
[ $rc = 1 ] && [[ $out == *"second server refused HELLO: wrong password"* ]] || die "second wrong password: rc=$rc $out"
out=$(h -b pw1 -a 4999 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j $VM_MAC); rc=$?
[ $rc = 1 ] && [[ $out == *"cannot reach second server: Connection refused"* ]] || die "refusing second server: rc=$rc $out"
out=$(h -b pw1 -d 198.18.44.99 -e eth0 -f vmnet1 -g local -j $VM_MAC); rc=$?
[ $rc = 1 ] && [[ $out == *"cannot reach second server"* || $out == *"did not answer within"* ]] || die "unreachable second server: rc=$rc $out"
# a multicast first address: vnetclient refuses it before it connects (exit
# 2, the server's own words), the server too when the line comes by hand
out=$(h -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local -j 01:00:5e:00:00:01 $VM_MAC); rc=$?
[ $rc = 2 ] && [[ $out == *"first address 01:00:5e:00:00:01 is multicast"* ]] || die "multicast first: rc=$rc $out"
set -e
expect "multicast first address in HANDLE" \
	"$(talk 198.18.42.2 "HELLO pw2 1.0\nHANDLE pw1 LOCAL eth0 REMOTE 198.18.44.2 4455 vmnet1 01:00:5e:00:00:01 $VM_MAC\n")" \
	"NOK first address 01:00:5e:00:00:01 is multicast"
ok "HANDLE refused with reasons: unknown devices, wrong password, refused, unreachable, multicast first"
[ -z "$(handlers cli 198.18.42.2 pw2)" ] && [ -z "$(handlers cli 198.18.44.2 pw1)" ] ||
	die "a failed HANDLE left a handler behind"
ok "no handler left behind by the failures"

# binary mode: a peer that sends an oversized frame header
(printf "HELLO pw1 1.0\nBEGIN LOCAL eth0 REMOTE vmnet1 $VM_MAC\n"; sleep 0.5; printf '\x01\xff\xff\xff'; sleep 1) |
	nsx cli timeout 10 socat -t 2 - TCP:198.18.44.2:4455 >/dev/null || true
wait_for 5 "oversized frame logged" grep -q "bad frame header 01 ff ff ff (length out of bounds)" "$TMP/host.log"
ok "oversized frame: handler closed, logged"
(printf "HELLO pw1 1.0\nBEGIN LOCAL eth0 REMOTE vmnet1 $VM_MAC\n"; sleep 0.5; printf '\x07\x00\x00\x40'; sleep 1) |
	nsx cli timeout 10 socat -t 2 - TCP:198.18.44.2:4455 >/dev/null || true
wait_for 5 "bad type logged" grep -q "bad frame header 07 00 00 40 (unknown type)" "$TMP/host.log"
ok "unknown frame type: handler closed, logged"
(printf "HELLO pw1 1.0\nBEGIN LOCAL eth0 REMOTE vmnet1 $VM_MAC\n"; sleep 0.5; printf '\x01\x00\x00\x40abcdefghij') |
	nsx cli timeout 10 socat -t 2 - TCP:198.18.44.2:4455 >/dev/null || true
wait_for 5 "mid-frame close logged" grep -q "peer closed mid-frame (14 bytes of a frame left unread)" "$TMP/host.log"
ok "peer closing mid-frame: handler closed, logged"
wait_for 5 "host to forget the broken handlers" test -z "$(handlers cli 198.18.44.2 pw1)"
ok "broken handlers gone from HANDLERS?"

# an idle unauthenticated connection times out (--auth-timeout 2)
out=$( (sleep 4) | nsx cli timeout 10 socat -t 1 - TCP:198.18.44.2:4455 2>&1 || true)
[ "$out" = "NOK timeout: no HELLO within 2 s" ] || die "idle timeout: $(printf '%q' "$out")"
ok "idle unauthenticated connection closed after 2 s"

# still serving: a good handler works
client cli -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "good handler refused after the bad input"
nsx vm ping -c2 -i0.2 -W2 198.18.42.20 >/dev/null || die "ping after the bad input"
ok "servers still serve; a good handler works"
finish
