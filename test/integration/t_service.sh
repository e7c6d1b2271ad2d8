#!/bin/bash
# vnet as a systemd service, where systemd is installed but is not PID 1:
# the units make install writes (PREFIX=/usr into a DESTDIR) pass
# `systemd-analyze verify` with --root on that DESTDIR (a broken copy does
# not: the check has teeth) and `systemd-analyze --offline=true security`
# scores vnet.service at most MAX_EXPOSURE.  Then the readiness protocol on a
# NOTIFY_SOCKET of the test's own (a python3 datagram listener in the
# server's namespace): READY=1 arrives when the port already listens, with a
# STATUS; with WATCHDOG_USEC=2 s, WATCHDOG=1 comes every second (>= 2 in
# 3 s), and not at all when WATCHDOG_PID names another process; STOPPING=1
# at SIGTERM.
#
#   [srv] lo 127.0.0.1:4455  vnet, NOTIFY_SOCKET=$TMP/notify.sock <- notify.py
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAX_EXPOSURE=3.0	# README: 2.6 "OK" (systemd 252)
D=$TMP/root
U=$D/usr/lib/systemd/system

make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >/dev/null || die "make install"
for f in "$U/vnet.service" "$U/vnet@.service" "$D/usr/lib/sysusers.d/vnet.conf"; do
	[ -f "$f" ] || die "make install did not install $f"
done
grep -qx 'ExecStart=/usr/sbin/vnet --config /etc/vnet/vnet.conf --state-dir /var/lib/vnet --control-socket /run/vnet/control' "$U/vnet.service" ||
	die "vnet.service's ExecStart: $(grep ExecStart "$U/vnet.service")"
grep -qx 'ExecStart=/usr/sbin/vnet --config /etc/vnet/%i.conf --state-dir /var/lib/vnet/%i --control-socket /run/vnet/%i.control' "$U/vnet@.service" ||
	die "vnet@.service's ExecStart: $(grep ExecStart "$U/vnet@.service")"
for u in vnet.service vnet@.service; do
	grep -qx 'RuntimeDirectory=vnet' "$U/$u" && grep -qx 'RuntimeDirectoryPreserve=yes' "$U/$u" ||
		die "$u: no RuntimeDirectory=vnet kept at stop for the control socket"
done
grep -q '^u vnet ' "$D/usr/lib/sysusers.d/vnet.conf" || die "no user vnet in sysusers.d"
# the rest of a system the unit names: the sysinit.target its default
# dependencies require, /bin/kill for ExecReload, /bin/sh for ExecStopPost,
# man for Documentation=
cp /usr/lib/systemd/system/sysinit.target "$U/"
mkdir -p "$D/usr/bin"
cp /usr/bin/kill "$D/usr/bin/kill"
cp /bin/sh "$D/usr/bin/sh"	# ExecStopPost (vnet --vnat-flush when stopped for good)
ln -s usr/bin "$D/bin"
verify() { MANPATH=$D/usr/share/man systemd-analyze verify --root="$D" "$@"; }

# a broken unit fails the check
sed 's/^ProtectSystem=strict$/ProtectSystem=stricter/; s|^ExecStart=/usr/sbin/vnet|ExecStart=/usr/sbin/vnet-missing|' \
	"$U/vnet.service" >"$U/vnet-broken.service"
out=$(verify "$U/vnet-broken.service" 2>&1) && die "verify accepted a broken unit: $out"
[[ $out == *vnet-missing* ]] || die "verify did not name the missing binary: $out"
rm "$U/vnet-broken.service"
ok "systemd-analyze verify refuses a unit with a missing binary"

for u in vnet.service vnet@.service; do
	out=$(verify "$U/$u" 2>&1) || die "systemd-analyze verify $u: $out"
	[ -z "$out" ] || die "systemd-analyze verify $u said: $out"
done
out=$(verify "$U/vnet@site.service" 2>&1) || die "verify vnet@site.service: $out"
ok "systemd-analyze verify --root: vnet.service, vnet@.service and vnet@site.service pass, silently"

# ExecStopPost: vnet --vnat-flush only when a "stop" job of the unit is
# pending (stopped for good), not for a restart nor after a crash (no job);
# run with a systemctl that lists the job given and a vnet that says it ran
cmd=$(sed -n "s/^ExecStopPost=+\/bin\/sh -c '\(.*\)'$/\1/p" "$U/vnet.service" | sed 's/%n/vnet.service/g')
[[ $cmd == *"/usr/sbin/vnet --vnat-flush --state-dir /var/lib/vnet;"* ]] || die "vnet.service's ExecStopPost: $cmd"
mkdir -p "$TMP/fake"
printf '#!/bin/sh\n[ -z "$JOB" ] || echo "    42 vnet.service $JOB running"\n' >"$TMP/fake/systemctl"
printf '#!/bin/sh\necho "flush $*"\n' >"$TMP/fake/vnet"
chmod +x "$TMP/fake/systemctl" "$TMP/fake/vnet"
for job in stop restart ""; do
	out=$(JOB=$job PATH="$TMP/fake:$PATH" sh -c "${cmd//\/usr\/sbin\/vnet/$TMP/fake/vnet}") || die "ExecStopPost failed for '$job'"
	want=; [ "$job" = stop ] && want="flush --vnat-flush --state-dir /var/lib/vnet"
	[ "$out" = "$want" ] || die "ExecStopPost with job '$job': '$out' (want '$want')"
done
ok "ExecStopPost runs vnet --vnat-flush for a stop job only (not for a restart, nor after a crash)"

sec=$(systemd-analyze --offline=true security --root="$D" "$U/vnet.service" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for vnet.service: \([0-9.]*\).*/\1/p' <<<"$sec")
[ -n "$score" ] || die "no exposure score: $(tail -3 <<<"$sec")"
awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' ||
	die "exposure $score above $MAX_EXPOSURE: $(grep '✗' <<<"$sec")"
for c in 'User=/DynamicUser=' 'NoNewPrivileges=' 'CapabilityBoundingSet=~CAP_SYS_ADMIN' \
    'CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)' 'ProtectSystem=' 'ProtectHome=' 'PrivateTmp='; do
	grep -qF "✓ $c" <<<"$sec" || die "security: not ✓ $c: $(grep -F "$c" <<<"$sec")"
done
ok "systemd-analyze --offline=true security: exposure $score (at most $MAX_EXPOSURE)"

# sd_notify on a socket of the test's own
cat >"$TMP/notify.py" <<'PY'
# notify.py SOCKET OUT PORT: writes each line vnet sends as "SECONDS LINE";
# at READY=1, whether PORT already accepts on 127.0.0.1
import os, socket, sys, time
path, out, port = sys.argv[1], open(sys.argv[2], "w", buffering=1), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
s.settimeout(0.5)
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        data = s.recv(4096)
    except socket.timeout:
        continue
    for line in data.decode(errors="replace").split("\n"):
        if line == "READY=1":
            c = socket.socket()
            c.settimeout(1)
            line += " listening" if c.connect_ex(("127.0.0.1", port)) == 0 else " not-listening"
            c.close()
        out.write("%.3f %s\n" % (time.monotonic(), line))
        if line == "STOPPING=1":
            sys.exit(0)
PY
mkns srv
# notify_run NAME [WATCHDOG_PID]: vnet NAME in srv, asked to ping every second
notify_run() {
	local wpid=(-u WATCHDOG_PID)
	[ -n "${2:-}" ] && wpid=(WATCHDOG_PID="$2")
	rm -f "$TMP/notify.sock"
	nsx srv timeout 60 python3 "$TMP/notify.py" "$TMP/notify.sock" "$TMP/$1.notify" 4455 &
	NPY=$!
	wait_for 5 "the notify socket" test -S "$TMP/notify.sock"
	mkdir -p "$TMP/home-$1"
	env "${wpid[@]}" HOME="$TMP/home-$1" NOTIFY_SOCKET="$TMP/notify.sock" WATCHDOG_USEC=2000000 \
		ip netns exec "${P}srv" "$VNET_BIN/vnet" pw -h 127.0.0.1 -p 4455 -d lo -v \
			--control-socket "$(ctl_sock "$1")" >"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	eval "PID_$1=$!"
}
count() { grep -c " $2\$" "$TMP/$1.notify" 2>/dev/null || true; }
pings_over() { [ "$(count "$1" WATCHDOG=1)" -ge "$2" ]; }

# WATCHDOG_PID of another process: READY, no pings
notify_run other 1
wait_for 10 "READY=1" grep -q " READY=1 " "$TMP/other.notify"
sleep 2.5
[ "$(count other WATCHDOG=1)" = 0 ] || die "WATCHDOG=1 sent though WATCHDOG_PID is not vnet's"
stop_vnet other
wait "$NPY" || die "the notify listener did not see STOPPING=1: $(cat "$TMP/other.notify")"
ok "WATCHDOG_PID of another process: READY=1, no WATCHDOG=1"

notify_run srv
wait_for 10 "READY=1" grep -q " READY=1 " "$TMP/srv.notify"
grep -q " READY=1 listening$" "$TMP/srv.notify" || die "READY=1 before the port listened: $(cat "$TMP/srv.notify")"
grep -q " STATUS=listening; standing handlers started$" "$TMP/srv.notify" || die "no STATUS: $(cat "$TMP/srv.notify")"
t0=$SECONDS
wait_for 5 "two WATCHDOG=1" pings_over srv 2
sleep 2
n=$(count srv WATCHDOG=1)
[ "$n" -ge 3 ] && [ "$n" -le 7 ] || die "$n WATCHDOG=1 in $((SECONDS - t0 + 1)) s (one a second expected)"
ok "READY=1 once the port listened, STATUS sent; WATCHDOG=1 every second ($n in ~$((SECONDS - t0)) s)"
stop_vnet srv
wait "$NPY" || die "the notify listener failed"
grep -q " STOPPING=1$" "$TMP/srv.notify" || die "no STOPPING=1: $(cat "$TMP/srv.notify")"
ok "STOPPING=1 at SIGTERM"
