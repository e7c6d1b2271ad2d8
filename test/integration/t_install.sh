#!/bin/bash
# make install: PREFIX and DESTDIR honoured, man pages, hooks, the systemd
# units (ExecStart on the installed path) and the sysusers file installed;
# vnet installed 0755 with no file capabilities and not setuid: every local
# user may run it, so it gets no privilege from its file.  With another
# PREFIX nothing is written outside it unless the hook folders are named.
# The installed vnet, started by root with --user nobody, bridges the VM
# (capture and injection after the drop).  make uninstall removes what
# install put there.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$TMP/destdir
chmod 755 "$TMP"
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >/dev/null || die "make install"
for f in usr/sbin/vnet usr/bin/vnetclient usr/share/man/man8/vnet.8 usr/share/man/man1/vnetclient.1 usr/share/man/man8/vnet-vnat.8 \
    usr/sbin/vnet-vnat usr/lib/systemd/system-sleep/vnet etc/NetworkManager/dispatcher.d/90-vnet \
    usr/lib/systemd/system/vnet.service usr/lib/systemd/system/vnet@.service usr/lib/sysusers.d/vnet.conf; do
	[ -f "$D/$f" ] || die "make install did not install $f"
done
grep -q '^VNETCLIENT=${VNETCLIENT:-/usr/bin/vnetclient}$' "$D/usr/sbin/vnet-vnat" || die "vnet-vnat: vnetclient's path"
grep -q '/usr/sbin/vnet-vnat' "$D/usr/lib/systemd/system-sleep/vnet" || die "sleep hook: vnet-vnat's path"
grep -q '^ExecStart=/usr/sbin/vnet --config /etc/vnet/vnet.conf ' "$D/usr/lib/systemd/system/vnet.service" ||
	die "vnet.service: ExecStart"
! grep -rq '@[A-Z]*DIR@' "$D" || die "a @...DIR@ left unreplaced: $(grep -rl '@[A-Z]*DIR@' "$D")"
[ -x "$D/etc/NetworkManager/dispatcher.d/90-vnet" ] || die "the dispatcher script is not executable"
[ -z "$(getcap "$D/usr/sbin/vnet")" ] || die "vnet installed with file capabilities: $(getcap "$D/usr/sbin/vnet")"
[ "$(stat -c %a "$D/usr/sbin/vnet")" = 755 ] || die "vnet mode $(stat -c %a "$D/usr/sbin/vnet")"
[ -f "$D/usr/share/doc/vnet/vnet.conf.example" ] || die "make install did not install vnet.conf.example"
[ -u "$D/usr/sbin/vnet" ] && die "vnet installed setuid"
ok "installed under DESTDIR/PREFIX with units and hooks; vnet 0755, no file capabilities, not setuid"

# another PREFIX: nothing outside it, unless a hook folder is named
O=$TMP/destdir-opt
make -s -C "$ROOT" install DESTDIR="$O" PREFIX=/opt/vnet >/dev/null || die "make install PREFIX=/opt/vnet"
out=$(cd "$O" && find . -mindepth 1 -not -path './opt' -not -path './opt/*')
[ -z "$out" ] || die "PREFIX=/opt/vnet wrote outside it: $out"
[ -f "$O/opt/vnet/lib/systemd/system/vnet.service" ] || die "no unit under PREFIX"
grep -q '^ExecStart=/opt/vnet/sbin/vnet --config /opt/vnet/etc/vnet/vnet.conf ' "$O/opt/vnet/lib/systemd/system/vnet.service" ||
	die "ExecStart under PREFIX=/opt/vnet: $(grep ExecStart "$O/opt/vnet/lib/systemd/system/vnet.service")"
make -s -C "$ROOT" install DESTDIR="$O" PREFIX=/opt/vnet SLEEPDIR=/usr/lib/systemd/system-sleep >/dev/null ||
	die "make install PREFIX=/opt/vnet SLEEPDIR=..."
out=$(cd "$O" && find . -type f -not -path './opt/*')
[ "$out" = ./usr/lib/systemd/system-sleep/vnet ] || die "with SLEEPDIR, outside PREFIX: $out"
grep -q '/opt/vnet/sbin/vnet-vnat' "$O/usr/lib/systemd/system-sleep/vnet" || die "sleep hook's path under /opt/vnet"
make -s -C "$ROOT" uninstall DESTDIR="$O" PREFIX=/opt/vnet SLEEPDIR=/usr/lib/systemd/system-sleep >/dev/null
[ "$(find "$O" -type f | wc -l)" = 0 ] || die "uninstall under /opt/vnet left $(find "$O" -type f)"
ok "PREFIX=/opt/vnet: nothing outside PREFIX; the sleep hook only when SLEEPDIR is given"

topo_up
ip netns exec "${P}host" "$D/usr/sbin/vnet" pw1 -s -h _ -p 4455 -d vmnet1 --user nobody --control-socket "$(ctl_sock host)" \
	--state-dir "$TMP/state-host" -v >"$TMP/host.log" 2>&1 &
PIDS+=($!)
PID_host=$!
start_vnet proxy proxy pw2 -s -h _ -p 4455 -d eth0
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
wait_for 5 "the host's drop" grep -q "privs: running as uid 65534" "$TMP/host.log"
[ "$(awk '/^Uid:/ {print $3}' "/proc/$PID_host/status")" = 65534 ] || die "the host's vnet does not run as nobody"
client cli -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle with an unprivileged host server"
nsx vm ping -c3 -i0.2 -W2 198.18.42.20 >/dev/null || die "ping through the unprivileged server"
ok "the installed vnet, run with --user nobody, bridges after the drop"
finish

make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr >/dev/null || die "make uninstall"
left=$(find "$D" -type f | wc -l)
[ "$left" = 0 ] || die "make uninstall left $left files"
ok "make uninstall removed every file"
