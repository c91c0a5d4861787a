/* tpm/tpm_backend_so.c - the SO PIN's wrong-try counter.
 *
 * The SO object is noDA so that the SO can recover while the TPM is in
 * dictionary-attack lockout; the price is that the TPM does not count
 * wrong SO PINs.  The store does, in a public file: after
 * TPM_SO_MAX_TRIES wrong ones in a row the SO PIN is locked for good (as
 * in the pkcs11 backend).  This guards the token's API; someone who can
 * write the store folder can reset it (doc/tpm.md).
 */
#include "config.h"
#include "tpm/tpm_backend.h"

#include <stdlib.h>

uint32_t tb_so_tries(tpm_backend *b)
{
	uint8_t *buf;
	size_t len;
	uint32_t n = 0;
	mst_rc rc = tpm_store_read(&b->st, TPM_FILE_SO_TRIES, &buf, &len);

	if (rc == MST_ERR_NOT_FOUND)
		return 0;
	if (rc == MST_OK)
		rc = tpm_tries_decode(buf, len, &n);
	free(buf);
	/* fail closed: a counter that cannot be read counts as locked */
	return rc == MST_OK ? n : TPM_SO_MAX_TRIES;
}

void tb_so_tries_set(tpm_backend *b, uint32_t tries)
{
	tpm_wbuf w = { 0 };

	if (tries == 0) {
		(void)tpm_store_unlink(&b->st, TPM_FILE_SO_TRIES);
		return;
	}
	tpm_tries_encode(tries, &w);
	(void)tpm_store_write(&b->st, TPM_FILE_SO_TRIES, w.buf, w.len);
	wbuf_free(&w);
}
