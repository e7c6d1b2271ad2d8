# shellcheck shell=bash
# What both parts of make demo share (scripts/demo.sh, scripts/demo-vnat.sh,
# each setting T_SUFFIX first for its namespaces' names): the namespace
# helpers of the tests, the root check, and how the story is printed.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VNET_BIN=${VNET_BIN:-$ROOT/bin} VNET_TOOLS=${VNET_TOOLS:-$ROOT/build/test}
. "$ROOT/test/integration/lib.sh"
[ "$(id -u)" = 0 ] || { echo "make demo needs root (it creates network namespaces)" >&2; exit 1; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '   $ %s\n' "$*"; }
indent() { sed 's/^/     /'; }
