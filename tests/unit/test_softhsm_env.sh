#!/bin/sh
# tests/unit/test_softhsm_env.sh - tests/softhsm-env.sh gives a private
# SoftHSM2 that softhsm2-util really uses, and removes it afterwards.
. "$top_builddir/tests/integration/env.sh"
. "$top_srcdir/tests/softhsm-env.sh"
[ -n "$SOFTHSM2_UTIL" ] || { echo "softhsm2-util not found: skipped"; exit 77; }

fail() { echo "FAIL: $*"; exit 1; }

softhsm_setup || fail "softhsm_setup"
dir=$SOFTHSM_DIR
trap softhsm_teardown EXIT
[ "$SOFTHSM2_CONF" = "$dir/softhsm2.conf" ] || fail "SOFTHSM2_CONF not exported"
grep -q "^directories.tokendir = $dir/tokens\$" "$SOFTHSM2_CONF" || fail "tokendir"
grep -q '^library.reset_on_fork = true$' "$SOFTHSM2_CONF" || fail "reset_on_fork"
"$SOFTHSM2_UTIL" --init-token --free --label envtest --so-pin 12345678 --pin 1234 \
	>/dev/null || fail "init-token in the private SoftHSM2"
ls "$dir/tokens" | grep -q . || fail "no token files in $dir/tokens"
"$SOFTHSM2_UTIL" --show-slots | grep -q 'Label:.*envtest' || fail "token not listed"
softhsm_teardown
[ ! -d "$dir" ] || fail "$dir left behind"
[ -z "${SOFTHSM2_CONF:-}" ] || fail "SOFTHSM2_CONF still set"
softhsm_teardown    # twice is harmless (EXIT trap after an explicit call)
echo "PASS: softhsm-env.sh"
