#!/bin/bash
# The suspend/resume hooks, run as the system runs them: systemd-sleep's
# hook with "pre suspend" (VNAT SUSPEND), the client moves, NetworkManager's
# dispatcher script with "eth1 up" (VNAT RESUME); the live stream survives
# (sha256).  Over TCP (VNET_HOST) the password comes from a root-only
# file: a file others can read is refused with the reason; "nothing to
# resume" is not an error.  Without VNET_HOST vnet-vnat uses the local
# control socket: no password, no HELLO (what it sends checked on a
# stand-in socket); the suspend, move and resume run that way, on vnet's
# own socket.
#
#   [cli] eth0 198.18.1.10 ── l1 [rtr] l2 ── eth0 [srv] 198.18.2.20
#         eth1 (after the move) 198.18.3.10 ── l3 ┘
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
vnat_topo_up
vnat_pair
[ "$(vc -c vadd -n socat)" = "added socat" ] || die "vadd"
printf 'pwc\n' >"$TMP/control-password"
chmod 600 "$TMP/control-password"
# what systemd and NetworkManager would run, pointed at this checkout
hook() { nsx cli env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin VNETCLIENT="$VNET_BIN/vnetclient" \
	VNET_HOST=127.0.0.1 VNET_PASSWORD_FILE="$TMP/control-password" VNET_VNAT="$ROOT/scripts/vnet-vnat" \
	HOME="$TMP/home-cli" "$@"; }

# the control socket: a stand-in records what vnet-vnat sends
sock=$TMP/control.sock
nsx cli python3 "$ROOT/test/tools/fake_ctl.py" "$sock" "$TMP/control.log" &
PIDS+=($!)
wait_for 5 "the stand-in control socket" test -S "$sock"
sockhook() { nsx cli env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin VNETCLIENT="$VNET_BIN/vnetclient" \
	VNET_CONTROL="$sock" VNET_PASSWORD_FILE=/nonexistent HOME="$TMP/home-cli" "$@"; }
out=$(sockhook "$ROOT/scripts/vnet-vnat" suspend 2>&1) || die "vnet-vnat suspend on the socket: $out"
[[ $out == *"suspend: suspended 0 connection(s)"* ]] || die "vnet-vnat suspend on the socket: $out"
out=$(sockhook "$ROOT/scripts/vnet-vnat" resume 2>&1) || die "vnet-vnat resume on the socket: $out"
[[ $out == *"nothing to resume"* ]] || die "vnet-vnat resume on the socket: $out"
[ "$(cat "$TMP/control.log")" = $'VNAT SUSPEND\nDONE\nVNAT RESUME' ] ||
	die "on the socket vnet-vnat sent: $(cat "$TMP/control.log")"
out=$(sockhook env VNET_CONTROL="$TMP/none.sock" "$ROOT/scripts/vnet-vnat" suspend 2>&1) &&
	die "a missing control socket: $out"
[[ $out == *"cannot use the control socket $TMP/none.sock: No such file or directory"* ]] ||
	die "missing control socket: $out"
ok "vnet-vnat on the control socket: no HELLO, no password file; a missing socket named"

out=$(hook "$ROOT/scripts/vnet-vnat" resume 2>&1) || die "vnet-vnat resume with nothing moved: $out"
[[ $out == *"nothing to resume"* ]] || die "vnet-vnat resume, nothing moved: $out"
chmod 644 "$TMP/control-password"
out=$(hook "$ROOT/scripts/vnet-vnat" suspend 2>&1) && die "a password file others can read was used: $out"
[[ $out == *"can be read by others (mode 0644): chmod 600 it"* ]] || die "open password file: $out"
chmod 600 "$TMP/control-password"
out=$(hook "$ROOT/scripts/vnet-vnat" 2>&1) && die "no command accepted"
[[ $out == *"usage: vnet-vnat suspend | resume [address]"* ]] || die "usage: $out"
ok "vnet-vnat: nothing to resume is fine; an open password file and a missing command refused"

# from here on as installed: no VNET_HOST, no password file, vnet's socket
hook() { nsx cli env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin VNETCLIENT="$VNET_BIN/vnetclient" \
	VNET_CONTROL="$(ctl_sock cli)" VNET_PASSWORD_FILE=/nonexistent VNET_VNAT="$ROOT/scripts/vnet-vnat" \
	HOME="$TMP/home-cli" "$@"; }
shape cli
stream up up srv TCP-LISTEN:5001 cli TCP:198.18.2.20:5001 $((20 * 1024 * 1024))
out=$(hook "$ROOT/scripts/hooks/systemd-sleep" pre suspend 2>&1) || die "sleep hook (pre): $out"
[[ $out == *"suspend: suspended 1 connection(s); 1 of 1 peer(s) told"* ]] || die "sleep hook said: $out"
[[ $(vc -c conns) == *" SUSPENDED "*" socat" ]] || die "not suspended: $(vc -c conns)"
ok "systemd-sleep hook, pre suspend: $out"

move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
out=$(hook "$ROOT/scripts/hooks/nm-dispatcher" eth1 up 2>&1) || die "dispatcher (eth1 up): $out"
[[ $out =~ resume:\ resumed\ 1\ of\ 1\ connection\(s\)\ in\ [0-9.]+\ ms\ after\ [0-9]+\ s\ suspended ]] ||
	die "dispatcher said: $out"
out=$(hook "$ROOT/scripts/hooks/nm-dispatcher" eth1 down 2>&1) || die "dispatcher (eth1 down): $out"
[ -z "$out" ] || die "the dispatcher acted on 'down': $out"
out=$(hook "$ROOT/scripts/hooks/systemd-sleep" post suspend 2>&1) || die "sleep hook (post): $out"
[[ $out == *"nothing to resume"* ]] || die "sleep hook post, after the dispatcher: $out"
ok "NetworkManager dispatcher, eth1 up: RESUME; the sleep hook's post after it finds nothing more"
stream_end up
[ "$(grep -c 'control local (uid 0 pid [0-9]*): connected, authenticated by the socket' "$TMP/cli.log")" -ge 3 ] ||
	die "the hooks did not come through vnet's control socket"
ok "20 MB intact through suspend, move and resume by the hooks, on vnet's control socket"
finish
