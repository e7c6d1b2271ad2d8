#!/bin/bash
# bench/vnat_resume.sh: the time from RESUME returning to the first new byte
# of a moved connection, in each direction, against the length of the
# outage before the move, with vnet's kick (vnat/kick) and without it
# (VNET_VNAT_KICK=no), in one run.  Each measurement is one run of the
# integration test t_vnat_kick.sh in its measuring mode: two interactive-like
# sessions (a line each way every 0.2 s, IPv4 and IPv6) through a router
# that drops silently, stateful firewalls on both hosts, the client moves
# and resumes.  "timer" is what ss showed left of TCP's retransmission timer
# just before RESUME (the server's for "down", the client's for "up"): when
# TCP would have sent again by itself.  A figure of at most 0.2 s is the
# period of the lines (a retransmission that arrived before RESUME
# returned shows as the next line).  Not a timed test.
#
#   OUTAGES="5 30 120" (seconds)  KEEP=DIR (the measurements' files)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUTAGES=${OUTAGES:-"5 30 120"}
for o in $OUTAGES; do
	[[ $o =~ ^[0-9]+$ ]] && [ "$o" -ge 5 ] || { echo "bench: bad outage '$o' (5 s or more)" >&2; exit 1; }
done
DIR=${KEEP:-$(mktemp -d /tmp/vnat-resume.XXXXXX)}
mkdir -p "$DIR"
for o in $OUTAGES; do
	for k in on off; do
		f="$DIR/$o.$k"
		: >"$f"
		echo "bench: outage ${o} s, kick $k ..." >&2
		if ! KICK_OUTAGE=$o KICK_MEASURE=$f VNET_NS_PREFIX=vbr \
		    VNET_VNAT_KICK=$([ $k = on ] && echo yes || echo no) \
		    bash "$HERE/../test/integration/t_vnat_kick.sh" >"$f.log" 2>&1; then
			echo "bench: outage ${o} s, kick $k failed (log $f.log)" >&2
		fi
	done
done
# the table: one row per outage and kick setting
printf '| outage | kick | IPv4 down | IPv4 up | IPv6 down | IPv6 up | TCP timer (IPv4 down/up, IPv6 down/up) |\n'
printf '|---|---|---|---|---|---|---|\n'
for o in $OUTAGES; do
	for k in on off; do
		awk -v o="$o" -v k="$k" '
			{ t[$1 " " $2] = $3 " s"; m[$1 " " $2] = sprintf("%.1f s", $4 / 1000) }
			END {
				split("v4 down,v4 up,v6 down,v6 up", c, ",")
				printf "| %s s | %s |", o, k
				for (i = 1; i <= 4; i++) printf " %s |", (c[i] in t) ? t[c[i]] : "failed"
				printf " %s / %s, %s / %s |\n", m["v4 down"], m["v4 up"], m["v6 down"], m["v6 up"]
			}' "$DIR/$o.$k"
	done
done
echo "(files in $DIR)" >&2
