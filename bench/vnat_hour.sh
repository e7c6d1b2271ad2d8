#!/bin/bash
# bench/vnat_hour.sh: does an ssh session outlive a long suspension?  An ssh
# session with ssh's and sshd's default settings (sshd in the server's
# namespace with a host key and a config of its own in a temporary
# directory, key authentication with a temporary key) runs a command that
# prints a numbered line every second, so sshd always has unacknowledged
# data while the client is away.  The client's host runs `vnetclient
# suspend`, its network goes silent (a router that drops without a word) for
# the hold time, then the host comes up on another LAN and runs RESUME.
# Reported: whether the session survived, the time from RESUME returning to
# the first line held back by the outage (and from RESUME being called),
# and lines lost or out of order.  Stateful firewalls on
# both hosts, as in the VNAT tests.  Not a timed test.
#
# The peer's migration helper for suspended connections: the binary's
# default when that is keepalive (`helpers` lists "* keepalive" without any
# option), otherwise --vnat-helper '*=keepalive' is passed; the line
# "helper:" says which.  --helper MODE passes --vnat-helper '*=MODE'.
# --retries2 N sets net.ipv4.tcp_retries2 in the server's namespace (the
# control case: --hold 60 --helper none --retries2 5 must die).
#
#   bench/vnat_hour.sh [--hold SECONDS (3600)] [--helper MODE] [--retries2 N]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
HOLD=3600 HELPER='' RETRIES2=''
while [ $# -gt 0 ]; do
	case $1 in
	--hold) HOLD=$2; shift 2 ;;
	--helper) HELPER=$2; shift 2 ;;
	--retries2) RETRIES2=$2; shift 2 ;;
	*) echo "usage: $0 [--hold SECONDS] [--helper MODE] [--retries2 N]" >&2; exit 2 ;;
	esac
done
[[ $HOLD =~ ^[0-9]+$ ]] && [ "$HOLD" -ge 5 ] || { echo "bench: bad hold '$HOLD' (5 s or more)" >&2; exit 2; }
[ -z "$RETRIES2" ] || [[ $RETRIES2 =~ ^[0-9]+$ ]] || { echo "bench: bad --retries2 '$RETRIES2'" >&2; exit 2; }
for b in /usr/sbin/sshd ssh ssh-keygen; do
	command -v $b >/dev/null || { echo "bench: $b missing (scripts/install-deps.sh)" >&2; exit 1; }
done
VNET_NS_PREFIX=vbh . "$(dirname "$0")/../test/integration/lib.sh"

vnat_topo_up
stateful_fw cli '{ 4455, 2031 }'
stateful_fw srv '{ 4455, 2031, 22 }'
[ -z "$RETRIES2" ] || nsx srv sysctl -qw net.ipv4.tcp_retries2="$RETRIES2"

# the peer's helper: the binary's default, or the option
start_vnet cli cli pwc -h _ -p 4455 --vnat
if [ -z "$HELPER" ]; then
	start_vnet srv probe pws -h _ -p 4455 --vnat
	wait_for 10 "the server's vnet (probe)" port_open srv 127.0.0.1 4455
	if vs -c helpers | grep -q '^\* keepalive'; then
		HOW="keepalive (the binary's default)"
	else
		HELPER=keepalive HOW="keepalive (--vnat-helper '*=keepalive': the binary's default is not keepalive)"
	fi
	stop_vnet probe
else
	HOW="$HELPER (--vnat-helper '*=$HELPER')"
fi
start_vnet srv srv pws -h _ -p 4455 --vnat ${HELPER:+--vnat-helper "*=$HELPER"}
wait_for 10 "client's vnet" port_open cli 127.0.0.1 4455
wait_for 10 "server's vnet" port_open srv 127.0.0.1 4455
wait_for 10 "server's VCMP" port_open cli 198.18.2.20 2031
[ "$(vc -c vadd -n ssh)" = "added ssh" ] || die "vadd ssh"
log "helper: $HOW; peer's helpers: $(vs -c helpers | tr '\n' ' ')"
log "tcp_retries2 in the server's namespace: $(nsx srv sysctl -n net.ipv4.tcp_retries2)"

# sshd with its defaults but for the files it needs, and a key for root
S=$TMP/ssh
mkdir -m 700 "$S"
mkdir -p /run/sshd	# sshd's privilege separation directory
ssh-keygen -q -t ed25519 -N '' -f "$S/host" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$S/user" </dev/null
cp "$S/user.pub" "$S/authorized_keys"
cat >"$S/sshd_config" <<EOF
ListenAddress 198.18.2.20
HostKey $S/host
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
StrictModes no
EOF
nsx srv /usr/sbin/sshd -D -e -f "$S/sshd_config" 2>"$TMP/sshd.log" &
PIDS+=($!)
wait_for 10 "sshd listening" ss_has srv -tln "sport = :22"

# the session: a line a second for the hold plus 5 minutes; each line
# logged with the time it arrived.  Not BatchMode: on Debian that sets
# ServerAliveInterval 300 (ssh_config(5)), and ssh gives up by itself after
# 15 minutes without an answer; an interactive user's default is 0.
LINES=$((HOLD + 300))
nsx cli timeout $((LINES + 60)) ssh -n -F /dev/null -i "$S/user" -o IdentitiesOnly=yes \
	-o UserKnownHostsFile="$S/known_hosts" -o StrictHostKeyChecking=accept-new -o PreferredAuthentications=publickey \
	root@198.18.2.20 "i=0; while [ \$i -lt $LINES ]; do i=\$((i + 1)); echo \$i; sleep 1; done" \
	2>"$TMP/ssh.err" | while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >"$TMP/lines" &
SSH=$!
PIDS+=("$SSH")
lines() { [ "$(wc -l <"$TMP/lines")" -ge "$1" ]; }
wait_for 20 "lines from the session" lines 3
sport=$(nsx cli ss -Htn state established "dport = :22" | awk '{print $3}' | sed 's/.*://')
[ -n "$sport" ] || die "no ssh connection on the client"
ok "ssh session up (client port $sport), a line a second"

out=$(vc -c suspend) || die "SUSPEND: $out"
[[ $out == "suspended 1 connection(s); 1 of 1 peer(s) told, 1 connection(s) confirmed" ]] ||
	die "SUSPEND said: $out"
log "SUSPEND: $out"
nsx rtr nft -f - <<'NFT'
table inet cut {
	chain forward { type filter hook forward priority 0; iifname "l1" drop; oifname "l1" drop; }
}
NFT
n0=$(wc -l <"$TMP/lines")
t_cut=$EPOCHREALTIME
log "path dead for $HOLD s from $(date -u +%T) (lines so far: $n0)"
# hold, looking every 10 s at the server's side of the connection (logged
# each minute and when it changes)
end=$((SECONDS + HOLD)) dead='' was=ESTAB i=0
while [ $SECONDS -lt $end ]; do
	sleep $((end - SECONDS < 10 ? end - SECONDS : 10))
	i=$((i + 1))
	st=$(nsx srv ss -Htn "sport = :22 and dport = :$sport" | awk '{print $1}')
	[ -n "$st" ] || dead=${dead:-$((SECONDS - end + HOLD))}
	[ "${st:-gone}" != "$was" ] || [ $((i % 6)) = 0 ] &&
		log "$(date -u +%T): $((SECONDS - end + HOLD)) s: server's socket: ${st:-gone}"
	was=${st:-gone}
done

nsx rtr nft delete table inet cut
move_host cli 198.18.1.10 198.18.3.10 198.18.3.1
srv_state=$(nsx srv ss -Htn "sport = :22 and dport = :$sport" | awk '{print $1}')
t_call=$EPOCHREALTIME
out=$(vc -c resume) || out="RESUME failed: $out"
t0=$EPOCHREALTIME
log "RESUME: $out"
# the first line after the cut (held back by the outage): its time from
# RESUME returning (negative: it came while RESUME ran, after the peer's
# kick) and from RESUME being called
first='' fcall=''
for _ in $(seq 1200); do	# at most 120 s
	read -r first fcall fline < <(awk -v n0="$n0" -v t0="$t0" -v tc="$t_call" \
		'NR == n0 + 1 { printf "%.3f %.3f %d\n", $1 - t0, $1 - tc, $2 }' "$TMP/lines") || true
	[ -n "$first" ] && break
	kill -0 $SSH 2>/dev/null || break
	sleep 0.1
done
sleep 5	# the lines queued during the hold, and a few new ones
# lines after the cut: every number once, in order, up to the last one
read -r got lost disorder last < <(awk -v n0="$n0" 'NR > n0 {
		if (prev && $2 != prev + 1) { if ($2 > prev + 1) lost += $2 - prev - 1; else dis++ }
		prev = $2; got++ }
	END { printf "%d %d %d %d\n", got, lost, dis, prev }' "$TMP/lines")
alive=no
kill -0 $SSH 2>/dev/null && [ -n "$first" ] && alive=yes
res=$(sed -n 's/^resumed \([0-9]*\) of \([0-9]*\) .*/\1 of \2/p' <<<"$out")

printf '| hold | peer helper | tcp_retries2 (peer) | RESUME | session survived | first line after the cut, from RESUME returning (from RESUME called) | lines after the cut | lost | out of order |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
printf '| %s s | %s | %s | %s | %s | %s | %d (to line %d) | %d | %d |\n' "$HOLD" "${HOW%% *}" \
	"$(nsx srv sysctl -n net.ipv4.tcp_retries2)" "${res:-failed}" "$alive" \
	"$([ -n "$first" ] && echo "$first s ($fcall s; line $fline)" || echo none)" "$got" "$last" "$lost" "$disorder"
log "server's socket just before RESUME: ${srv_state:-gone}${dead:+ (gone at about $dead s)}"
[ $alive = no ] && log "ssh: $(tail -n 2 "$TMP/ssh.err" | tr '\n' ' ')"
log "cut at $t_cut; RESUME returned at $t0"
log "kicks: client's vnet: $(grep -c 'kicked' "$TMP/cli.log") logged, server's: $(grep -c 'kicked' "$TMP/srv.log") logged"
kill $SSH 2>/dev/null || true
[ $alive = yes ] || exit 3
finish
