#!/bin/sh
# tests/integration/token-kms.sh - test_token_kms (the token side of the KMS
# interface) on fresh slots "alice" and "bob", bob with
# require_encrypted_keys = yes (MSTOKEN_TEST_BACKEND picks SoftHSM2 or tpm).
set -u
. "$top_srcdir/tests/integration/token-env.sh"
token_setup || exit $?
trap token_teardown EXIT
# bob is the last [slot] of the file: the key lands in its section
echo "require_encrypted_keys = yes" >> "$MSTOKEN_CONF" || exit 99
MSTOKEN_MODULE="$MODULE" "$top_builddir/tests/integration/test_token_kms"
