/* token/backend_pkcs11_seal.c - record values, sealed inside the backing token.
 *
 * Value of every record object: version(1) kind(4) generation(8) || body.
 * Public body: the data.  Private body: IV(12) || AES-256-GCM(data) || tag(16),
 * computed by the backing token with a key that never leaves it.  The AAD
 * "mstoken-record-v1" || name || kind || generation binds the ciphertext to
 * its name, kind and generation: an edited, truncated, renamed or
 * re-generationed record fails to open.
 */
#include "token/backend_pkcs11_int.h"

#include <stdlib.h>
#include <string.h>
#include "token/secmem.h"

#define AAD_PREFIX "mstoken-record-v1"
#define IV_LEN 12
#define TAG_LEN 16
#define AAD_MAX (sizeof AAD_PREFIX - 1 + KEYSTORE_NAME_MAX + 4 + 8)

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

int p11_header_parse(const uint8_t *val, size_t len, uint32_t *kind, uint64_t *gen)
{
	if (len < P11_HEADER_LEN || val[0] != P11_RECORD_VERSION)
		return 0;
	*kind = (uint32_t)get_be(val + 1, 4);
	*gen = get_be(val + 5, 8);
	return 1;
}

static size_t make_aad(uint8_t *aad, const char *name, uint32_t kind, uint64_t gen)
{
	size_t pre = sizeof AAD_PREFIX - 1, n = strlen(name);

	memcpy(aad, AAD_PREFIX, pre);
	memcpy(aad + pre, name, n);
	put_be(aad + pre + n, kind, 4);
	put_be(aad + pre + n + 4, gen, 8);
	return pre + n + 12;
}

/* A key found by its label was not necessarily made by us: anyone holding
 * the PIN, or code sharing the backing token, can create an object with that
 * label.  Seal only with one that was generated inside the token and never
 * left it (sensitive and non-extractable now and always); sealing with a key
 * whose value someone knows would hand them every record. */
static mst_rc seal_key_check(struct p11_store *st, CK_OBJECT_HANDLE key)
{
	CK_BBOOL sens = CK_FALSE, extr = CK_TRUE, always = CK_FALSE, never = CK_FALSE;
	CK_ATTRIBUTE a[] = {
		{ CKA_SENSITIVE, &sens, sizeof sens },
		{ CKA_EXTRACTABLE, &extr, sizeof extr },
		{ CKA_ALWAYS_SENSITIVE, &always, sizeof always },
		{ CKA_NEVER_EXTRACTABLE, &never, sizeof never },
	};
	CK_RV rv = st->f->C_GetAttributeValue(st->session, key, a, sizeof a / sizeof a[0]);

	if (rv != CKR_OK)
		return p11_map(st, "C_GetAttributeValue(seal key)", rv);
	if (sens != CK_TRUE || extr != CK_FALSE || always != CK_TRUE || never != CK_TRUE)
		return p11_fail_msg(st, MST_ERR_TAMPERED,
				    "the backing token's \"" P11_SEAL_KEY_LABEL "\" key is extractable, "
				    "not sensitive or was imported: refusing to seal with it");
	return MST_OK;
}

mst_rc p11_seal_key_ensure(struct p11_store *st)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_AES;
	CK_ULONG key_len = 32;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	char label[] = P11_SEAL_KEY_LABEL;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_LABEL, label, sizeof label - 1 },
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &yes, sizeof yes },
		{ CKA_SENSITIVE, &yes, sizeof yes },
		{ CKA_EXTRACTABLE, &no, sizeof no },
		{ CKA_ENCRYPT, &yes, sizeof yes },
		{ CKA_DECRYPT, &yes, sizeof yes },
		{ CKA_VALUE_LEN, &key_len, sizeof key_len },
	};
	CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_OBJECT_HANDLE *objs;
	size_t n, i;
	mst_rc rc;
	CK_RV rv;

	if (st->seal_key != CK_INVALID_HANDLE)
		return MST_OK;
	/* only private keys: a public one is anybody's */
	rc = p11_find(st, t, 5, &objs, &n);
	if (rc != MST_OK)
		return rc;
	for (i = 0; i < n && rc == MST_OK; i++)
		rc = seal_key_check(st, objs[i]);
	if (n > 0 && rc == MST_OK)
		st->seal_key = objs[0];
	free(objs);
	if (n > 0 || rc != MST_OK)
		return rc;
	/* The class and the length are implied by the mechanism. */
	rv = st->f->C_GenerateKey(st->session, &gen, t + 1, sizeof t / sizeof t[0] - 1,
				  &st->seal_key);
	if (rv != CKR_OK) {
		st->seal_key = CK_INVALID_HANDLE;
		return p11_map(st, "C_GenerateKey", rv);
	}
	return MST_OK;
}

static void gcm_params(CK_GCM_PARAMS *p, uint8_t *iv, uint8_t *aad, size_t aad_len)
{
	memset(p, 0, sizeof *p);
	p->pIv = iv;
	p->ulIvLen = IV_LEN;
	p->ulIvBits = IV_LEN * 8;
	p->pAAD = aad;
	p->ulAADLen = aad_len;
	p->ulTagBits = TAG_LEN * 8;
}

static mst_rc seal(struct p11_store *st, uint8_t *aad, size_t aad_len,
		   const uint8_t *data, size_t len, uint8_t *out, size_t *out_len)
{
	CK_GCM_PARAMS gcm;
	CK_MECHANISM mech = { CKM_AES_GCM, &gcm, sizeof gcm };
	CK_ULONG ct_len = *out_len - IV_LEN;
	mst_rc rc = p11_random(out, IV_LEN);
	CK_RV rv;

	if (rc != MST_OK)
		return rc;
	gcm_params(&gcm, out, aad, aad_len);
	rv = st->f->C_EncryptInit(st->session, &mech, st->seal_key);
	if (rv != CKR_OK)
		return p11_map(st, "C_EncryptInit", rv);
	rv = st->f->C_Encrypt(st->session, (CK_BYTE_PTR)(uintptr_t)data, len,
			      out + IV_LEN, &ct_len);
	if (rv != CKR_OK)
		return p11_map(st, "C_Encrypt", rv);
	*out_len = IV_LEN + ct_len;
	return MST_OK;
}

mst_rc p11_value_build(struct p11_store *st, const char *name, uint32_t kind, uint64_t gen,
		       int is_private, const uint8_t *data, size_t len,
		       uint8_t **val, size_t *val_len)
{
	size_t body = is_private ? IV_LEN + len + TAG_LEN : len;
	uint8_t *v = malloc(P11_HEADER_LEN + body), aad[AAD_MAX];
	mst_rc rc = MST_OK;

	if (v == NULL)
		return MST_ERR_NOMEM;
	v[0] = P11_RECORD_VERSION;
	put_be(v + 1, kind, 4);
	put_be(v + 5, gen, 8);
	if (!is_private)
		memcpy(v + P11_HEADER_LEN, data, len);
	else
		rc = seal(st, aad, make_aad(aad, name, kind, gen), data, len,
			  v + P11_HEADER_LEN, &body);
	if (rc != MST_OK) {
		free(v);
		return rc;
	}
	*val = v;
	*val_len = P11_HEADER_LEN + body;
	return MST_OK;
}

/* Failures of the decryption step that mean "this ciphertext is not what
 * we sealed"; SoftHSM2 reports a wrong GCM tag as CKR_GENERAL_ERROR. */
static int is_auth_failure(CK_RV rv)
{
	return rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
	       rv == CKR_DATA_INVALID || rv == CKR_DATA_LEN_RANGE || rv == CKR_GENERAL_ERROR;
}

static mst_rc unseal(struct p11_store *st, uint8_t *aad, size_t aad_len,
		     const uint8_t *body, size_t body_len, uint8_t **data, size_t *len)
{
	CK_GCM_PARAMS gcm;
	CK_MECHANISM mech = { CKM_AES_GCM, &gcm, sizeof gcm };
	uint8_t iv[IV_LEN];
	CK_BYTE_PTR ct = (CK_BYTE_PTR)(uintptr_t)(body + IV_LEN);
	CK_ULONG ct_len = body_len - IV_LEN, out_len = ct_len;
	/* The plaintext goes straight into locked memory (it is never longer
	 * than the ciphertext). */
	uint8_t *out = secmem_alloc(ct_len);
	CK_RV rv;

	if (out == NULL)
		return MST_ERR_NOMEM;
	memcpy(iv, body, IV_LEN);
	gcm_params(&gcm, iv, aad, aad_len);
	rv = st->f->C_DecryptInit(st->session, &mech, st->seal_key);
	if (rv != CKR_OK) {
		secmem_free(out);
		return p11_map(st, "C_DecryptInit", rv);
	}
	rv = st->f->C_Decrypt(st->session, ct, ct_len, out, &out_len);
	if (rv == CKR_OK && out_len > 0) {
		*data = out;
		*len = out_len;
		return MST_OK;
	}
	secmem_free(out);
	if (rv != CKR_OK && !is_auth_failure(rv))
		return p11_map(st, "C_Decrypt", rv);
	p11_fail(st, "C_Decrypt (record authentication)", rv);
	return MST_ERR_TAMPERED;
}

mst_rc p11_value_open(struct p11_store *st, const char *name, int is_private,
		      const uint8_t *val, size_t val_len, uint32_t *kind,
		      uint8_t **data, size_t *len)
{
	uint8_t aad[AAD_MAX];
	size_t body_len;
	uint64_t gen;
	mst_rc rc;

	if (!p11_header_parse(val, val_len, kind, &gen))
		return p11_fail_msg(st, MST_ERR_TAMPERED, "record header missing or wrong version");
	body_len = val_len - P11_HEADER_LEN;
	if (is_private) {
		if (body_len <= IV_LEN + TAG_LEN)
			return p11_fail_msg(st, MST_ERR_TAMPERED, "sealed record truncated");
		rc = p11_seal_key_ensure(st);
		if (rc != MST_OK)
			return rc;
		return unseal(st, aad, make_aad(aad, name, *kind, gen), val + P11_HEADER_LEN,
			      body_len, data, len);
	}
	if (body_len == 0)
		return p11_fail_msg(st, MST_ERR_TAMPERED, "record truncated");
	*data = malloc(body_len);   /* public data: the plain heap (keystore.h) */
	if (*data == NULL)
		return MST_ERR_NOMEM;
	memcpy(*data, val + P11_HEADER_LEN, body_len);
	*len = body_len;
	return MST_OK;
}
