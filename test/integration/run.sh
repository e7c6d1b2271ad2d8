#!/bin/bash
# Runs the namespace integration tests (all t_*.sh, or the ones named) and
# prints "N passed, N failed".  Each test runs under a time limit and must
# leave no namespace, process or nftables table behind.  A failed test is
# run once more (RETRY=0: not); one that passes then counts as passed but is
# shown as FLAKY, with its first failure, and listed before the summary.
set -u
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "integration tests need root (network namespaces)" >&2; exit 1; }
export VNET_BIN=${VNET_BIN:-$(cd ../.. && pwd)/bin}
export VNET_TOOLS=${VNET_TOOLS:-$(cd ../.. && pwd)/build/test}
if [ $# -gt 0 ]; then tests=("$@"); else tests=(t_*.sh); fi
# this run's namespaces only: vr<pid>..., so that what is left behind is
# counted (and removed) without touching another run's or a bench's
export VNET_NS_PREFIX="vr$$"
pass=0 fail=0 failed=() flaky=()
# one run of test $1: its output in $out, rc and leftover set
run_one() {
	timeout -k 10 300 bash "$1" >"$out" 2>&1
	rc=$?
	leftover=$(ip netns list | grep -c "^$VNET_NS_PREFIX" || true)
}
for t in "${tests[@]}"; do
	t=${t%.sh}.sh
	start=$SECONDS
	out=$(mktemp)
	run_one "$t"
	# a test that fails is run once more (RETRY=0: not): one that then
	# passes is FLAKY, its first failure shown, and listed at the end; a
	# timing test on a loaded machine should not fail the whole run, nor
	# should its flakiness go unseen
	if { [ $rc -ne 0 ] || [ "$leftover" != 0 ]; } && [ "${RETRY:-1}" != 0 ]; then
		first=$(mktemp)
		mv "$out" "$first"
		out=$(mktemp)
		ip netns list | grep "^$VNET_NS_PREFIX" | cut -d' ' -f1 | xargs -r -n1 ip netns del
		run_one "$t"
		if [ $rc -eq 0 ] && [ "$leftover" = 0 ]; then
			flaky+=("${t%.sh}")
			printf 'FLAKY %-27s failed once, passed on the retry; the failure:\n' "${t%.sh}"
			sed 's/^/    /' "$first"
		fi
		rm -f "$first"
	fi
	if [ $rc -eq 0 ] && [ "$leftover" = 0 ]; then
		pass=$((pass + 1))
		printf 'PASS %-28s %3ds\n' "${t%.sh}" $((SECONDS - start))
		[ -n "${VERBOSE:-}" ] && cat "$out"
	else
		fail=$((fail + 1))
		failed+=("${t%.sh}")
		printf 'FAIL %-28s %3ds (exit %d, %s namespaces left)\n' "${t%.sh}" \
			$((SECONDS - start)) $rc "$leftover"
		sed 's/^/    /' "$out"
		ip netns list | grep "^$VNET_NS_PREFIX" | cut -d' ' -f1 | xargs -r -n1 ip netns del
	fi
	rm -f "$out"
done
echo
[ ${#flaky[@]} = 0 ] || echo "flaky (passed on the retry): ${flaky[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
