# shellcheck shell=bash
# bench/target.sh: the target lines of every benchmark, in one place, so
# that "met" always means something was measured.  Sourced by the bench
# scripts (bash), or run: bash bench/target.sh DESC VALUE CONDITION [SHOWN]
#
#   bench_target DESC VALUE CONDITION [SHOWN]
#     target: DESC: met (SHOWN)      VALUE is a number and CONDITION holds
#     target: DESC: NOT met (SHOWN)  measured and missed: a number that
#                                    fails CONDITION, or a word ("timeout")
#     target: DESC: not measured     no VALUE: "", "-", or nan/inf (a ratio
#                                    of nothing)
#   CONDITION is an awk expression on v ("v >= 97"); SHOWN defaults to VALUE.
#
#   bench_ratio A B: 100 * A / B with one decimal, "-" unless both are
#   numbers and B is not 0

bench_num() { [[ $1 =~ ^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$ ]]; }

bench_target() {
	local desc=$1 v=$2 cond=$3 shown=${4-$2}
	case ${v,,} in
	"" | - | nan | -nan | +nan | inf | -inf | +inf)
		printf 'target: %s: not measured\n' "$desc"
		return 0 ;;
	esac
	if bench_num "$v" && awk -v v="$v" "BEGIN { exit !($cond) }"; then
		printf 'target: %s: met (%s)\n' "$desc" "$shown"
	else
		printf 'target: %s: NOT met (%s)\n' "$desc" "$shown"
	fi
}

bench_ratio() {
	if bench_num "$1" && bench_num "$2" && awk -v b="$2" 'BEGIN { exit !(b != 0) }'; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", 100 * a / b }'
	else
		echo -
	fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -ge 3 ] || { echo "usage: bench/target.sh DESC VALUE CONDITION [SHOWN]" >&2; exit 2; }
	bench_target "$@"
fi
