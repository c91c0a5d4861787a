/* tpm/tpm_crypto.h - key derivation and bulk sealing around the TPM.
 *
 * PIN -> authValue: PBKDF2-HMAC-SHA256 with the auth file's random salt
 * and recorded iteration count (the TPM's lockout limits online guessing;
 * the KDF makes each guess cost and binds the auth to this store).
 * Store secret -> record authValue: HMAC-SHA256 with a fixed label.
 * A record's data (often over the TPM's 128-byte sealed-data limit) is
 * AES-256-GCM encrypted with a fresh 32-byte key that the TPM seals.
 */
#ifndef MST_TPM_CRYPTO_H
#define MST_TPM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"
#include "tpm/tpm_seal.h"

#define TPM_SALT_LEN 16
#define TPM_KDF_ITERATIONS 20000u    /* written into each auth file */
#define TPM_KDF_ITERATIONS_MAX 10000000u
#define TPM_SECRET_LEN 32            /* store secret and record data keys */
#define TPM_GCM_IV_LEN 12
#define TPM_GCM_TAG_LEN 16

mst_rc tpm_pin_auth(const char *pin, size_t pin_len, const uint8_t salt[TPM_SALT_LEN],
		    uint32_t iterations, uint8_t auth[TPM_AUTH_LEN]);
mst_rc tpm_record_auth(const uint8_t secret[TPM_SECRET_LEN], uint8_t auth[TPM_AUTH_LEN]);
/* Public tag of a store secret (HMAC-SHA256 with another label, first 8
 * bytes), written in private records: a record of another store secret
 * (another store, or one re-initialised meanwhile) is refused before the
 * TPM sees a wrong auth, so it does not move the lockout counter. */
#define TPM_STORE_ID_LEN 8
mst_rc tpm_store_id(const uint8_t secret[TPM_SECRET_LEN], uint8_t id[TPM_STORE_ID_LEN]);

/* out gets len + TPM_GCM_TAG_LEN bytes (ciphertext || tag). */
mst_rc tpm_gcm_seal(const uint8_t key[TPM_SECRET_LEN], const uint8_t iv[TPM_GCM_IV_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);
/* in is ciphertext || tag (len >= TPM_GCM_TAG_LEN); MST_ERR_TAMPERED if the
 * tag does not match (out is wiped then). */
mst_rc tpm_gcm_open(const uint8_t key[TPM_SECRET_LEN], const uint8_t iv[TPM_GCM_IV_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);

#endif
