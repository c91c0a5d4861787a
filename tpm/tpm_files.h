/* tpm/tpm_files.h - formats of the files in a TPM store folder.
 *
 * All integers big-endian; every file starts with a 4-byte magic and a
 * format version (TPM_FILE_VERSION); a file of another version answers
 * MST_ERR_UNSUPPORTED, a damaged one MST_ERR_TAMPERED.
 *
 *   meta        "MSTM" ver initialized 00 00 | serial[16] | u8 n | label[n]
 *               | SHA-256 of all before
 *   so.pin,     "MSTA" ver who 00 00 | u32 iterations | salt[16]
 *   user.pin    | u16 n | sealed[n] | SHA-256 of all before
 *               (sealed payload: "MSTK" ver who | store secret[32])
 *   so.tries    "MSTC" ver 00 00 00 | u32 wrong SO PINs in a row | SHA-256
 *   rec.NAME    "MSTR" ver private 00 00 | u32 kind | u8 n | name[n] | then
 *     public:   u32 n | data[n] | SHA-256 of all before
 *     private:  store id[8] | u16 n | sealed[n] | iv[12] | u32 n |
 *               AES-256-GCM(data)[n]
 *               (GCM key = sealed payload "MSTS" ver 00 | u32 kind | u8 n |
 *               name[n] | key[32]; GCM AAD = every file byte before the u32 n)
 *
 * "sealed" is a TPM2B_PUBLIC and a TPM2B_PRIVATE as Tss2_MU marshals them.
 * The name inside the file (and inside the sealed payload) must equal the
 * file's own name, so a renamed or swapped file is detected.
 */
#ifndef MST_TPM_FILES_H
#define MST_TPM_FILES_H

#include <stddef.h>
#include <stdint.h>
#include "token/keystore.h"
#include "tpm/tpm_codec.h"
#include "tpm/tpm_crypto.h"

#define TPM_FILE_VERSION 1
#define TPM_FILE_META "meta"
#define TPM_FILE_SO "so.pin"
#define TPM_FILE_USER "user.pin"
#define TPM_FILE_SO_TRIES "so.tries"
#define TPM_FILE_RECORD_PREFIX "rec."
#define TPM_FILE_NAME_MAX (sizeof(TPM_FILE_RECORD_PREFIX) + KEYSTORE_NAME_MAX)

typedef struct {
	int initialized;
	char serial[17];
	char label[MST_LABEL_MAX + 1];
} tpm_meta;

typedef struct {
	keystore_who who;
	uint32_t iterations;
	uint8_t salt[TPM_SALT_LEN];
	tpm_sealed sealed;
} tpm_auth_file;

typedef struct {
	int is_private;
	uint32_t kind;
	char name[KEYSTORE_NAME_MAX + 1];
	const uint8_t *body;      /* public: data; private: ciphertext || tag */
	size_t body_len;
	uint8_t store_id[TPM_STORE_ID_LEN];   /* private only */
	tpm_sealed sealed;        /* private only */
	uint8_t iv[TPM_GCM_IV_LEN];
	size_t aad_len;           /* private: bytes of the file that are GCM AAD */
} tpm_record_file;

/* Record names are [A-Za-z0-9._-]{1,64}. */
int tpm_name_valid(const char *name);
void tpm_record_file_name(const char *name, char out[TPM_FILE_NAME_MAX]);

void tpm_meta_encode(const tpm_meta *m, tpm_wbuf *w);
mst_rc tpm_meta_decode(const uint8_t *buf, size_t len, tpm_meta *m);

void tpm_auth_encode(const tpm_auth_file *a, tpm_wbuf *w);
mst_rc tpm_auth_decode(const uint8_t *buf, size_t len, tpm_auth_file *a);

void tpm_tries_encode(uint32_t tries, tpm_wbuf *w);
mst_rc tpm_tries_decode(const uint8_t *buf, size_t len, uint32_t *tries);

void tpm_record_encode_public(const char *name, uint32_t kind, const uint8_t *data,
			      size_t len, tpm_wbuf *w);
/* Everything of a private record file up to the ciphertext length: the
 * caller encrypts with this as AAD, then appends u32 length || ciphertext. */
void tpm_record_head_private(const char *name, uint32_t kind,
			     const uint8_t store_id[TPM_STORE_ID_LEN], const tpm_sealed *s,
			     const uint8_t iv[TPM_GCM_IV_LEN], tpm_wbuf *w);
/* Parse a record file; name is the name its file name says. */
mst_rc tpm_record_decode(const uint8_t *buf, size_t len, const char *name, tpm_record_file *r);

/* Sealed payloads (at most TPM_SEAL_MAX bytes). */
size_t tpm_payload_secret(keystore_who who, const uint8_t secret[TPM_SECRET_LEN],
			  uint8_t out[TPM_SEAL_MAX]);
mst_rc tpm_payload_secret_check(keystore_who who, const uint8_t *p, size_t len,
				uint8_t secret[TPM_SECRET_LEN]);
size_t tpm_payload_record(const char *name, uint32_t kind, const uint8_t key[TPM_SECRET_LEN],
			  uint8_t out[TPM_SEAL_MAX]);
mst_rc tpm_payload_record_check(const char *name, uint32_t kind, const uint8_t *p, size_t len,
				uint8_t key[TPM_SECRET_LEN]);

#endif
