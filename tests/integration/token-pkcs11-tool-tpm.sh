#!/bin/sh
# tests/integration/token-pkcs11-tool-tpm.sh - token-pkcs11-tool.sh on a
# tpm-backed slot: key sets issued by the independent reference KMS,
# provisioned with pkcs11-tool, sign and decapsulate inside the TPM
# store.  Skipped (77) without swtpm.
MSTOKEN_TEST_BACKEND=tpm
export MSTOKEN_TEST_BACKEND
exec "$top_srcdir/tests/integration/token-pkcs11-tool.sh"
