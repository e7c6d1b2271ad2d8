#!/bin/bash
# The local control socket (--control-socket): root runs requests on it
# without a password, HELLO there is answered OK whatever its password; the
# file is 0660 root:root, so another user gets EACCES, and one let through
# by a wider mode is still refused by the peer check (SO_PEERCRED); with
# --user the socket's group is the user's and may use it.  A second vnet on
# the same path is a start-up error, a stale file from a crash is replaced,
# a file that is not a socket refused, and the socket is gone after exit.
#
#   [srv] s1 (one end of a veth pair), vnet pw -d s1 --control-socket $TMP/NAME.control
#   the socket is a file: namespaces do not matter, $TMP keeps it per run
. "$(dirname "$0")/lib.sh"
mkns srv
ip -n "${P}srv" link add s1 type veth peer name s2
chmod 711 "$TMP"	# other users reach the folder: the socket's mode decides
NOGROUP=$(id -g nobody)

# lctl SOCKET [UID GID] LINES: sends LINES (then DONE) on SOCKET as UID:GID
# (default root) and prints the answer, or the connect's errno name
lctl() {
	local sock=$1 as=()
	if [ $# -eq 4 ]; then as=(setpriv --reuid="$2" --regid="$3" --clear-groups); shift 2; fi
	timeout 10 "${as[@]}" /usr/bin/python3 -c '
import errno, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print(errno.errorcode[e.errno]); sys.exit(0)
try:
    s.sendall(sys.argv[2].replace("\\n", "\n").encode() + b"DONE\n")
except OSError:
    pass	# refused by the peer check: closed at once
out = b""
while True:
    try:
        b = s.recv(4096)
    except OSError:
        break
    if not b:
        break
    out += b
sys.stdout.write(out.decode())' "$sock" "$2"
}

start_vnet srv srv pw -h 127.0.0.1 -p 4455 -d s1
S=$(ctl_sock srv)
wait_for 10 "the control socket" test -S "$S"
[ "$(stat -c '%a %U %G' "$S")" = "660 root root" ] || die "socket is $(stat -c '%a %U %G' "$S")"
out=$(lctl "$S" nobody "$NOGROUP" 'DEVICES?\n')
[ "$out" = EACCES ] || die "nobody on a 0660 root:root socket: $out"
ok "socket 0660 root:root: nobody gets EACCES"

out=$(lctl "$S" 'DEVICES?\nHANDLERS?\n')
want=$'OK devices\n1\ns1\nOK handlers\n0\nOK bye'
[ "$out" = "$want" ] || die "DEVICES?/HANDLERS? as root: '$out'"
grep -q "control local (uid 0 pid [0-9]*): connected, authenticated by the socket" "$TMP/srv.log" ||
	die "the peer's uid and pid are not logged"
out=$(lctl "$S" 'HELLO wrong 1.0\nDEVICES?\n')
[ "$out" = $'OK 1.0\nOK devices\n1\ns1\nOK bye' ] || die "HELLO on the local socket: '$out'"
out=$(nsx srv timeout 5 python3 -c '
import socket; s = socket.create_connection(("127.0.0.1", 4455)); s.sendall(b"DEVICES?\n")
print(s.recv(200).decode().strip())')
[[ $out == "NOK not authenticated"* ]] || die "TCP without HELLO: '$out'"
ok "root: DEVICES? and HANDLERS? without a password, HELLO answered OK (wrong password ignored); TCP still wants HELLO"

# vnetclient without -h: the socket, no password asked, no clear-text warning
out=$(VNET_CONTROL="$S" timeout 10 "$VNET_BIN/vnetclient" -c devices </dev/null 2>&1) ||
	die "vnetclient on the socket: $out"
[ "$out" = s1 ] || die "vnetclient -c devices on the socket said: '$out'"
out=$(timeout 10 "$VNET_BIN/vnetclient" --control-socket "$S" --json -c handlers </dev/null 2>&1) ||
	die "vnetclient --control-socket --json: $out"
python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert d == {"handlers": []}, d' "$out" ||
	die "--json handlers on the socket: '$out'"
set +e
out=$(setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups env VNET_CONTROL="$S" \
	timeout 10 "$VNET_BIN/vnetclient" -c devices </dev/null 2>&1); rc=$?
set -e
[ $rc = 3 ] && [[ $out == *"$S"* ]] && [[ $out == *"ermission denied"* ]] ||
	die "vnetclient as nobody on the socket: rc=$rc '$out'"
ok "vnetclient without -h uses the socket (no password, no warning); nobody: exit 3, permission denied"

chmod 666 "$S"
out=$(lctl "$S" nobody "$NOGROUP" 'DEVICES?\n')
[ -z "$out" ] || die "nobody through a 0666 socket was answered: '$out'"
grep -q "control local (uid 65534 pid [0-9]*): refused: neither root nor in group 0" "$TMP/srv.log" ||
	die "no refusal logged for nobody"
chmod 660 "$S"
ok "a socket made 0666 by hand: nobody is still refused by the peer check (logged)"

out=$(nsx srv timeout 10 "$VNET_BIN/vnet" pw -h 127.0.0.1 -p 4456 -d s1 --control-socket "$S" 2>&1) &&
	die "a second vnet on a live socket started"
[[ $out == *"--control-socket $S: another vnet answers there"* ]] || die "second vnet said: $out"
[ -S "$S" ] && [ "$(lctl "$S" 'DEVICES?\n' | head -1)" = "OK devices" ] || die "the first vnet lost its socket"
ok "a second vnet on the same path: start-up error, the first keeps its socket"

stop_vnet srv
[ ! -e "$S" ] || die "socket left after exit"
ok "socket removed at exit"

# a crashed vnet's socket: the file stays, nobody answers
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$S"
[ -S "$S" ] || die "no stale socket made"
start_vnet srv srv pw -h 127.0.0.1 -p 4455 -d s1
wait_for 10 "the replaced socket" grep -q "replaced a stale one" "$TMP/srv.log"
wait_for 5 "an answer on it" test "$(lctl "$S" 'DEVICES?\n' | head -1)" = "OK devices"
stop_vnet srv
[ ! -e "$S" ] || die "socket left after exit"
echo x >"$TMP/plain"
out=$(nsx srv timeout 10 "$VNET_BIN/vnet" pw -h 127.0.0.1 -p 4456 -d s1 --control-socket "$TMP/plain" 2>&1) &&
	die "vnet started over a plain file"
[[ $out == *"exists and is not a socket"* ]] || die "over a plain file: $out"
[ "$(cat "$TMP/plain")" = x ] || die "the plain file was touched"
ok "a stale socket is replaced; a file that is not a socket is refused and left alone"

# --user nobody: the group is nobody's; the missing folder is made 0755 and
# the user's, so that the socket can be removed after the drop
U="$TMP/run-u/ctl"
start_vnet srv user pw -h 127.0.0.1 -p 4457 -d s1 --user nobody --state-dir "$TMP/state-u" \
	--control-socket "$U"
wait_for 10 "the drop" grep -q "privs: running as uid 65534" "$TMP/user.log"
[ "$(stat -c '%a %U %G' "$U")" = "660 root $(id -gn nobody)" ] || die "socket is $(stat -c '%a %U %G' "$U")"
[ "$(stat -c %a "$TMP/run-u")" = 755 ] || die "folder is $(stat -c %a "$TMP/run-u")"
out=$(lctl "$U" 12345 12345 'DEVICES?\n')
[ "$out" = EACCES ] || die "uid 12345 on the --user socket: $out"
out=$(lctl "$U" 12345 "$NOGROUP" 'DEVICES?\n')
[ "$out" = $'OK devices\n1\ns1\nOK bye' ] || die "a member of nobody's group: '$out'"
grep -q "control local (uid 12345 pid [0-9]*): connected" "$TMP/user.log" || die "uid 12345 not logged"
stop_vnet user
[ ! -e "$U" ] || die "socket left after exit under --user"
ok "--user nobody: socket root:$(id -gn nobody) 0660, its group may use it, another user gets EACCES; removed at exit"
finish
