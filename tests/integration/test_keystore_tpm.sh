#!/bin/bash
# tests/integration/test_keystore_tpm.sh - run test_keystore_tpm against two
# private swtpm instances (the second one for the "store moved to another
# TPM" case); skipped (77) when swtpm is not installed.
set -eu
. "$(dirname "$0")/swtpm-env.sh"
swtpm_require

swtpm_start
MST_TPM_TCTI=$SWTPM_TCTI
swtpm_start
MST_TPM_TCTI2=$SWTPM_TCTI
MST_TPM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mst-tpmstore.XXXXXX")
trap 'swtpm_stop_all; rm -rf "$MST_TPM_DIR"' EXIT
export MST_TPM_TCTI MST_TPM_TCTI2 MST_TPM_DIR
# tpm2-tss logs every TPM error it passes on; the tests provoke many
export TSS2_LOG=${TSS2_LOG:-all+NONE}
"${top_builddir:-$(dirname "$0")/../..}/tests/integration/test_keystore_tpm"
