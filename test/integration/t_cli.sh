#!/bin/bash
# The command lines: --help and --version tell the truth, every usage error
# exits 2 with one line that names the problem and points at --help, long
# options take --opt=value too, vnetclient asks for no password when its
# arguments are wrong or the server cannot be reached (run on a
# pseudo-terminal), a port already in use is a clear start-up error, and
# `-c echo` runs an interactive session from standard input.  Without -h
# vnetclient talks to the control socket (a stand-in here) without HELLO.
. "$(dirname "$0")/lib.sh"
V=$VNET_BIN/vnet C=$VNET_BIN/vnetclient
TOOLS_PY=$(cd "$(dirname "$0")/../tools" && pwd)

"$V" --help | grep -q "usage: vnet password \[-s\] -h <_|host> -p <port> -d <devices>+" || die "vnet --help"
"$C" --help | grep -q "usage: vnetclient \[-s\] \[-p password1\] \[-o port1\] -h <host1> -c <command>" || die "vnetclient --help"
"$C" --help | grep -q "handle \[-a port2\] \[-b password2\] -d <host2> -e <device1> -f <device2>" || die "handle in --help"
for o in --max-unauth --max-unauth-per-source --auth-penalty --idle-timeout --config --vnat-proc \
    --vnat-helper --vnat-conflict --log-level; do
	"$V" --help | grep -q -- "  $o" || die "vnet --help does not show $o"
done
"$V" --version | grep -Eq '^vnet [0-9]+\.[0-9]+\.[0-9]+ \(protocol 1\.0\)$' || die "vnet --version"
"$C" --version | grep -Eq '^vnetclient [0-9]+\.[0-9]+\.[0-9]+' || die "vnetclient --version"
ok "--help and --version"

usage() { # usage EXPECTED-TEXT CMD...: exit 2 and the text on stderr
	local want=$1 out rc=0; shift
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	[ $rc = 2 ] || die "'$*' exited $rc (want 2): $out"
	[[ $out == *"$want"* ]] || die "'$*' said: $out (want: $want)"
	# vnet: one line, what is wrong and where to look, not the whole help
	[ "$1" != "$V" ] || { [ "$(wc -l <<<"$out")" = 1 ] && [[ $out == "vnet: "*" (see vnet --help)" ]]; } ||
		die "'$*': not one line ending in (see vnet --help): $out"
}
usage "no password given" "$V" -h _ -p 4455 -d eth0
usage "-h <_|host> is required" "$V" pw -p 4455 -d eth0
usage "-p: 'x' is not a number from 1 to 65535" "$V" pw -h _ -p x -d eth0
usage "-p: '70000' is not a number from 1 to 65535" "$V" pw -h _ -p 70000 -d eth0
usage "-d needs at least one device" "$V" pw -h _ -p 4455 -d
usage "-d <devices>+ is required (or --vnat" "$V" pw -h _ -p 4455
usage "--vcmp-port: '0' is not a number from 1 to 65535" "$V" pw -h _ --vnat --vcmp-port 0
usage "-d: 'a/b' is not a device name" "$V" pw -h _ -p 4455 -d a/b
usage "unknown option '--frob'" "$V" pw -h _ --frob
usage "unexpected argument 'extra'" "$V" pw -h _ -p 4455 extra -d eth0
usage "the password must be" "$V" "two words" -h _
usage "give the password or --password-file, not both" "$V" pw --password-file /x -h _
usage "--queue-limit: '1' is not a number from 64" "$V" pw -h _ --queue-limit 1
usage "--max-unauth: '0' is not a number from 1 to 2048" "$V" pw -h _ -d eth0 --max-unauth 0
usage "--max-unauth-per-source: '3000' is not a number from 1 to 2048" "$V" pw -h _ -d eth0 --max-unauth-per-source 3000
usage "--auth-penalty: '10001' is not a number from 0 to 10000" "$V" pw -h _ -d eth0 --auth-penalty 10001
usage "--idle-timeout: 'x' is not a number from 0 to 86400" "$V" pw -h _ -d eth0 --idle-timeout x
# getopt_long: --opt=value, a long flag given a value, no prefixes
usage "--port: 'x' is not a number from 1 to 65535" "$V" pw -h _ --port=x -d eth0
usage "give the password or --password-file, not both" "$V" pw --password-file=/x -h _
usage "--vnat takes no value" "$V" pw -h _ --vnat=yes
usage "unknown option '--vcmp'" "$V" pw -h _ --vcmp 1
usage "unknown option '--password'" "$V" --password s3cret -h _
usage "unknown option '-x'" "$V" pw -h _ -x
usage "--metrics needs a value" "$V" pw -h _ -d eth0 --metrics
usage "--control-socket: 'rel/path' is not an absolute path (or none)" "$V" pw -h _ -d eth0 --control-socket=rel/path
ok "vnet usage errors: exit 2 with the reason, one line"

usage "-c <command> is required" "$C" -h 198.18.0.1
usage "unknown command 'frob'" "$C" -h 198.18.0.1 -c frob
usage "close needs -i <id>" "$C" -h 198.18.0.1 -c close
usage "-i needs a handler number, got 'x'" "$C" -h 198.18.0.1 -c close -i x
usage "handle needs -d <host2>" "$C" -h 198.18.0.1 -c handle -e eth0 -f eth1 -g local -j 02:00:00:00:00:01
usage "handle needs -j <addresses+>" "$C" -h 198.18.0.1 -c handle -d h -e eth0 -f eth1 -g local
usage "-g needs local or remote, got 'up'" "$C" -h 198.18.0.1 -c handle -g up
usage "-o needs a port from 1 to 65535, got '0'" "$C" -o 0 -h 198.18.0.1 -c handlers
usage "unexpected argument 'x' for this command" "$C" -h 198.18.0.1 -c handlers x
usage "unknown option '--frob'" "$C" --frob=1 -h 198.18.0.1 -c handlers
usage "--json takes no value" "$C" --json=yes -h 198.18.0.1 -c handlers
usage "--timeout needs a value" "$C" -h 198.18.0.1 -c handlers --timeout
usage "--timeout needs seconds from 1 to 3600" "$C" --timeout=0 -h 198.18.0.1 -c handlers
usage "-i comes after -c <command>" "$C" -i 3 -h 198.18.0.1 -c stats
usage "unexpected argument '-n' for this command" "$C" -h 198.18.0.1 -c stats -n 3
usage "-j needs at least one address" "$C" -h 198.18.0.1 -c handle -d h -e e -f f -j -g local
usage "bad address '02:00:00:00:42'" "$C" -h 198.18.0.1 -c handle -d h -e e -f f -g local -j 02:00:00:00:42
usage "-s needs -h <host1> (without -h vnetclient uses the local control socket)" "$C" -s -c handlers
usage "--control-socket is for use without -h" "$C" --control-socket=/x -h 198.18.0.1 -c handlers
usage "--require-pin needs -s" "$C" --require-pin -h 198.18.0.1 -c handlers
usage "--json does not go with -c echo" "$C" -h 198.18.0.1 -c echo --json
usage "--forget: '[fd00::1' is not HOST[:PORT]" "$C" --forget '[fd00::1'
usage "--forget removes a pin: no -c with it" "$C" --forget h -c handlers
usage "--forget names its server: no -h with it" "$C" --forget h -h x
usage "--forget names its server: no -h or -o with it" "$C" -o 4456 --forget h
usage "password file /nonexistent: No such file or directory" "$C" --password-file=/nonexistent -h 198.18.0.1 -c handlers
# one line: what is wrong, and where the help is
for args in "-c frob -h h" "-h h" "--frob" "-h h -c close" "-h h -c handle -g up"; do
	# shellcheck disable=SC2086
	out=$("$C" $args 2>&1 >/dev/null) && die "'$args' accepted"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || die "'$args': more than one line: $out"
	[[ $out == "vnetclient: "*"; see vnetclient --help" ]] || die "'$args': $out"
done
ok "vnetclient usage errors: exit 2, one line with the reason and a pointer to --help"

# from a terminal: nothing asked when the arguments are wrong or the server
# is out of reach (pty_run kills what waits for an answer: exit 124)
asks() { # asks WANT-RC CMD...: the exit status, and no password prompt
	local want=$1 out rc=0; shift
	out=$(python3 "$TOOLS_PY/pty_run.py" 10 -- "$@") || rc=$?
	[ $rc = "$want" ] || die "'$*' on a terminal exited $rc (want $want): $out"
	[[ $out != *"Password"* ]] || die "'$*' asked for a password: $out"
}
asks 2 "$C" -h 198.18.0.1 -c handle -d h -e eth0 -f eth1 -g local -j 02:00:00:00:42
asks 2 "$C" -h 198.18.0.1 -c close -i x
asks 3 "$C" -h 127.0.0.1 -o 4999 -c devices
asks 3 "$C" -h 127.0.0.1 -o 4999 -c handle -d h -e eth0 -f eth1 -g local -j 02:00:00:00:00:01
asks 3 "$C" --timeout 2 -h nowhere.invalid -c devices
ok "no password asked on a terminal for wrong arguments or an unreachable server"

# without -h: the control socket, no HELLO, no password, no warning
sock=$TMP/ctl.sock
python3 "$TOOLS_PY/fake_ctl.py" "$sock" "$TMP/ctl.log" &
PIDS+=($!)
wait_for 5 "the stand-in control socket" test -S "$sock"
out=$("$C" --control-socket "$sock" -c devices </dev/null 2>&1) || die "devices on the socket: $out"
[ "$out" = vmnet1 ] || die "devices on the socket: $out"
out=$(VNET_CONTROL=$sock "$C" -c handlers </dev/null 2>&1) || die "VNET_CONTROL: $out"
[ -z "$out" ] || die "handlers on the socket: $out"
[ "$(cat "$TMP/ctl.log")" = $'DEVICES?\nDONE\nHANDLERS?\nDONE' ] || die "sent on the socket: $(cat "$TMP/ctl.log")"
set +e
out=$("$C" --control-socket "$TMP/none" -c devices 2>&1); rc=$?
set -e
[ $rc = 3 ] && [ "$out" = "vnetclient: cannot use the control socket $TMP/none: No such file or directory (is vnet running here? else give -h <host1>)" ] ||
	die "missing socket: rc=$rc $out"
chmod 600 "$sock"
set +e
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$C" --control-socket "$sock" -c devices 2>&1); rc=$?
set -e
[ $rc = 3 ] && [[ $out == *"cannot use the control socket $sock: Permission denied (root and the vnet service's group may use it)"* ]] ||
	die "socket refused by permissions: rc=$rc $out"
ok "without -h: the control socket (--control-socket, VNET_CONTROL), no HELLO; missing or refused: exit 3, named"

topo_up
servers_up
# a port already taken: start-up error, exit 1
set +e
out=$(nsx host "$V" pw -h _ -p 4455 -d vmnet1 --control-socket "$(ctl_sock busy)" 2>&1); rc=$?
set -e
[ $rc = 1 ] && [[ $out == *"cannot listen on _ port 4455: Address already in use"* ]] || die "port in use: rc=$rc $out"
set +e
out=$(nsx host "$V" pw -h 198.18.99.1 -p 4460 -d vmnet1 --control-socket "$(ctl_sock noaddr)" 2>&1); rc=$?
set -e
[ $rc = 1 ] && [[ $out == *"Cannot assign requested address"* ]] || die "foreign address: rc=$rc $out"
ok "start-up errors: port in use, an address not on this host"

# the same server in --opt=value forms, -vv and a cluster of flags
(umask 077; echo pw8 >"$TMP/pw8")
ip netns exec "${P}host" "$V" --password-file="$TMP/pw8" --listen=_ --port=4462 --devices vmnet1 --queue-limit=512 \
	-vv --control-socket="$(ctl_sock eq)" >"$TMP/eq.log" 2>&1 &
PIDS+=($!)
PID_eq=$!
wait_for 5 "the --opt=value server" port_open cli 198.18.44.2 4462
out=$(client cli -q -p pw8 -o 4462 -h 198.18.44.2 -c devices) || die "--opt=value server: $out"
[ "$out" = vmnet1 ] || die "--opt=value server devices: $out"
grep -q "control local\|descriptor limit" "$TMP/eq.log" || die "-vv: nothing logged"
stop_vnet eq
ok "--password-file=F --listen=_ --port=P --queue-limit=N --control-socket=S: the server runs"

# an interactive session from standard input
out=$(printf 'DEVICES?\nSTATS?\nCLOSE 5\nHANDLERS?\nDONE\n' | client cli -q -p pw1 -h 198.18.44.2 -c echo)
[ "$out" = $'OK devices\n1\nvmnet1\nOK stats\n0\nNOK no such handler 5\nOK handlers\n0\nOK bye' ] ||
	die "echo session: $(printf '%q' "$out")"
# --opt=value; -j's values up to the next option; no clear-text warning on
# loopback
printf 'pw1\n' >"$TMP/pw1"
chmod 600 "$TMP/pw1"
out=$(client cli --password-file="$TMP/pw1" --timeout=5 -h 198.18.44.2 -c devices 2>/dev/null) ||
	die "--password-file=/path"
[ "$out" = vmnet1 ] || die "--password-file=/path: $out"
out=$(nsx host "$C" --password-file="$TMP/pw1" -h 127.0.0.1 -c devices 2>&1) || die "loopback: $out"
[ "$out" = vmnet1 ] || die "a warning or more on loopback: $out"
out=$(client cli --password-file "$TMP/pw1" -h 198.18.44.2 -c devices 2>&1 >/dev/null)
[[ $out == *"warning: without -s the password crosses the network in clear"* ]] || die "no warning off loopback: $out"
ok "--password-file=/path and --timeout=5; clear-text warning off loopback only"
# a password typed on standard input when not given
out=$(printf 'pw1\n' | client cli -q -h 198.18.44.2 -c devices) || die "password from stdin"
[ "$out" = vmnet1 ] || die "devices with the password from stdin: $out"
set +e
out=$(client cli -q -h 198.18.44.2 -c devices </dev/null 2>&1); rc=$?
set -e
[ $rc = 2 ] && [[ $out == *"no password for vnet server 198.18.44.2 port 4455 on standard input"* ]] ||
	die "no password: rc=$rc $out"
ok "-c echo session; passwords read from standard input"
set +e
out=$(client cli -q -p pw1 -h 198.18.44.2 -c procs 2>&1); rc=$?
set -e
[ $rc = 1 ] && [[ $out == *"NOK VNAT is off on this server (start vnet with --vnat)"* ]] ||
	die "VNAT without --vnat: rc=$rc $out"

# --daemon: returns at once, keeps serving in the background, SIGTERM ends it
nsx host "$V" pw9 -h _ -p 4461 -d vmnet1 --daemon --control-socket "$(ctl_sock daemon)" || die "--daemon start"
wait_for 5 "the daemon's port" port_open cli 198.18.44.2 4461
dpid=$(pgrep -f -- "-p 4461 -d vmnet1 --daemon" | head -1)
[ -n "$dpid" ] || die "no daemon process"
PIDS+=("$dpid")
[ "$(ps -o ppid= -p "$dpid" | tr -d ' ')" = 1 ] || [ "$(ps -o sid= -p "$dpid" | tr -d ' ')" = "$dpid" ] ||
	die "the daemon did not detach"
out=$(client cli -q -p pw9 -o 4461 -h 198.18.44.2 -c devices) || die "daemon devices"
[ "$out" = vmnet1 ] || die "daemon devices: $out"
kill -TERM "$dpid"
wait_for 5 "the daemon to exit" bash -c "! kill -0 $dpid 2>/dev/null"
ok "--daemon detaches, serves, and exits on SIGTERM"
finish
