/* tpm/tpm_backend.h - state and helpers shared by the TPM backend's files.
 *
 * Protection of the records (doc/tpm.md has the full picture):
 *   store secret S (32 random bytes) sealed twice:
 *     user.pin: authValue = PBKDF2(user PIN, salt_u), DA-protected
 *     so.pin:   authValue = PBKDF2(SO PIN, salt_s), noDA
 *   each private record: a sealed-data object, authValue = HMAC(S, label),
 *     DA-protected, holding a fresh AES-256 key that encrypts the data.
 * Login unseals S; the SO resets the user PIN by sealing S again under the
 * new PIN, so records survive a PIN reset.
 */
#ifndef MST_TPM_BACKEND_H
#define MST_TPM_BACKEND_H

#include <stdint.h>
#include "token/keystore.h"
#include "tpm/keystore_tpm.h"
#include "tpm/tpm_conn.h"
#include "tpm/tpm_files.h"
#include "tpm/tpm_store.h"

#define TPM_SO_MAX_TRIES 10   /* wrong SO PINs in a row before it locks */
#define TPM_PIN_MIN 4
#define TPM_PIN_MAX 255

typedef struct {
	mst_slot_config cfg;
	tpm_store st;
	uint8_t *secret;          /* secmem: store secret S while logged in */
	keystore_who who;         /* 0 when nobody is logged in */
	char err[320];
} tpm_backend;

/* Record a message for keystore_tpm_last_error and return rc. */
mst_rc tb_fail(tpm_backend *b, mst_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Lock the store (and connect to the TPM when c != NULL). */
mst_rc tb_begin(tpm_backend *b, int exclusive, tpm_conn *c);
void tb_end(tpm_backend *b, tpm_conn *c);
/* meta of the store; MST_ERR_NOT_INITIALIZED when init_token never ran. */
mst_rc tb_initialized(tpm_backend *b, tpm_meta *m);
mst_rc tb_write(tpm_backend *b, const char *file, tpm_wbuf *w);
/* PIN length policy (same as SoftHSM2: 4..255 bytes). */
mst_rc tb_pin_ok(tpm_backend *b, const char *pin, size_t len);
/* Unseal S from user.pin or so.pin with pin (S: TPM_SECRET_LEN bytes). */
mst_rc tb_unseal_secret(tpm_backend *b, tpm_conn *c, keystore_who who, const char *pin,
			size_t pin_len, uint8_t *secret);
/* Seal S under pin into a new user.pin or so.pin (fresh salt). */
mst_rc tb_seal_secret(tpm_backend *b, tpm_conn *c, keystore_who who, const char *pin,
		      size_t pin_len, const uint8_t *secret);

/* Wrong SO PINs in a row (the SO object is noDA: the TPM does not count
 * them, the store does); a damaged counter reads as locked. */
uint32_t tb_so_tries(tpm_backend *b);
/* Record the new count (0 removes the file); exclusive lock held. */
void tb_so_tries_set(tpm_backend *b, uint32_t tries);

mst_rc tb_list(void *be, keystore_entry *entries, size_t *n);
mst_rc tb_put(void *be, const char *name, uint32_t kind, int is_private,
	      const uint8_t *data, size_t len);
mst_rc tb_get(void *be, const char *name, int is_private, uint32_t kind, uint8_t **data,
	      size_t *len);
mst_rc tb_remove(void *be, const char *name, int is_private);
/* The endorsement key is the store secret S itself (a different HMAC
 * message than the record auth): both the SO and the user unseal it. */
mst_rc tb_endorse(void *be, const uint8_t *msg, size_t len, uint8_t tag[KEYSTORE_TAG_LEN]);

#endif
