#!/bin/sh
# tests/integration/token-conformance.sh - test_token_conformance (the
# rules of issue 11 and those google/pkcs11test exposed) on fresh slots,
# the module loaded directly.  MSTOKEN_TEST_BACKEND=tpm: tpm-backed slots.
set -u
. "$top_srcdir/tests/integration/token-env.sh"
token_setup || exit $?
trap token_teardown EXIT
MSTOKEN_MODULE="$MODULE" "$top_builddir/tests/integration/test_token_conformance"
