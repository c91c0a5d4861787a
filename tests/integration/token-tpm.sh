#!/bin/sh
# tests/integration/token-tpm.sh - token.sh (the cmocka module test,
# directly and through p11-kit-proxy.so) on tpm-backed slots of a private
# swtpm: the same test body as on SoftHSM2.  Skipped (77) without swtpm.
MSTOKEN_TEST_BACKEND=tpm
export MSTOKEN_TEST_BACKEND
exec "$top_srcdir/tests/integration/token.sh"
