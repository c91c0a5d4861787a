#!/bin/sh
# tests/integration/attacks-tpm.sh - attacks.sh (items 2, 3, 5, 7, 8) on
# tpm-backed slots of a private swtpm.  Skipped (77) without swtpm.
MSTOKEN_TEST_BACKEND=tpm
export MSTOKEN_TEST_BACKEND
exec "$top_srcdir/tests/integration/attacks.sh"
