#!/bin/bash
# make install: PREFIX and DESTDIR honoured, man pages installed, vnet given
# cap_net_raw,cap_net_admin instead of setuid root -- and those capabilities
# are enough: the installed vnet, run as the unprivileged user nobody,
# bridges the VM.  make uninstall removes what install put there.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$TMP/destdir
chmod 755 "$TMP"
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >/dev/null || die "make install"
for f in usr/sbin/vnet usr/bin/vnetclient usr/share/man/man8/vnet.8 usr/share/man/man1/vnetclient.1 \
    usr/sbin/vnet-vnat usr/lib/systemd/system-sleep/vnet etc/NetworkManager/dispatcher.d/90-vnet; do
	[ -f "$D/$f" ] || die "make install did not install $f"
done
grep -q '^VNETCLIENT=${VNETCLIENT:-/usr/bin/vnetclient}$' "$D/usr/sbin/vnet-vnat" || die "vnet-vnat: vnetclient's path"
grep -q '/usr/sbin/vnet-vnat' "$D/usr/lib/systemd/system-sleep/vnet" || die "sleep hook: vnet-vnat's path"
[ -x "$D/etc/NetworkManager/dispatcher.d/90-vnet" ] || die "the dispatcher script is not executable"
[ -f "$D/usr/share/doc/vnet/vnet.conf.example" ] || die "make install did not install vnet.conf.example"
getcap "$D/usr/sbin/vnet" | grep -Eq 'cap_net_admin,cap_net_raw[+=]ep' || die "capabilities: $(getcap "$D/usr/sbin/vnet")"
[ -u "$D/usr/sbin/vnet" ] && die "vnet installed setuid"
ok "installed under DESTDIR/PREFIX with cap_net_raw,cap_net_admin, not setuid"

topo_up
mkdir -p "$TMP/home-nobody"
chown 65534:65534 "$TMP/home-nobody"
ip netns exec "${P}host" setpriv --reuid=65534 --regid=65534 --clear-groups \
	env HOME="$TMP/home-nobody" "$D/usr/sbin/vnet" pw1 -s -h _ -p 4455 -d vmnet1 -v >"$TMP/host.log" 2>&1 &
PIDS+=($!)
PID_host=$!
start_vnet proxy proxy pw2 -s -h _ -p 4455 -d eth0
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
[ "$(stat -c %u "/proc/$PID_host")" = 65534 ] || die "the host's vnet does not run as nobody"
client cli -s -q -p pw2 -h 198.18.42.2 -c handle -b pw1 -d 198.18.44.2 -e eth0 -f vmnet1 -g local \
	-j $VM_MAC ff:ff:ff:ff:ff:ff >/dev/null || die "handle with an unprivileged host server"
nsx vm ping -c3 -i0.2 -W2 198.18.42.20 >/dev/null || die "ping through the unprivileged server"
ok "the installed vnet bridges as user nobody with its file capabilities"
finish

make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr >/dev/null || die "make uninstall"
left=$(find "$D" -type f | wc -l)
[ "$left" = 0 ] || die "make uninstall left $left files"
ok "make uninstall removed every file"
