#!/bin/sh
# tests/integration/token-conformance-tpm.sh - token-conformance.sh on
# tpm-backed slots of a private swtpm.  Skipped (77) without swtpm.
MSTOKEN_TEST_BACKEND=tpm
export MSTOKEN_TEST_BACKEND
exec "$top_srcdir/tests/integration/token-conformance.sh"
