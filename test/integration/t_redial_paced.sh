#!/bin/bash
# A proxy that sets up many handlers at once (as after an outage, when a
# script redials them all) paces its dials, so the second server's cap on
# unauthenticated connections per source (here 8, as tight as the pacing)
# costs none of them.  Over TLS, where a connection stays unauthenticated
# for the handshake too.  The seed's topology (lib.sh).
. "$(dirname "$0")/lib.sh"
topo_up
HOST_DEVS="--max-unauth-per-source 8" servers_up -s
if [ -n "${VNET_SANITIZED:-}" ]; then N=12; else N=24; fi

for i in $(seq 1 $N); do
	client cli -s -q -p "$PW_P" -h 198.18.42.2 -c handle -b "$PW_H" -d 198.18.44.2 -e eth0 -f vmnet1 \
		-g local -j "$(printf '02:00:00:00:43:%02x' "$i")" >"$TMP/h$i.out" 2>&1 &
	eval "HP$i=$!"
done
bad=0
for i in $(seq 1 $N); do
	eval "p=\$HP$i"
	wait "$p" || { bad=$((bad + 1)); log "handle $i: $(cat "$TMP/h$i.out")"; }
done
[ $bad = 0 ] || die "$bad of $N HANDLEs made at once failed"
n=$(handlers cli 198.18.44.2 "$PW_H" -s | wc -l)
[ "$n" = $N ] || die "the second server has $n handlers, want $N"
! grep -q "too many unauthenticated connections" "$TMP/host.log" || die "the second server dropped a dial"
ok "$N HANDLEs at once over TLS: all established, none dropped by the per-source cap of 8"
finish
