/* tpm/tpm_seal.h - TPM sealed-data objects under the storage primary.
 *
 * A sealed object is a KEYEDHASH object with sensitive data, attributes
 * fixedTPM | fixedParent | userWithAuth (no sensitiveDataOrigin, no sign or
 * decrypt), empty policy, and an authValue the caller derives.  Objects of
 * the user PIN and of records keep noDA clear, so the TPM's dictionary-
 * attack logic counts wrong auths; the SO object sets noDA (see
 * doc/tpm.md: the SO must be able to log in while the TPM is locked out).
 * Both commands run in the salted session with parameter encryption, so
 * the authValue, the sealed bytes and the unsealed bytes never cross the
 * TPM interface in clear.
 */
#ifndef MST_TPM_SEAL_H
#define MST_TPM_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include "tpm/tpm_conn.h"

#define TPM_AUTH_LEN 32          /* SHA-256 name algorithm: 32-byte auth */
#define TPM_SEAL_MAX 128         /* MAX_SYM_DATA: a sealed object holds 128 bytes */

typedef struct {
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
} tpm_sealed;

/* TPM2_Create of a sealed-data object holding data (1..128 bytes). */
mst_rc tpm_seal(tpm_conn *c, const uint8_t auth[TPM_AUTH_LEN], int no_da,
		const uint8_t *data, size_t len, tpm_sealed *out);
/* TPM2_Load + TPM2_Unseal + flush.  out holds TPM_SEAL_MAX bytes.
 * Wrong auth: MST_ERR_PIN_INCORRECT; lockout: MST_ERR_PIN_LOCKED; blob
 * of another TPM or edited: MST_ERR_TAMPERED. */
mst_rc tpm_unseal(tpm_conn *c, const tpm_sealed *in, const uint8_t auth[TPM_AUTH_LEN],
		  uint8_t *out, size_t *out_len);

/* Marshal / unmarshal the two blobs (TPM2B_PUBLIC then TPM2B_PRIVATE). */
mst_rc tpm_sealed_marshal(const tpm_sealed *s, uint8_t *buf, size_t cap, size_t *len);
mst_rc tpm_sealed_unmarshal(const uint8_t *buf, size_t len, size_t *used, tpm_sealed *s);

#endif
