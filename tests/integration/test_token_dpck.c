/* tests/integration/test_token_dpck.c - CKM_MSTOKEN_DPCK and C_Decrypt with
 * CKM_AES_GCM through the module: the DPCK derived from the Streamwide
 * vector's GMK opens a key-parameters envelope sealed (here, with OpenSSL)
 * under the vector's expected DPCK, to the known plaintext; tampering,
 * wrong lengths, templates asking for an exportable key and the key's
 * sensitivity are checked. */
#include "test_token.h"

#include <openssl/evp.h>

static const uint8_t plain[] = "key type 0, status 1, times, text";

/* AES-128-GCM seal with the 32-octet AAD and 16-octet IV of TS 33.180 E.6 */
static void seal(const uint8_t key[16], const uint8_t iv[16], const uint8_t aad[32], uint8_t *ct)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0;

	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 16, NULL), 1);
	assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &len, aad, 32), 1);
	assert_int_equal(EVP_EncryptUpdate(c, ct, &len, plain, sizeof(plain)), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, ct + len, &len), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + sizeof(plain)), 1);
	EVP_CIPHER_CTX_free(c);
}

static CK_RV derive_dpck(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE base, CK_ULONG id,
			 CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	CK_MSTOKEN_DPCK_PARAMS p = { id };
	CK_MECHANISM m = { CKM_MSTOKEN_DPCK, &p, sizeof(p) };

	return p11->C_DeriveKey(s, &m, base, t, n, out);
}

static void check_attrs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k)
{
	CK_KEY_TYPE kt = 0;
	CK_ULONG vlen = 0;
	CK_BBOOL sens = 0, extr = 1, dec = 0, der = 1;
	CK_ATTRIBUTE a[] = {
		{ CKA_KEY_TYPE, &kt, sizeof(kt) }, { CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		{ CKA_SENSITIVE, &sens, 1 }, { CKA_EXTRACTABLE, &extr, 1 },
		{ CKA_DECRYPT, &dec, 1 }, { CKA_DERIVE, &der, 1 },
	};
	uint8_t value[32];
	CK_ULONG len = sizeof(value);

	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE up = { CKA_WRAP_WITH_TRUSTED, &yes, 1 };
	CK_OBJECT_HANDLE zt = tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI), copy;
	CK_MSTOKEN_SAKKE_WRAP_PARAMS wp = { (unsigned char *)(uintptr_t)sw_user("bob")->uid, 32 };
	CK_MECHANISM wm = { CKM_MSTOKEN_SAKKE, &wp, sizeof(wp) };
	uint8_t wrapped[300];
	CK_ULONG wlen = sizeof(wrapped);

	assert_int_equal(p11->C_GetAttributeValue(s, k, a, 6), CKR_OK);
	assert_int_equal(kt, CKK_AES);
	assert_int_equal(vlen, 16);
	assert_true(sens && !extr && dec && !der);
	assert_int_equal(tok_value(s, k, value, &len), CKR_ATTRIBUTE_SENSITIVE);
	/* no way out, not even SAKKE-wrapped to the trusted community key,
	 * and no attribute change or copy that would open one */
	assert_int_equal(p11->C_WrapKey(s, &wm, zt, k, wrapped, &wlen), CKR_KEY_UNEXTRACTABLE);
	assert_int_not_equal(p11->C_SetAttributeValue(s, k, &up, 1), CKR_OK);
	assert_int_not_equal(p11->C_CopyObject(s, k, &up, 1, &copy), CKR_OK);
}

void test_dpck_decrypt(void **state)
{
	const struct interop_dpck_vector *d = &interop_dpck_vectors[0];
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE ssv = tok_secret(s, d->gmk, d->gmk_len), k, k2;
	uint8_t iv[16], aad[32], ct[sizeof(plain) + 16], out[sizeof(plain) + 16];
	CK_GCM_PARAMS gp;
	CK_MECHANISM gm = { CKM_AES_GCM, &gp, sizeof(gp) };
	CK_BBOOL yes = CK_TRUE;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE bad_extr = { CKA_EXTRACTABLE, &yes, 1 }, bad_type = { CKA_KEY_TYPE, &gen,
									   sizeof(gen) };
	CK_ATTRIBUTE bad_wwt = { CKA_WRAP_WITH_TRUSTED, &yes, 1 };
	CK_MSTOKEN_DPCK_PARAMS short_p;
	CK_MECHANISM short_m = { CKM_MSTOKEN_DPCK, &short_p, sizeof(short_p) - 1 };
	CK_ULONG len, i;

	(void)state;
	for (i = 0; i < 16; i++)
		iv[i] = (uint8_t)(i * 3 + 1);
	for (i = 0; i < 32; i++)
		aad[i] = (uint8_t)(0xc0 ^ i);
	seal(d->expected, iv, aad, ct);
	gp = (CK_GCM_PARAMS){ iv, 16, 128, aad, 32, 128 };

	/* refusals: parameters, templates, base key */
	assert_int_equal(p11->C_DeriveKey(s, &short_m, ssv, NULL, 0, &k), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(derive_dpck(s, ssv, d->dppk_id, &bad_extr, 1, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(derive_dpck(s, ssv, d->dppk_id, &bad_type, 1, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(derive_dpck(s, ssv, d->dppk_id, &bad_wwt, 1, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(derive_dpck(s, 0x7fffffff, d->dppk_id, NULL, 0, &k), CKR_KEY_HANDLE_INVALID);

	assert_int_equal(derive_dpck(s, ssv, d->dppk_id, NULL, 0, &k), CKR_OK);
	check_attrs(s, k);
	/* the DPCK cannot derive further nor be used as an SSV */
	assert_int_equal(derive_dpck(s, k, d->dppk_id, NULL, 0, &k2), CKR_KEY_TYPE_INCONSISTENT);
	/* the SSV is no AES key */
	assert_int_equal(p11->C_DecryptInit(s, &gm, ssv), CKR_KEY_TYPE_INCONSISTENT);

	/* size query, short buffer, then the plaintext */
	assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_OK);
	assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_OPERATION_ACTIVE);
	assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), NULL, &len), CKR_OK);
	assert_int_equal(len, sizeof(plain));
	len = 3;
	assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), out, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, sizeof(plain));
	len = sizeof(out);
	assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), out, &len), CKR_OK);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(out, plain, sizeof(plain));
	assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), out, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(p11->C_DecryptUpdate(s, ct, sizeof(ct), out, &len),
			 CKR_FUNCTION_NOT_SUPPORTED);

	/* every flipped bit of ciphertext or tag, or of the AAD, fails */
	for (i = 0; i < 8 * sizeof(ct); i += 7) {
		ct[i / 8] ^= (uint8_t)(1u << (i % 8));
		memset(out, 0xee, sizeof(out));
		len = sizeof(out);
		assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_OK);
		assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), out, &len),
				 CKR_ENCRYPTED_DATA_INVALID);
		assert_int_equal(out[0], 0xee);   /* nothing written */
		ct[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	aad[31] ^= 1;
	assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_OK);
	len = sizeof(out);
	assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), out, &len), CKR_ENCRYPTED_DATA_INVALID);
	aad[31] ^= 1;
	/* a DPCK of another DPPK-ID is another key */
	assert_int_equal(derive_dpck(s, ssv, d->dppk_id ^ 1, NULL, 0, &k2), CKR_OK);
	assert_int_equal(p11->C_DecryptInit(s, &gm, k2), CKR_OK);
	len = sizeof(out);
	assert_int_equal(p11->C_Decrypt(s, ct, sizeof(ct), out, &len), CKR_ENCRYPTED_DATA_INVALID);
	/* lengths and parameters */
	assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_OK);
	len = sizeof(out);
	assert_int_equal(p11->C_Decrypt(s, ct, 15, out, &len), CKR_ENCRYPTED_DATA_LEN_RANGE);
	gp.tag_bits = 96;
	assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_MECHANISM_PARAM_INVALID);
	gp.tag_bits = 128;
	gp.iv_len = 0;
	assert_int_equal(p11->C_DecryptInit(s, &gm, k), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}
