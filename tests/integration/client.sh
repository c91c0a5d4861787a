#!/bin/sh
# tests/integration/client.sh - libmikeysakke against the real module on a
# private SoftHSM2 with two mstoken slots (alice, bob).  Skipped (77) when
# the module or SoftHSM2 is not there.
set -u
MODULE="${MSTOKEN_MODULE:-$top_builddir/pkcs11/.libs/mstoken-pkcs11.so}"
. "$top_builddir/tests/integration/env.sh"
if [ ! -f "$MODULE" ]; then
	echo "SKIP: module $MODULE not built"
	exit 77
fi
if [ ! -f "$SOFTHSM2_MODULE" ]; then
	echo "SKIP: SoftHSM2 module $SOFTHSM2_MODULE not found"
	exit 77
fi
TC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mst-client-XXXXXX") || exit 99
trap 'rm -rf "$TC_TMP"' EXIT
mkdir "$TC_TMP/tokens" || exit 99
cat > "$TC_TMP/softhsm2.conf" <<CONF || exit 99
directories.tokendir = $TC_TMP/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
library.reset_on_fork = true
CONF
: > "$TC_TMP/mstoken.conf"
for who in alice bob; do
	printf '[slot]\nlabel = %s\nbackend = pkcs11\npkcs11.module = %s\npkcs11.token = %s-store\n\n' \
		"$who" "$SOFTHSM2_MODULE" "$who" >> "$TC_TMP/mstoken.conf" || exit 99
done
SOFTHSM2_CONF="$TC_TMP/softhsm2.conf" MSTOKEN_CONF="$TC_TMP/mstoken.conf" MSTOKEN_MODULE="$MODULE" TC_TMP="$TC_TMP"
export SOFTHSM2_CONF MSTOKEN_CONF MSTOKEN_MODULE TC_TMP
"$top_builddir/tests/integration/test_client_flows" || exit 1
# fresh backing tokens: each program provisions its own
rm -rf "$TC_TMP/tokens" && mkdir "$TC_TMP/tokens" || exit 99
echo "== every verified vendor I_MESSAGE through ms_accept"
exec "$top_builddir/tests/integration/test_client_interop"
