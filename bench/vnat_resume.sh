#!/bin/bash
# bench/vnat_resume.sh: the time from RESUME returning to the first new byte
# of a moved connection, in each direction, against the length of the
# outage before the move, with vnet's kick (vnat/kick) and without it
# (VNET_VNAT_KICK=no), next to Mosh, in one run.  Each vnet measurement is
# one run of the integration test t_vnat_kick.sh in its measuring mode: two
# interactive-like sessions (a line each way every 0.2 s, IPv4 and IPv6)
# through a router that drops silently, stateful firewalls on both hosts,
# the client moves and resumes.  Outages of --suspend-from seconds or more
# (600) are preceded by SUSPEND, as a user who knows they go offline would
# do (TCP would give up on its own after about 15 minutes).  "timer" is what
# ss showed left of TCP's retransmission timer just before RESUME (the
# server's for "down", the client's for "up"): when TCP would have sent
# again by itself; without the kick that is the baseline.  A figure of at
# most 0.2 s is the period of the lines (a retransmission that arrived
# before RESUME returned shows as the next line).
#
# Mosh (bench/vnat_mosh.sh): the same topology, outage and move; mosh-server
# prints a counter every 0.2 s, the time is from the path being back (the
# move done; Mosh has no RESUME) to the first screen with a higher counter,
# server -> client only (the "down" column).
#
# The three cases of one outage (kick on, kick off, Mosh) run at the same
# time, each in namespaces of its own (the run takes about the sum of the
# outages, not three times it); --serial runs them one after another.  Not
# a timed test.
#
#   bench/vnat_resume.sh [--outages 5,30,120,600] [--suspend-from 600]
#                        [--no-mosh] [--serial] [--keep DIR] [--table-only]
#   (--table-only: the table of the files a run with --keep DIR left)
set -euo pipefail
. "$(dirname "$0")/target.sh"
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUTAGES="5 30 120 600" SUSPEND_FROM=600 MOSH=yes SERIAL='' DIR='' TABLE_ONLY=''
while [ $# -gt 0 ]; do
	case $1 in
	--outages) OUTAGES=${2//,/ }; shift 2 ;;
	--suspend-from) SUSPEND_FROM=$2; shift 2 ;;
	--no-mosh) MOSH=; shift ;;
	--serial) SERIAL=yes; shift ;;
	--keep) DIR=$2; shift 2 ;;
	--table-only) TABLE_ONLY=yes; shift ;;
	*) sed -n 's/^#   //p' "$0" >&2; exit 2 ;;
	esac
done
for o in $OUTAGES $SUSPEND_FROM; do
	[[ $o =~ ^[0-9]+$ ]] && [ "$o" -ge 5 ] || { echo "bench: bad outage '$o' (5 s or more)" >&2; exit 1; }
done
[ -z "$MOSH" ] || command -v mosh-server >/dev/null ||
	{ echo "bench: mosh missing (scripts/install-deps.sh; or --no-mosh)" >&2; exit 1; }
DIR=${DIR:-$(mktemp -d /tmp/vnat-resume.XXXXXX)}
mkdir -p "$DIR"
JOBS=()
trap 'for j in "${JOBS[@]}"; do kill -TERM "$j" 2>/dev/null || true; done; wait; exit 130' INT TERM

# one case: NAME and the command; in the background unless --serial
run_case() {
	local f=$1; shift
	: >"$f"
	if [ -n "$SERIAL" ]; then
		"$@" >"$f.log" 2>&1 || echo "bench: $(basename "$f") failed (log $f.log)" >&2
	else
		{ "$@" >"$f.log" 2>&1 || echo "bench: $(basename "$f") failed (log $f.log)" >&2; } &
		JOBS+=($!)
	fi
}
[ -z "$TABLE_ONLY" ] || [ -n "$DIR" ] || { echo "bench: --table-only needs --keep DIR" >&2; exit 2; }
for o in $OUTAGES; do
	[ -z "$TABLE_ONLY" ] || break
	sus=no
	[ "$o" -ge "$SUSPEND_FROM" ] && sus=yes
	echo "bench: $(date -u +%T) outage ${o} s (SUSPEND first: $sus): kick on, kick off${MOSH:+, Mosh} ..." >&2
	for k in on off; do
		run_case "$DIR/$o.$k" env KICK_OUTAGE="$o" KICK_MEASURE="$DIR/$o.$k" KICK_SUSPEND=$sus \
			VNET_NS_PREFIX=vbr VNET_VNAT_KICK="$([ $k = on ] && echo yes || echo no)" \
			bash "$HERE/../test/integration/t_vnat_kick.sh"
	done
	[ -z "$MOSH" ] || run_case "$DIR/$o.mosh" bash "$HERE/vnat_mosh.sh" "$o" "$DIR/$o.mosh"
	for j in "${JOBS[@]}"; do wait "$j" || true; done
	JOBS=()
done

# the table: one row per outage and case
printf '| outage | case | IPv4 down | IPv4 up | IPv6 down | IPv6 up | TCP timer (IPv4 down/up, IPv6 down/up) |\n'
printf '|---|---|---|---|---|---|---|\n'
for o in $OUTAGES; do
	sus=
	[ "$o" -ge "$SUSPEND_FROM" ] && sus=", SUSPEND first"
	for k in on off ${MOSH:+mosh}; do
		case $k in
		on) name="vnet, kick$sus" ;;
		off) name="vnet, no kick (baseline)$sus" ;;
		mosh) name="Mosh (from the path's return)" ;;
		esac
		awk -v o="$o" -v name="$name" -v mosh="$([ $k = mosh ] && echo 1 || echo 0)" '
			{ t[$1 " " $2] = $3 " s"; if (NF > 3) m[$1 " " $2] = sprintf("%.1f s", $4 / 1000) }
			END {
				split("v4 down,v4 up,v6 down,v6 up", c, ",")
				printf "| %s s | %s |", o, name
				for (i = 1; i <= 4; i++)
					printf " %s |", (c[i] in t) ? t[c[i]] : (mosh && i > 1) ? "-" : "failed"
				if (mosh) printf " - |\n"
				else printf " %s / %s, %s / %s |\n", m["v4 down"], m["v4 up"], m["v6 down"], m["v6 up"]
			}' "$DIR/$o.$k"
	done
done
# the goal: a round trip + 0.1 s; here the round trip is well under 1 ms and
# a line goes every 0.2 s, so a figure of at most 0.2 s meets it
worst=$(for o in $OUTAGES; do cat "$DIR/$o.on"; done | awk '{ if ($3 > w) w = $3; n++ }
	END { if (n == 4 * '"$(echo $OUTAGES | wc -w)"') print w + 0; else print "-" }')
echo
bench_target "the kick: first new byte within a round trip + 0.1 s of RESUME, every outage, both directions, IPv4 and IPv6 (<= 0.2 s at this resolution)" \
	"$worst" "v <= 0.2" "worst $worst s"
echo "(files in $DIR)" >&2
