#!/bin/sh
# tests/integration/provision-tpm.sh - provision.sh on tpm-backed slots of a
# private swtpm (a fresh TPM-backed token provisioned by the KMS server).
MSTOKEN_TEST_BACKEND=tpm
export MSTOKEN_TEST_BACKEND
exec "$top_srcdir/tests/integration/provision.sh"
