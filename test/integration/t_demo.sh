#!/bin/bash
# make demo tells the story and nothing else: no compiler line, every step
# of both parts (the seed's example, then a VNAT move) reached, and nothing
# left behind.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$TMP/demo.out
# the demo's own namespaces start with this run's prefix (run.sh counts them)
# as a user types it: not as a sub-make of make check (which prints its directories)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" demo >"$out" 2>&1 || { cat "$out" >&2; die "make demo failed"; }
! grep -Eq '(^| )(cc|gcc|clang) |make\[[0-9]+\]|apt-get|^Get:|^Setting up ' "$out" ||
	die "make demo shows build or install output: $(grep -E '(cc|gcc) |make\[' "$out" | head -2)"
for step in "Before vnet: the VM is alone" "The VM is on the 42 LAN now" "20971520 bytes arrived, sha256 equal" \
    "VNAT: a laptop on LAN 1" "resumed 1 of 1 connection(s)" "none lost, none twice, one TCP connection"; do
	grep -qF "$step" "$out" || { cat "$out" >&2; die "make demo did not show: $step"; }
done
ok "make demo: only the story, both parts"
left=$(ip netns list | grep -c "^${VNET_NS_PREFIX:-vt}[0-9]*dem" || true)
[ "$left" = 0 ] || die "make demo left $left namespaces"
ok "nothing left behind"
