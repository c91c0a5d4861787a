#!/bin/sh
# tests/integration/token-kms-tpm.sh - token-kms.sh on tpm-backed slots of
# a private swtpm.  Skipped (77) without swtpm.
MSTOKEN_TEST_BACKEND=tpm
export MSTOKEN_TEST_BACKEND
exec "$top_srcdir/tests/integration/token-kms.sh"
