#!/bin/bash
# vnet --config: standing handlers of the configuration file and SIGHUP.
#
#   vm  ── vmnet1 ┐
#   vm2 ── vmnet2 ┴ [host] 198.18.44.2 ── [rtr] ── LAN ─┬─ [proxy] 198.18.42.2
#                                                       ├─ [peer]  198.18.42.20
#                                                       └─ [cli]   (vnetclient)
#
# The proxy starts from a file (listen, port, devices, password file, one
# standing handler to the host) before the host's server exists: it keeps
# trying, and the handler comes up within seconds of the host starting.
# SIGHUP adds a handler without touching the first, removes the first (gone
# on both servers), refuses a file with a syntax error and one with a
# semantic error (line numbers in the log, handlers as before).  -p on the
# command line beats the file's port.  A vnet --vnat from a file (listening
# on an IPv4 and an IPv6 address) has the file's process list and helper;
# SIGHUP changes the list.
. "$(dirname "$0")/lib.sh"
topo_up two
ETC="$TMP/etc"
mkdir -m 0700 "$ETC"
CONF="$ETC/vnet.conf"
(umask 077; echo pw2 >"$ETC/proxy.pw"; echo pw1 >"$ETC/host.pw")

handler_vm1() {
	printf '[handler vm1]\ndevice = eth0\npeer = 198.18.44.2\nport = 4455\npeer-device = vmnet1\n'
	printf 'role = local\naddresses = %s ff:ff:ff:ff:ff:ff\npassword-file = %s\n\n' "$VM_MAC" "$ETC/host.pw"
}
handler_vm2() {
	printf '[handler vm2]\ndevice = %s\npeer = 198.18.44.2\npeer-device = vmnet2\n' "${VM2_DEV:-eth0}"
	printf 'role = local\naddresses = %s ff:ff:ff:ff:ff:ff\npassword-file = %s\n\n' "$VM2_MAC" "$ETC/host.pw"
}
# write_conf HANDLER...: the proxy's file with those handlers (vm1, vm2)
write_conf() {
	local h
	{
		printf '# vnet on the proxy\npassword-file = %s\nlisten = _\n' "$ETC/proxy.pw"
		printf 'port = 4999   ; -p on the command line wins\ndevices = eth0\n\n'
		for h in "$@"; do "handler_$h"; done
	} >"$CONF.new"
	chmod 0600 "$CONF.new"
	mv "$CONF.new" "$CONF"
}
hup() { kill -HUP "$PID_proxy"; }
nlog() { grep -c -- "$1" "$TMP/proxy.log" || true; }
# wait_log N TEXT: until TEXT is in the proxy's log N times
log_has() { [ "$(nlog "$2")" -ge "$1" ]; }
wait_log() { wait_for 10 "'$2' in the log" log_has "$1" "$2"; }
ph() { handlers cli 198.18.42.2 pw2; }
hh() { handlers cli 198.18.44.2 pw1; }
nlines() { [ "$(printf '%s' "$1" | grep -c .)" = "$2" ]; }
p_count() { nlines "$(ph)" "$1"; }
h_count() { nlines "$(hh)" "$1"; }
# id_of MAC: the proxy's handler for that VM's MAC
id_of() { ph | awk -v m="$1" '$0 ~ m {print $1}'; }
up_on_proxy() { [ "$(stat_of cli 198.18.42.2 pw2 "$1" state)" = up ]; }
pings() { nsx "$1" ping -c1 -W1 198.18.42.20 >/dev/null 2>&1; }

write_conf vm1
start_vnet proxy proxy --config "$CONF" -p 4455
wait_for 10 "vnet on proxy" port_open cli 198.18.42.2 4455
! port_open cli 198.18.42.2 4999 || die "the file's port 4999 is open: -p 4455 did not win"
ok "-p on the command line beats the file's port"

# the host's server does not exist yet: the handler keeps trying
wait_log 1 'redial to 198.18.44.2:4455 failed' 
sleep 2
p_count 0 || die "a handler on the proxy without its peer: $(ph)"
! pings vm || die "the VM reaches the LAN without a handler"
grep -q "handler 'vm1': dialling 198.18.44.2:4455" "$TMP/proxy.log" || die "no dial of vm1 in the log"
ok "without the host's server: no handler, still trying"

start_vnet host host pw1 -h _ -p 4455 -d vmnet1 vmnet2
wait_for 10 "vnet on host" port_open cli 198.18.44.2 4455
t0=$SECONDS
wait_for 10 "vm1's handler on the proxy" p_count 1
ID1=$(id_of "$VM_MAC")
wait_for 5 "vm1 up" up_on_proxy "$ID1"
[ $((SECONDS - t0)) -le 5 ] || die "vm1 took $((SECONDS - t0)) s after the host listened"
wait_for 10 "VM pings the LAN" pings vm
ok "standing handler vm1 up $((SECONDS - t0)) s after the host's server, the VM pings the LAN"

# SIGHUP: vm2 added, vm1 not touched
HID1=$(hh | awk '{print $1}')
before=$(client cli -q -p pw2 -h 198.18.42.2 -c stats -i "$ID1")
rc1=$(stat_of cli 198.18.42.2 pw2 "$ID1" reconnects)
sent1=$(stat_of cli 198.18.42.2 pw2 "$ID1" sent_frames)
write_conf vm1 vm2
hup
wait_log 1 "handlers: 1 added, 0 removed, 0 changed, 1 unchanged"
wait_for 10 "vm2's handler" p_count 2
ID2=$(id_of "$VM2_MAC")
wait_for 5 "vm2 up" up_on_proxy "$ID2"
wait_for 10 "VM2 pings the LAN" pings vm2
[ "$(id_of "$VM_MAC")" = "$ID1" ] || die "vm1's handler changed id: $(ph)"
[ "$(stat_of cli 198.18.42.2 pw2 "$ID1" reconnects)" = "$rc1" ] || die "vm1 reconnected: $before"
[ "$(stat_of cli 198.18.42.2 pw2 "$ID1" sent_frames)" -ge "$sent1" ] || die "vm1's counters were reset"
hh | grep -q "^$HID1 .*$VM_MAC" || die "vm1's handler changed on the host: $(hh)"
pings vm || die "VM lost the LAN at the SIGHUP"
ok "SIGHUP: vm2 added (id $ID2); vm1 untouched (id $ID1, reconnects $rc1, counters kept)"

# SIGHUP: vm1 removed: closed on both servers, vm2 stays
write_conf vm2
hup
wait_log 1 "handlers: 0 added, 1 removed, 0 changed, 1 unchanged"
wait_for 10 "vm1 gone from the proxy" p_count 1
wait_for 10 "vm1 gone from the host" h_count 1
[ "$(id_of "$VM2_MAC")" = "$ID2" ] || die "vm2's handler changed: $(ph)"
hh | grep -q "$VM2_MAC" || die "the host lost vm2: $(hh)"
! pings vm || die "VM still reaches the LAN after vm1 left the file"
pings vm2 || die "VM2 lost the LAN"
sleep 2
p_count 1 || die "vm1 came back: $(ph)"
ok "SIGHUP: vm1 removed, closed on both servers; vm2 untouched"

# broken files: refused as a whole, with the line; nothing changes (the
# local port may: a handler that sends and hears nothing for 2 s moves to a
# fresh connection, server/standing.h)
phs() { ph | awk '{$4 = "*"; print}'; }
snap=$(phs)
write_conf vm2 vm1
sed -i 's/^peer-device = vmnet1$/peer-device vmnet1/' "$CONF"
line=$(grep -n '^peer-device vmnet1$' "$CONF" | cut -d: -f1)
hup
wait_log 1 "SIGHUP: refused, nothing changed: $CONF:$line: syntax error"
VM2_DEV=eth9 write_conf vm2 vm1
line=$(grep -n '^device = eth9$' "$CONF" | cut -d: -f1)
hup
wait_log 1 "SIGHUP: refused, nothing changed: $CONF:$line: handler 'vm2': device 'eth9' is not one"
sleep 1
[ "$(phs)" = "$snap" ] || die "handlers changed after refused files: $(ph) (was $snap)"
[ "$(nlog "closing it")" = 1 ] || die "a handler was closed by a refused file"
pings vm2 || die "VM2 lost the LAN"
! pings vm || die "the refused file's vm1 was started"
ok "SIGHUP: a syntax error and an unknown device (line $line) refused with their lines; handlers as before"

# what SIGHUP does not apply is said
write_conf vm2
sed -i 's/^listen = _$/listen = 198.18.42.2/' "$CONF"
hup
wait_log 1 "SIGHUP: listen changed: needs a restart"
wait_log 1 "handlers: 0 added, 0 removed, 0 changed, 1 unchanged"
ok "SIGHUP: a new listen address is logged as needing a restart"

# VNAT keys: a vnet --vnat in the peer's namespace, from a file
VCONF="$ETC/vnat.conf"
vconf() {
	{
		printf 'password = pwv\nlisten = 127.0.0.1 ::1\nport = 4460\nvnat = yes\nvcmp-port = 2040\n'
		printf 'vnat-proc = %s\nvnat-helper = ssh=keepalive\nvnat-conflict = ssh=preempt\n' "$1"
	} >"$VCONF.new"
	chmod 0600 "$VCONF.new"
	mv "$VCONF.new" "$VCONF"
}
procs() { client peer -q -p pwv -h "${1:-127.0.0.1}" -o 4460 -c procs | sort | tr '\n' ' '; }
vconf "firefox ssh"
start_vnet peer vnat --config "$VCONF"
wait_for 10 "vnet --vnat on peer" port_open peer 127.0.0.1 4460
[ "$(procs)" = "firefox ssh " ] || die "procs: '$(procs)'"
[ "$(procs ::1)" = "firefox ssh " ] || die "procs over IPv6 (listen = 127.0.0.1 ::1): '$(procs ::1)'"
grep -q "vnat: helper for ssh: keepalive" "$TMP/vnat.log" || die "no helper for ssh"
grep -q "vnat: address conflicts of ssh: preempt" "$TMP/vnat.log" || die "no conflict policy for ssh"
vconf "ssh top"
kill -HUP "$PID_vnat"
procs_are() { [ "$(procs)" = "$1" ]; }
wait_for 10 "procs after SIGHUP" procs_are "ssh top "
[ "$(grep -c "vnat: helper for ssh: keepalive" "$TMP/vnat.log")" = 1 ] || die "the unchanged helper was set again"
ok "VNAT: the file's process list, helper and policy applied; SIGHUP changed the list only"

finish
