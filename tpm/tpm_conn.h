/* tpm/tpm_conn.h - one connection to the TPM for one keystore operation.
 *
 * Each operation opens the TCTI, gets the storage primary (the persistent
 * handle configured, or a transient ECC P-256 SRK made from the standard
 * template), starts an HMAC session salted with that primary (AES-128-CFB
 * parameter encryption) and, at the end, flushes every transient object and
 * session it made and closes the TCTI.  Holding nothing between operations
 * is what lets several processes share one TPM without a resource manager
 * (swtpm serves one connection at a time) and bounds what a killed process
 * can leave behind; leftovers of killed processes are flushed when the TPM
 * reports it is out of object or session slots.
 */
#ifndef MST_TPM_CONN_H
#define MST_TPM_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_esys.h>
#include "token/status.h"

typedef struct {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR primary;
	ESYS_TR session;
	int primary_transient;   /* flush it at close */
	char *err;               /* message buffer of the caller */
	size_t err_len;
} tpm_conn;

typedef struct {
	uint32_t counter;        /* TPM_PT_LOCKOUT_COUNTER (failedTries) */
	uint32_t max_tries;      /* TPM_PT_MAX_AUTH_FAIL */
	uint32_t recovery;       /* TPM_PT_LOCKOUT_INTERVAL, seconds */
	int in_lockout;          /* TPMA_PERMANENT inLockout */
	int lockout_auth_set;    /* TPMA_PERMANENT lockoutAuthSet */
} tpm_da_info;

/* Connect through tcti ("swtpm:host=...,port=N", "device:/dev/tpmrm0")
 * and prepare primary and session.  On failure err says why. */
mst_rc tpm_conn_open(tpm_conn *c, const char *tcti, uint32_t primary_handle,
		     char *err, size_t err_len);
/* Only the TCTI and ESYS, no primary or session: for queries that carry
 * no secret (the dictionary-attack state). */
mst_rc tpm_conn_open_bare(tpm_conn *c, const char *tcti, char *err, size_t err_len);
void tpm_conn_close(tpm_conn *c);

/* The TCG "Provisioning Guidance" ECC P-256 storage root key template
 * (unique: two 32-byte zero coordinates): the same seed and template give
 * the same key each time, so blobs sealed under it load again later. */
void tpm_srk_template(TPM2B_PUBLIC *tmpl);

/* Dictionary-attack state of the TPM (tpm/tpm_da.c). */
mst_rc tpm_conn_da_info(tpm_conn *c, tpm_da_info *da);
/* TPM2_DictionaryAttackLockReset with the empty lockout auth: only tried
 * when the TPM says no lockout auth is set (a wrong lockout auth would
 * itself lock the lockout hierarchy).  MST_ERR_PIN_LOCKED if not possible. */
mst_rc tpm_conn_da_reset(tpm_conn *c);

/* When rc says the TPM is out of object or session slots, flush the
 * transient objects and sessions that are not ours (left by killed
 * processes) and answer nonzero: the caller retries its command once. */
int tpm_conn_reclaim(tpm_conn *c, TSS2_RC rc);

/* Record "what: TPM message" in the caller's buffer and map the TPM result
 * code to an mst_rc (auth failure, lockout, integrity, ...). */
mst_rc tpm_conn_fail(tpm_conn *c, const char *what, TSS2_RC rc);

#endif
