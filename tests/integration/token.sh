#!/bin/sh
# tests/integration/token.sh - the cmocka module test, run twice on fresh
# tokens: with the module loaded directly, then through p11-kit-proxy.so.
set -u
. "$top_srcdir/tests/integration/token-env.sh"
token_setup || exit $?
trap token_teardown EXIT

echo "== mstoken-pkcs11.so loaded directly"
MSTOKEN_MODULE="$MODULE" "$top_builddir/tests/integration/test_token" || exit 1

echo "== a key set import leaves no secret text in freed memory"
token_reset || exit 99
MSTOKEN_MODULE="$MODULE" "$top_builddir/tests/integration/test_token_wipe"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 77 ] || exit 1

if [ -z "$P11KIT_PROXY" ] || [ ! -f "$P11KIT_PROXY" ]; then
	echo "p11-kit-proxy.so not found: proxy run skipped"
	exit 77
fi
token_reset || exit 99
echo "== through $P11KIT_PROXY"
MSTOKEN_MODULE="$P11KIT_PROXY" p11kit_only_ours "$top_builddir/tests/integration/test_token"
exit $?
