/* tpm/keystore_tpm.h - what the TPM backend offers beyond token/keystore.h. */
#ifndef MST_KEYSTORE_TPM_H
#define MST_KEYSTORE_TPM_H

/* The message of the last failure of an operation on be ("TPM Unseal: the
 * authorization HMAC check failed ...", "store file rec.x: ..."), or of
 * the last failed open in this thread when be is NULL.  "" when none.
 * Never contains a PIN or key byte. */
const char *keystore_tpm_last_error(const void *be);

#endif
