/* token/backend_pkcs11_pin.c - the backing token's user PIN is a random secret R.
 *
 * SoftHSM2 rewrites its token.object in place in C_SetPIN: a process killed
 * there loses the whole backing token.  So our user PIN never reaches
 * SoftHSM2.  init_pin sets SoftHSM2's user PIN to R (32 random octets, 64
 * hex digits) and keeps R in a public CKO_DATA object (application
 * "mstoken-pin", label "user") encrypted under our user PIN; login opens it
 * and logs in with R; set_pin re-encrypts R under the new PIN.  An update
 * creates the next generation before it destroys the older objects, and
 * the reader takes the highest generation, so a kill in between leaves the
 * old or the new PIN working, never neither.  A token whose user PIN was
 * set before R existed has no such object: its PIN is SoftHSM2's PIN.
 *
 * Object value: generation(8) || a PIN-sealed blob (below) whose AAD names
 * "pin-secret".  Anyone with a public session may add or remove such
 * objects: a forged one does not open under the real PIN (a wrong PIN,
 * counted), which denies logins as removing the object would, nothing more.
 *
 * The PIN-sealed blob, shared with the endorsement key copies: version(1)
 * iterations(4) salt(16) IV(12) ciphertext(32) tag(16) under AES-256-GCM
 * with key PBKDF2-HMAC-SHA-256(PIN, salt, iterations),
 * AAD = "mstoken-endorse-key-v1" || label || the first 33 octets.
 */
#include "token/backend_pkcs11_int.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "token/hex.h"
#include "token/secmem.h"
#include "tpm/tpm_crypto.h"

#define AAD_PREFIX "mstoken-endorse-key-v1"
#define BLOB_VERSION 1
#define ITERATIONS 100000u
#define HEAD_LEN (1 + 4 + TPM_SALT_LEN + TPM_GCM_IV_LEN)
#define AAD_MAX (sizeof AAD_PREFIX + 16 + HEAD_LEN)

#define PIN_APP "mstoken-pin"
#define PIN_LABEL "user"
#define PIN_AAD_LABEL "pin-secret"
#define GEN_LEN 8
#define REC_LEN (GEN_LEN + P11_PIN_BLOB_LEN)

static size_t make_aad(uint8_t *aad, const char *label, const uint8_t *head)
{
	size_t pre = sizeof AAD_PREFIX - 1, l = strlen(label);

	memcpy(aad, AAD_PREFIX, pre);
	memcpy(aad + pre, label, l);
	memcpy(aad + pre + l, head, HEAD_LEN);
	return pre + l + HEAD_LEN;
}

mst_rc p11_pin_blob_seal(const char *label, const char *pin, size_t pin_len,
			 const uint8_t key[KEYSTORE_KEY_LEN], uint8_t blob[P11_PIN_BLOB_LEN])
{
	uint8_t kek[TPM_AUTH_LEN], aad[AAD_MAX];
	size_t aad_len;
	mst_rc rc;

	if (strlen(label) > 16)
		return MST_ERR_ARGS;
	blob[0] = BLOB_VERSION;
	blob[1] = (uint8_t)(ITERATIONS >> 24);
	blob[2] = (uint8_t)(ITERATIONS >> 16);
	blob[3] = (uint8_t)(ITERATIONS >> 8);
	blob[4] = (uint8_t)ITERATIONS;
	rc = p11_random(blob + 5, TPM_SALT_LEN + TPM_GCM_IV_LEN);
	if (rc == MST_OK)
		rc = tpm_pin_auth(pin, pin_len, blob + 5, ITERATIONS, kek);
	aad_len = make_aad(aad, label, blob);
	if (rc == MST_OK)
		rc = tpm_gcm_seal(kek, blob + 5 + TPM_SALT_LEN, aad, aad_len, key,
				  KEYSTORE_KEY_LEN, blob + HEAD_LEN);
	secure_wipe(kek, sizeof kek);
	return rc;
}

mst_rc p11_pin_blob_open(const char *label, const char *pin, size_t pin_len,
			 const uint8_t *blob, size_t len, uint8_t key[KEYSTORE_KEY_LEN])
{
	uint8_t kek[TPM_AUTH_LEN], aad[AAD_MAX];
	uint32_t iter;
	mst_rc rc = MST_ERR_TAMPERED;

	if (strlen(label) > 16 || len != P11_PIN_BLOB_LEN || blob[0] != BLOB_VERSION)
		return MST_ERR_TAMPERED;
	iter = (uint32_t)blob[1] << 24 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 8 | blob[4];
	if (tpm_pin_auth(pin, pin_len, blob + 5, iter, kek) == MST_OK &&
	    tpm_gcm_open(kek, blob + 5 + TPM_SALT_LEN, aad, make_aad(aad, label, blob),
			 blob + HEAD_LEN, KEYSTORE_KEY_LEN + TPM_GCM_TAG_LEN, key) == MST_OK)
		rc = MST_OK;
	secure_wipe(kek, sizeof kek);
	return rc;
}

/* Every copy of the R object (normally one). */
static mst_rc find_copies(struct p11_store *st, CK_OBJECT_HANDLE **objs, size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char app[] = PIN_APP, label[] = PIN_LABEL;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_APPLICATION, app, sizeof app - 1 },
		{ CKA_LABEL, label, sizeof label - 1 },
	};
	mst_rc rc = p11_need_session(st);

	return rc == MST_OK ? p11_find(st, t, 3, objs, n) : rc;
}

static uint64_t get_gen(const uint8_t *v)
{
	uint64_t g = 0;
	int i;

	for (i = 0; i < GEN_LEN; i++)
		g = g << 8 | v[i];
	return g;
}

/* The newest copy's value (malloc'd) and handle; *n copies in all. */
static mst_rc newest(struct p11_store *st, CK_OBJECT_HANDLE **objs, size_t *n, size_t *best,
		     uint8_t **val)
{
	uint8_t *v;
	size_t i, len;
	mst_rc rc = find_copies(st, objs, n);

	*val = NULL;
	for (i = 0; rc == MST_OK && i < *n; i++) {
		if (p11_get_attr(st, (*objs)[i], CKA_VALUE, &v, &len) != MST_OK)
			continue;
		if (len == REC_LEN && (*val == NULL || get_gen(v) > get_gen(*val))) {
			free(*val);
			*val = v;
			*best = i;
		} else {
			free(v);
		}
	}
	if (rc == MST_OK && *n == 0)
		rc = MST_ERR_NOT_FOUND;
	else if (rc == MST_OK && *val == NULL)
		rc = p11_fail_msg(st, MST_ERR_TAMPERED, "the user PIN's secret object is malformed");
	if (rc != MST_OK)
		free(*objs);
	return rc;
}

mst_rc p11_pin_secret_open(struct p11_store *st, const char *pin, size_t pin_len,
			   uint8_t r[P11_PIN_SECRET_LEN])
{
	CK_OBJECT_HANDLE *objs;
	size_t n, best = 0, i;
	uint8_t *val;
	mst_rc rc = newest(st, &objs, &n, &best, &val);

	if (rc != MST_OK)
		return rc;
	rc = p11_pin_blob_open(PIN_AAD_LABEL, pin, pin_len, val + GEN_LEN, REC_LEN - GEN_LEN, r);
	if (rc == MST_ERR_TAMPERED)
		rc = MST_ERR_PIN_INCORRECT;
	/* left over by a PIN change cut short: only the opened winner may
	 * remove them, so a forged newer copy deletes nothing */
	for (i = 0; rc == MST_OK && i < n; i++)
		if (i != best)
			(void)p11_destroy(st, objs[i]);
	free(val);
	free(objs);
	return rc;
}

mst_rc p11_pin_secret_write(struct p11_store *st, const char *pin, size_t pin_len,
			    const uint8_t r[P11_PIN_SECRET_LEN])
{
	uint8_t rec[REC_LEN], *v;
	CK_OBJECT_HANDLE *old, obj;
	uint64_t gen = 0;
	size_t n, i, len;
	int j;
	mst_rc rc = find_copies(st, &old, &n);

	if (rc != MST_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (p11_get_attr(st, old[i], CKA_VALUE, &v, &len) == MST_OK) {
			if (len == REC_LEN && get_gen(v) >= gen)
				gen = get_gen(v) + 1;
			free(v);
		}
	for (j = GEN_LEN - 1; j >= 0; j--, gen >>= 8)
		rec[j] = (uint8_t)gen;
	rc = p11_pin_blob_seal(PIN_AAD_LABEL, pin, pin_len, r, rec + GEN_LEN);
	/* the new generation first: a kill before the old ones are gone
	 * leaves the new PIN working */
	if (rc == MST_OK)
		rc = p11_create_data(st, PIN_APP, PIN_LABEL, 0, rec, sizeof rec, &obj);
	for (i = 0; rc == MST_OK && i < n; i++)
		rc = p11_destroy(st, old[i]);
	free(old);
	return rc;
}

mst_rc p11_pin_secret_hex(struct p11_store *st, const char *pin, size_t pin_len, char **hex)
{
	uint8_t *r = secmem_alloc(P11_PIN_SECRET_LEN);
	mst_rc rc;

	*hex = NULL;
	if (r == NULL)
		return MST_ERR_NOMEM;
	rc = p11_pin_secret_open(st, pin, pin_len, r);
	if (rc == MST_OK) {
		*hex = secmem_alloc(2 * P11_PIN_SECRET_LEN + 1);
		if (*hex != NULL)
			hex_encode(r, P11_PIN_SECRET_LEN, *hex);
		else
			rc = MST_ERR_NOMEM;
	}
	secmem_free(r);
	return rc == MST_ERR_NOT_FOUND ? MST_OK : rc;
}

mst_rc p11_pin_secret_new(struct p11_store *st, uint8_t **r, char **hex)
{
	mst_rc rc = MST_OK;

	*r = secmem_alloc(P11_PIN_SECRET_LEN);
	*hex = secmem_alloc(2 * P11_PIN_SECRET_LEN + 1);
	if (*r == NULL || *hex == NULL)
		rc = MST_ERR_NOMEM;
	else if (RAND_priv_bytes(*r, P11_PIN_SECRET_LEN) != 1)
		rc = p11_fail_msg(st, MST_ERR_CRYPTO, "no random user PIN secret");
	if (rc != MST_OK) {
		secmem_free(*r);
		secmem_free(*hex);
		*r = NULL;
		*hex = NULL;
		return rc;
	}
	hex_encode(*r, P11_PIN_SECRET_LEN, *hex);
	return MST_OK;
}

mst_rc keystore_pkcs11_backing_user_pin(void *be, const char *pin, size_t pin_len,
					char *out, size_t out_len)
{
	char *hex = NULL;
	mst_rc rc = p11_pin_secret_hex(be, pin, pin_len, &hex);
	const char *use = hex != NULL ? hex : pin;
	size_t len = hex != NULL ? 2 * P11_PIN_SECRET_LEN : pin_len;

	if (rc == MST_OK && len >= out_len)
		rc = MST_ERR_RANGE;
	if (rc == MST_OK) {
		memcpy(out, use, len);
		out[len] = '\0';
	}
	secmem_free(hex);
	return rc;
}
