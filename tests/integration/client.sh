#!/bin/sh
# tests/integration/client.sh - libmikeysakke against the real module on a
# private SoftHSM2 with two mstoken slots (alice, bob).  Skipped (77) when
# the module or SoftHSM2 is not there.
set -u
MODULE="${MSTOKEN_MODULE:-$top_builddir/pkcs11/.libs/mstoken-pkcs11.so}"
. "$top_builddir/tests/integration/env.sh"
. "$top_srcdir/tests/softhsm-env.sh"
if [ ! -f "$MODULE" ]; then
	echo "SKIP: module $MODULE not built"
	exit 77
fi
if [ ! -f "$SOFTHSM2_MODULE" ]; then
	echo "SKIP: SoftHSM2 module $SOFTHSM2_MODULE not found"
	exit 77
fi
softhsm_setup mst-client || exit 99
trap softhsm_teardown EXIT
TC_TMP=$SOFTHSM_DIR
softhsm_mstoken_conf "$TC_TMP/mstoken.conf" alice bob || exit 99
MSTOKEN_CONF="$TC_TMP/mstoken.conf" MSTOKEN_MODULE="$MODULE"
export MSTOKEN_CONF MSTOKEN_MODULE TC_TMP
"$top_builddir/tests/integration/test_client_flows" || exit 1
# fresh backing tokens: each program provisions its own
rm -rf "$TC_TMP/tokens" && mkdir "$TC_TMP/tokens" || exit 99
echo "== every verified vendor I_MESSAGE through ms_accept"
"$top_builddir/tests/integration/test_client_interop"
