/* kms/users.h - the enrolled users of the KMS server, D/kms-users (0600).
 *
 * Text, '#' lines are comments; one block per user, its first line
 * "user <UserUri>":
 *
 *   mstoken-kms-users 1                      (format version, first line)
 *   user sip:alice@example.org
 *   token-sha256 <64 hex>    SHA-256 of the user's access token (Bearer)
 *   trk-id <id>              ds:KeyName of the transport key TrK
 *   trk <64 hex>             TrK, AES-256 (key wrap of the key sets)
 *   ink-id <id>              ds:KeyName of the integrity key InK
 *   ink <64 hex>             InK, HMAC-SHA-256 key of the responses
 *   new-trk-id, new-trk, new-ink-id, new-ink   (all four or none)
 *                            keys drawn by "user rotate", not yet delivered:
 *                            the next init response carries them (wrapped
 *                            under the current TrK) and they replace the
 *                            current ones once it has been answered
 *
 * Only a hash of each access token is kept: a copy of this file does not
 * let anyone ask for keys (it does hold the TrK/InK, hence 0600).  The
 * server reads the file again for every request, so "user enrol" takes
 * effect without a restart and the server shares no mutable state between
 * requests.
 */
#ifndef MST_KMS_USERS_H
#define MST_KMS_USERS_H

#include <stddef.h>
#include <stdint.h>
#include "token/kmsxml.h"

#define KMS_USERS_FILE "kms-users"
#define KMS_USERS_VERSION "mstoken-kms-users 1"
#define KMS_USERS_MAX 256
#define KMS_USERS_FILE_MAX (KMS_USERS_MAX * 1024)
#define KMS_KEY_LEN 32        /* TrK, InK: AES-256 / HMAC-SHA-256 keys */
#define KMS_TOKEN_LEN 32      /* access token: 32 random octets, 64 hex digits */
#define KMS_KEY_ID_MAX 64     /* "TrK-" / "InK-" and 16 hex digits, with room */

typedef struct {
	char uri[KMSXML_URI_MAX];
	uint8_t token_sha256[32];
	char trk_id[KMS_KEY_ID_MAX];
	uint8_t trk[KMS_KEY_LEN];
	char ink_id[KMS_KEY_ID_MAX];
	uint8_t ink[KMS_KEY_LEN];
	int rotating;                        /* the four below are set */
	char new_trk_id[KMS_KEY_ID_MAX];
	uint8_t new_trk[KMS_KEY_LEN];
	char new_ink_id[KMS_KEY_ID_MAX];
	uint8_t new_ink[KMS_KEY_LEN];
} kms_user;

/* Lives in secmem_alloc memory (it holds TrK and InK). */
typedef struct {
	size_t n;
	kms_user u[KMS_USERS_MAX];
} kms_users;

/* Read D/kms-users into a new secmem block (no file: no users). */
mst_rc kms_users_load(const char *dir, kms_users **out, char *err, size_t err_len);
/* Parse the text of the file; name is used in reasons. */
mst_rc kms_users_parse(const char *text, size_t len, const char *name, kms_users *u,
		       char *err, size_t err_len);
/* The file's text in *out (secmem, NUL-terminated; secmem_free it). */
mst_rc kms_users_format(const kms_users *u, char **out, size_t *out_len);

/* The user whose access token this is, or NULL.  Every user's hash is
 * compared in constant time, whatever matches. */
const kms_user *kms_users_by_token(const kms_users *u, const char *token, size_t token_len);
/* The user enrolled with this URI, or NULL. */
kms_user *kms_users_by_uri(kms_users *u, const char *uri);

/* D/kms-users rewritten (atomically) with every user. */
mst_rc kms_users_save(const char *dir, const kms_users *u, char *err, size_t err_len);
/* Exclusive lock of D for a read-modify-write of D/kms-users: the fd to
 * close, or -1 (err set). */
int kms_users_lock(const char *dir, char *err, size_t err_len);
/* Fresh TrK and InK with new IDs: into the user's pending keys
 * (pending != 0) or its current ones. */
mst_rc kms_users_new_keys(kms_user *u, int pending);
/* The user's pending keys become its current ones (after delivery). */
void kms_users_promote(kms_user *u);

#endif
