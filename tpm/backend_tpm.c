/* tpm/backend_tpm.c - TPM 2.0 keystore backend.
 *
 * Not implemented yet (issue 4): every operation answers
 * MST_ERR_UNSUPPORTED, so a slot configured with "backend = tpm" fails
 * clearly at open instead of pretending to seal anything.
 */
#include "token/keystore.h"

static mst_rc tpm_open(const mst_slot_config *cfg, void **be)
{
	(void)cfg;
	*be = NULL;
	return MST_ERR_UNSUPPORTED;
}

static void tpm_close(void *be)
{
	(void)be;
}

const keystore_backend keystore_backend_tpm = {
	.name = "tpm",
	.open = tpm_open,
	.close = tpm_close,
};
