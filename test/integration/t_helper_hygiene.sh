#!/bin/bash
# Helper hygiene.  The exec helper's program gets standard input, output and
# error and nothing else of vnet's (no capture, injection, handler, control,
# VCMP or netlink socket); every descriptor vnet holds is close-on-exec; the
# 10 s limit kills through a pidfd: a hanging helper is still killed, and a
# helper that ended at once leaves no kill behind for the process that gets
# its PID next (a sentinel is handed that PID on purpose and must survive).
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#   hx0, hy0 (veth pairs to hx1, hy1 in each): handler 1 on hx0, dialled by
#   srv's vnet (an address: a socket of vnet's own); handler 2 on hy0,
#   dialled by cli's vnet and accepted by srv's; handler 3 from srv's hx1 to
#   hy1 of a second vnet in srv (port 4456), dialled as "localhost" (a
#   name: a socket libevent makes; a handler to itself would be refused)
#
# srv's vnet runs in a PID namespace of its own (and its own /proc, where
# the server processes it helps are started too), so that the test may
# choose the PID the next process there gets (ns_last_pid).
. "$(dirname "$0")/lib.sh"
NOMAC=02:00:00:00:99:99	# handlers that forward nothing: their sockets count

vnat_topo_up
for ns in cli srv; do
	for d in hx hy; do
		ip -n "$P$ns" link add ${d}0 type veth peer name ${d}1
		ip -n "$P$ns" link set ${d}0 up
		ip -n "$P$ns" link set ${d}1 up
	done
done
start_vnet cli cli pwc -h _ -p 4455 --vnat -d hx0 hy0
mkdir -p "$TMP/home-srv"
HOME="$TMP/home-srv" ip netns exec "${P}srv" unshare --pid --fork --mount-proc --kill-child \
	"$VNET_BIN/vnet" pws -h _ -p 4455 --control-socket "$TMP/srv.control" --vnat -d hx0 hy0 hx1 hy1 -vv >"$TMP/srv.log" 2>&1 &
UPID=$!
PIDS+=($UPID)
vnet_pid() { VPID=$(cat "/proc/$UPID/task/$UPID/children" 2>/dev/null) && [ -n "$VPID" ]; }
wait_for 5 "srv's vnet in its PID namespace" vnet_pid
VPID=${VPID%% *}
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's vnet" port_open cli 198.18.2.20 4455
start_vnet srv srv2 pw2 -h 127.0.0.1 -p 4456 -d hy1
wait_for 10 "second vnet in srv" port_open srv 127.0.0.1 4456
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031

# what srv's vnet holds: a handler it dialled, one it accepted (captures and
# injection sockets on hx0, hy0), a VCMP session, nftables' netlink socket
out=$(vs -c handle -b pwc -d 198.18.1.10 -e hx0 -f hx0 -g local -j $NOMAC) ||
	die "HANDLE dialled by srv: $out"
out=$(vc -c handle -b pws -d 198.18.2.20 -e hy0 -f hy0 -g local -j $NOMAC) ||
	die "HANDLE accepted by srv: $out"
out=$(vs -c handle -b pw2 -d localhost -a 4456 -e hx1 -f hy1 -g local -j $NOMAC) ||
	die "HANDLE dialled by srv by name: $out"
[ "$(vs -c handlers | grep -c "^[0-9]")" -ge 3 ] || die "srv has not three handlers: $(vs -c handlers)"
nsx cli timeout 60 socat -u EXEC:"sleep 60" TCP:198.18.2.20:2031 &
wait_for 5 "a VCMP session" ss_has srv -tn "sport = :2031"

cat >"$TMP/fds.sh" <<EOF
#!/bin/sh
exec ls -l /proc/self/fd >"$TMP/fds.\$1"
EOF
printf '#!/bin/sh\nexec sleep 60\n' >"$TMP/hang.sh"
chmod 755 "$TMP/fds.sh" "$TMP/hang.sh"
for n in xfds xhang; do
	cp "$(command -v socat)" "$TMP/$n"
	[ "$(vc -c vadd -n $n)" = "added $n" ] || die "vadd $n"
	[ "$(vs -c helper -n $n -m "exec:$TMP/${n#x}.sh")" = "helper $n exec:$TMP/${n#x}.sh" ] ||
		die "helper $n"
done
p=5001
for n in xfds xhang; do
	# in vnet's PID namespace, where its /proc finds the socket's owner
	nsenter -t "$VPID" -p -n timeout 60 "$TMP/$n" -u TCP-LISTEN:$p,reuseaddr OPEN:/dev/null &
	wait_for 5 "listener $p" ss_has srv -tln "sport = :$p"
	nsx cli timeout 60 "$TMP/$n" -u EXEC:"sleep 60" TCP:198.18.2.20:$p &
	wait_for 5 "connection $p" ss_has srv -tn "sport = :$p"
	p=$((p + 1))
done

out=$(vc -c suspend) || die "SUSPEND: $out"
wait_for 10 "the listing helper" grep -q "fds.sh suspend tcp .* (pid [0-9]*)" "$TMP/srv.log"
wait_for 10 "the hanging helper" grep -q "hang.sh suspend tcp .* (pid [0-9]*)" "$TMP/srv.log"
qpid=$(sed -n 's/.*fds\.sh suspend tcp .* (pid \([0-9]*\))$/\1/p' "$TMP/srv.log" | head -1)
hpid=$(sed -n 's/.*hang\.sh suspend tcp .* (pid \([0-9]*\))$/\1/p' "$TMP/srv.log" | head -1)
[ -n "$qpid" ] && [ -n "$hpid" ] || die "no helper PIDs in the log"

# the quick helper ended and was reaped: hand its PID to a sentinel
wait_for 10 "the listing helper reaped" grep -q "helper program $qpid done" "$TMP/srv.log"
got=
for _ in 1 2 3 4 5; do
	rm -f "$TMP/sentinel.pid" "$TMP/sentinel.rc"
	nsenter -t "$VPID" -p sh -c "echo $((qpid - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 14 & echo \$! >$TMP/sentinel.pid; wait \$!; echo \$? >$TMP/sentinel.rc" &
	spid=$!
	wait_for 5 "the sentinel" test -s "$TMP/sentinel.pid"
	got=$(cat "$TMP/sentinel.pid")
	[ "$got" = "$qpid" ] && break
	kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
done
[ "$got" = "$qpid" ] || die "the sentinel never got PID $qpid (got $got)"
ok "sentinel holds PID $qpid, which the finished listing helper had"

# the helper's program saw standard input, output, error and its own listing
[ -s "$TMP/fds.suspend" ] || die "the listing helper wrote nothing"
extra=$(awk '/ -> / { for (i = 1; i < NF; i++) if ($(i + 1) == "->") {
	if ($i > 2 && $(i + 2) !~ "^/proc/[0-9]+/fd$") print $i " -> " $(i + 2) } }' "$TMP/fds.suspend")
[ -z "$extra" ] || die "the helper inherited: $(echo $extra)"
[ "$(grep -c ' -> ' "$TMP/fds.suspend")" -ge 3 ] || die "listing: $(cat "$TMP/fds.suspend")"
ok "the exec helper's program had only 0, 1, 2 (and its listing's directory)"

# every descriptor of vnet's is close-on-exec
bad= nsock=0
for f in /proc/$VPID/fd/*; do
	n=${f##*/}
	[ "$n" -gt 2 ] || continue
	t=$(readlink "$f") || continue
	fl=$(awk '/^flags:/ { print $2 }' "/proc/$VPID/fdinfo/$n" 2>/dev/null) || continue
	[ -n "$fl" ] || continue
	case $t in socket:*) nsock=$((nsock + 1)) ;; esac
	(( 8#$fl & 8#2000000 )) || bad+=" $n ($t, flags $fl)"
done
[ -z "$bad" ] || die "vnet's descriptors without close-on-exec:$bad"
# control and VCMP listeners, three handler connections, a VCMP session,
# three captures, three injection sockets, nftables' netlink socket
[ $nsock -ge 13 ] || die "only $nsock sockets seen: $(ls -l /proc/$VPID/fd)"
ok "all of vnet's descriptors are close-on-exec ($nsock sockets among them)"

# the hanging helper is killed at 10 s, through its pidfd
wait_for 15 "the hanging helper killed" \
	grep -q "helper program (pid $hpid) still running after 10 s: killed" "$TMP/srv.log"
wait_for 5 "its end logged" grep -q "helper program $hpid killed by signal 9" "$TMP/srv.log"
ok "a hanging helper: killed after 10 s, its end logged"
# and nothing was sent to the PID the listing helper had
wait_for 10 "the sentinel's end" test -s "$TMP/sentinel.rc"
[ "$(cat "$TMP/sentinel.rc")" = 0 ] || die "the sentinel ended with $(cat "$TMP/sentinel.rc")"
! grep -q "(pid $qpid) still running" "$TMP/srv.log" || die "a kill was aimed at PID $qpid"
ok "the helper that exited at once left no kill: the sentinel with its PID lived on"

# srv's vnet ends cleanly (and pidfds of programs still running are closed)
kill -TERM "$VPID"
rc=0
wait "$UPID" || rc=$?
[ $rc -eq 0 ] || die "srv's vnet exited with $rc after SIGTERM"
! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/srv.log" ||
	die "sanitizer report in srv.log"
finish
