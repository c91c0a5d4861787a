# tests/integration/tap.sh - the TAP helpers of the integration scripts
# (sourced): one "ok N - DESC" or "not ok N - DESC" line per check, then
# tap_finish prints the plan "1..N" and exits 1 when any check failed.

TAP_COUNT=0
TAP_FAILED=0

pass() { TAP_COUNT=$((TAP_COUNT + 1)); echo "ok $TAP_COUNT - $1"; }
failed() { TAP_COUNT=$((TAP_COUNT + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_COUNT - $1"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	tap_desc=$1; shift
	if "$@"; then pass "$tap_desc"; else failed "$tap_desc"; fi
}

tap_finish() {
	echo "1..$TAP_COUNT"
	[ "$TAP_FAILED" -eq 0 ] || { echo "$TAP_FAILED of $TAP_COUNT failed"; exit 1; }
	exit 0
}
