#!/bin/bash
# A requester that goes away: a control session sends VNAT RESUME (then
# SUSPEND) and closes while the exchange waits for a peer that never
# answers; the operation goes on, ends after its 5 s unanswered, and vnet
# serves on.  Then a RESUME still running (its session open) when vnet
# stops: it ends without an answer and vnet exits 0.  Under the sanitizers
# (VNET_SANITIZED) a deferral or callback that outlived its session or its
# operation shows in the log, which stop_vnet checks.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#   (vnet --vnat; socat)                          port 7000: a sink, 2031: accepts, never answers
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
vnat_topo_up
start_vnet cli cli pwc -h _ -p 4455 --vnat
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
nsx srv timeout 90 python3 -c '
import socket, time
ls = []
for port in (2031, 7000):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.2.20", port))
    s.listen(8)
    s.settimeout(0.05)
    ls.append(s)
held = []
while True:
    for s in ls:
        try:
            held.append(s.accept()[0])
        except OSError:
            pass
' &
wait_for 5 "the silent peer" ss_has srv -tln "sport = :2031"
nsx cli timeout 90 socat -u EXEC:"sleep 90" TCP:198.18.2.20:7000 &
wait_for 5 "the connection" ss_has cli -tn state established "dport = :7000"
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1

# sends HELLO and REQUEST on one connection, waits for HELLO's answer (the
# request is read in the same turn, so it has started), and closes
leave_after() {
	nsx cli timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", 4455))
s.sendall(b"HELLO pwc 1.0\n" + sys.argv[1].encode() + b"\n")
got = b""
while b"\n" not in got:
    d = s.recv(4096)
    if not d:
        sys.exit("closed before HELLO was answered")
    got += d
if not got.startswith(b"OK "):
    sys.exit("HELLO: " + got.decode())
s.close()' "$1"
}
count() { grep -c "$1" "$TMP/cli.log" || true; }

leave_after "VNAT RESUME" || die "RESUME's session"
out=$(vc -c suspend) && die "a SUSPEND while the RESUME runs: $out"
[[ $out == *"NOK a RESUME is running already"* ]] || die "SUSPEND during RESUME said: $out"
wait_for 10 "the RESUME to end unanswered" grep -q "RESUME: no connection resumed (1 tried" \
	"$TMP/cli.log"
[[ $(vc -c vstats) == *" suspended=no "* ]] || die "after RESUME: $(vc -c vstats)"
ok "RESUME whose session closed: went on, ended after the peer's silence, vnet serves on"

leave_after "VNAT SUSPEND" || die "SUSPEND's session"
wait_for 10 "the SUSPEND to end unanswered" grep -q "SUSPEND: suspended 1 connection(s); 0 of 1" \
	"$TMP/cli.log"
[[ $(vc -c vstats) == *" suspended=yes "* ]] || die "after SUSPEND: $(vc -c vstats)"
ok "SUSPEND whose session closed: the same"

# a RESUME that vnet_stop ends: its session still open, waiting
started() { [ "$(count "vnat: RESUME: .* connection(s) with 1 peer(s)")" -gt "$before" ]; }
before=$(count "vnat: RESUME: .* connection(s) with 1 peer(s)")
nsx cli timeout 20 python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 4455))
s.sendall(b"HELLO pwc 1.0\nVNAT RESUME\n")
time.sleep(15)' &
wait_for 5 "the last RESUME to start" started
finish
