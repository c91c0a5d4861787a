/* tests/integration/test_token_crypto.c - ECCSI, SAKKE and the MIKEY PRF
 * through the module, checked against the vendor vectors and libmstcore. */
#include "test_token.h"

#include "token/eccsi.h"
#include "token/mikey_prf.h"

static const char msg[] = "MIKEY-SAKKE I_MESSAGE to sign";

static CK_OBJECT_HANDLE unwrap(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE rsk, const uint8_t *data,
			       CK_ULONG len, int readable, CK_RV want)
{
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, NULL, 0 };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, readable ? &no : &yes, sizeof(no) },
		{ CKA_EXTRACTABLE, readable ? &yes : &no, sizeof(no) },
	};
	CK_OBJECT_HANDLE h = 0;

	assert_int_equal(p11->C_UnwrapKey(s, &m, rsk, (CK_BYTE_PTR)(uintptr_t)data, len, t, 5, &h),
			 want);
	return h;
}

static CK_OBJECT_HANDLE derive(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE base, CK_ULONG kind,
			       CK_BYTE cs_id, CK_ULONG csb_id, const uint8_t *rand, size_t rand_len,
			       CK_ULONG len)
{
	CK_MSTOKEN_MIKEY_PRF_PARAMS p = {
		CK_MSTOKEN_PRF_HMAC_SHA256, kind, cs_id, csb_id,
		(unsigned char *)(uintptr_t)rand, rand_len,
	};
	CK_MECHANISM m = { CKM_MSTOKEN_MIKEY_PRF, &p, sizeof(p) };
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_OBJECT_HANDLE h = 0;

	assert_int_equal(p11->C_DeriveKey(s, &m, base, t, 3, &h), CKR_OK);
	return h;
}

void test_sign_verify(void **state)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE e = tok_user_key(s, a->uid, 32, 1), r = tok_user_key(s, a->uid, 32, 2);
	CK_OBJECT_HANDLE kp = tok_community(s, CKK_MSTOKEN_ECCSI, SW_KMS_URI);
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 }, bad = { CKM_MSTOKEN_ECCSI, BYTES(msg), 4 };
	CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = { (unsigned char *)(uintptr_t)a->uid, 32 };
	CK_MECHANISM vm = { CKM_MSTOKEN_ECCSI, &vp, sizeof(vp) };
	uint8_t sig[200];
	CK_ULONG len;

	(void)state;
	assert_int_equal(p11->C_Sign(s, BYTES(msg), sizeof(msg), sig, &len),
			 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(p11->C_SignInit(s, &bad, e), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(p11->C_SignInit(s, &m, r), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(p11->C_SignInit(s, &m, e), CKR_OK);
	assert_int_equal(p11->C_SignInit(s, &m, e), CKR_OPERATION_ACTIVE);
	/* size query and short buffer keep the operation */
	assert_int_equal(p11->C_Sign(s, BYTES(msg), sizeof(msg), NULL, &len), CKR_OK);
	assert_int_equal(len, 129);
	len = 64;
	assert_int_equal(p11->C_Sign(s, BYTES(msg), sizeof(msg), sig, &len),
			 CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 129);
	len = sizeof(sig);
	assert_int_equal(p11->C_Sign(s, BYTES(msg), sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(len, 129);
	assert_memory_equal(sig + 64, a->pvt, 65);
	/* RFC 6507 verification outside the token, and inside it */
	assert_int_equal(eccsi_verify(a->kpak, a->uid, 32, (const uint8_t *)msg, sizeof(msg), sig),
			 MST_OK);
	assert_int_equal(p11->C_VerifyInit(s, &m, kp), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(p11->C_VerifyInit(s, &vm, kp), CKR_OK);
	assert_int_equal(p11->C_Verify(s, BYTES(msg), sizeof(msg), sig, 129), CKR_OK);
	assert_int_equal(p11->C_VerifyInit(s, &vm, kp), CKR_OK);
	assert_int_equal(p11->C_Verify(s, BYTES(msg), sizeof(msg), sig, 128),
			 CKR_SIGNATURE_LEN_RANGE);
	sig[10] ^= 0x40;
	assert_int_equal(p11->C_VerifyInit(s, &vm, kp), CKR_OK);
	assert_int_equal(p11->C_Verify(s, BYTES(msg), sizeof(msg), sig, 129),
			 CKR_SIGNATURE_INVALID);
	/* multi-part */
	assert_int_equal(p11->C_SignInit(s, &m, e), CKR_OK);
	assert_int_equal(p11->C_SignUpdate(s, BYTES(msg), 10), CKR_OK);
	assert_int_equal(p11->C_SignUpdate(s, BYTES(msg) + 10, sizeof(msg) - 10), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(p11->C_SignFinal(s, sig, &len), CKR_OK);
	assert_int_equal(eccsi_verify(a->kpak, a->uid, 32, (const uint8_t *)msg, sizeof(msg), sig),
			 MST_OK);
	assert_int_equal(p11->C_VerifyInit(s, &vm, kp), CKR_OK);
	assert_int_equal(p11->C_VerifyUpdate(s, BYTES(msg), 3), CKR_OK);
	assert_int_equal(p11->C_VerifyUpdate(s, BYTES(msg) + 3, sizeof(msg) - 3), CKR_OK);
	assert_int_equal(p11->C_VerifyFinal(s, sig, 129), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* The vendor I_MESSAGE signatures verify with C_Verify. */
void test_verify_vendor_signatures(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE kp = tok_community(s, CKK_MSTOKEN_ECCSI, SW_KMS_URI);
	size_t i, checked = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_messages); i++) {
		const struct interop_message *im = &interop_messages[i];
		CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = {
			(unsigned char *)(uintptr_t)im->initiator_id, im->initiator_id_len,
		};
		CK_MECHANISM vm = { CKM_MSTOKEN_ECCSI, &vp, sizeof(vp) };

		if (strcmp(im->block, "streamwide") != 0)
			continue;
		assert_int_equal(p11->C_VerifyInit(s, &vm, kp), CKR_OK);
		assert_int_equal(p11->C_Verify(s, (CK_BYTE_PTR)(uintptr_t)im->imessage + im->signed_offset,
					       im->signed_len, (CK_BYTE_PTR)(uintptr_t)im->signature,
					       129), CKR_OK);
		checked++;
	}
	assert_true(checked >= 3);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* Every streamwide SAKKE payload decapsulates to the published SSV in
 * the token that holds its responder's key. */
void test_unwrap_vendor_payloads(void **state)
{
	CK_SESSION_HANDLE sa = tok_session("alice", 1), sb = tok_session("bob", 1);
	uint8_t data[273], value[64], tek[16];
	CK_ULONG len;
	size_t i, done = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_messages); i++) {
		const struct interop_message *im = &interop_messages[i];
		CK_SESSION_HANDLE s = sa;
		CK_OBJECT_HANDLE r, k, d;

		if (strcmp(im->block, "streamwide") != 0)
			continue;
		r = tok_user_key(sa, im->responder_id, im->responder_id_len, 2);
		if (r == 0) {
			s = sb;
			r = tok_user_key(sb, im->responder_id, im->responder_id_len, 2);
		}
		assert_int_not_equal(r, 0);
		/* a readable SSV is refused (key isolation): it stays inside,
		 * and only SRTP keys derived from it leave */
		unwrap(s, r, im->sakke_data, 273, 1, CKR_TEMPLATE_INCONSISTENT);
		k = unwrap(s, r, im->sakke_data, 273, 0, CKR_OK);
		len = sizeof(value);
		assert_int_equal(tok_value(s, k, value, &len), CKR_ATTRIBUTE_SENSITIVE);
		d = derive(s, k, CK_MSTOKEN_KEY_TEK, 0, im->csb_id, im->rand, im->rand_len, 16);
		len = sizeof(value);
		assert_int_equal(tok_value(s, d, value, &len), CKR_OK);
		assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA256, im->ssv, 16, MIKEY_KEY_TEK, 0,
					      im->csb_id, im->rand, im->rand_len, tek, 16), MST_OK);
		assert_memory_equal(value, tek, 16);
		/* damaged payloads */
		memcpy(data, im->sakke_data, 273);
		data[272] ^= 1;
		unwrap(s, r, data, 273, 0, CKR_WRAPPED_KEY_INVALID);
		memcpy(data, im->sakke_data, 273);
		data[100] ^= 1;
		unwrap(s, r, data, 273, 0, CKR_WRAPPED_KEY_INVALID);
		unwrap(s, r, im->sakke_data, 272, 0, CKR_WRAPPED_KEY_LEN_RANGE);
		unwrap(s, tok_user_key(s, im->responder_id, 32, 1), im->sakke_data, 273, 0,
		       CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
		done++;
	}
	assert_true(done >= 4);
	assert_int_equal(p11->C_CloseSession(sa), CKR_OK);
	assert_int_equal(p11->C_CloseSession(sb), CKR_OK);
}

static CK_ULONG kind_of(const char *name)
{
	if (strcmp(name, "tek") == 0)
		return CK_MSTOKEN_KEY_TEK;
	if (strcmp(name, "salt") == 0)
		return CK_MSTOKEN_KEY_SALT;
	if (strcmp(name, "auth") == 0)
		return CK_MSTOKEN_KEY_AUTH;
	return CK_MSTOKEN_KEY_ENC;
}

/* Vendor PRF-HMAC-SHA-256 derivations, from a sensitive base key. */
void test_derive_vendor_kdf(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	uint8_t out[64], value[64];
	CK_ULONG len, vlen = 16;
	size_t i, j, pos;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_kdf_vectors); i++) {
		const struct interop_kdf_vector *v = &interop_kdf_vectors[i];
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_VALUE, (void *)(uintptr_t)v->ssv, v->ssv_len },
			{ CKA_DERIVE, &yes, sizeof(yes) },
		};
		CK_OBJECT_HANDLE base;

		assert_int_equal(p11->C_CreateObject(s, t, 4, &base), CKR_OK);
		for (j = 0, pos = 0; j < 2; j++) {
			CK_OBJECT_HANDLE d = derive(s, base, kind_of(v->derive[j].kind), v->cs_id,
						    v->csb_id, v->rand, v->rand_len,
						    v->derive[j].bits / 8);

			len = sizeof(value);
			assert_int_equal(tok_value(s, d, value, &len), CKR_OK);
			assert_int_equal(len, v->derive[j].bits / 8);
			memcpy(out + pos, value, len);
			pos += len;
		}
		assert_int_equal(pos, v->expected_len);
		assert_memory_equal(out, v->expected, pos);
		len = sizeof(value);
		assert_int_equal(tok_value(s, base, value, &len), CKR_ATTRIBUTE_SENSITIVE);
		/* a base key without CKA_DERIVE derives nothing */
		t[3].pValue = &no;
		assert_int_equal(p11->C_CreateObject(s, t, 4, &base), CKR_OK);
		{
			CK_MSTOKEN_MIKEY_PRF_PARAMS p = { 1, 0, 0, 0, (unsigned char *)(uintptr_t)v->rand,
							  v->rand_len };
			CK_MECHANISM m = { CKM_MSTOKEN_MIKEY_PRF, &p, sizeof(p) };
			CK_ATTRIBUTE dt = { CKA_VALUE_LEN, &vlen, sizeof(vlen) };
			CK_OBJECT_HANDLE d;

			assert_int_equal(p11->C_DeriveKey(s, &m, base, &dt, 1, &d),
					 CKR_KEY_FUNCTION_NOT_PERMITTED);
			p.ulRandLen = 8;
			t[3].pValue = &yes;
			assert_int_equal(p11->C_CreateObject(s, t, 4, &base), CKR_OK);
			assert_int_equal(p11->C_DeriveKey(s, &m, base, &dt, 1, &d),
					 CKR_MECHANISM_PARAM_INVALID);
			p.ulRandLen = v->rand_len;
			assert_int_equal(p11->C_DeriveKey(s, &m, base, NULL, 0, &d),
					 CKR_TEMPLATE_INCOMPLETE);
		}
	}
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

static CK_OBJECT_HANDLE generate(CK_SESSION_HANDLE s, CK_ULONG len, int trusted_only, CK_RV want)
{
	CK_MECHANISM m = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_BBOOL wwt = trusted_only ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_WRAP_WITH_TRUSTED, &wwt, sizeof(wwt) },
	};
	CK_OBJECT_HANDLE h = 0;

	assert_int_equal(p11->C_GenerateKey(s, &m, t, 2, &h), want);
	return h;
}

static CK_RV wrap(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key,
		  const uint8_t *id, uint8_t *out, CK_ULONG *len)
{
	CK_MSTOKEN_SAKKE_WRAP_PARAMS p = { (unsigned char *)(uintptr_t)id, 32 };
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, &p, sizeof(p) };

	return p11->C_WrapKey(s, &m, wrapping, key, out, len);
}

/* A new SSV made in alice's token, encapsulated to bob, decapsulated in
 * bob's token: both derive the same SRTP master key. */
void test_generate_wrap_unwrap_round_trip(void **state)
{
	const struct interop_key_set *b = sw_user("bob");
	CK_SESSION_HANDLE sa = tok_session("alice", 1), sb = tok_session("bob", 1);
	CK_OBJECT_HANDLE zt = tok_community(sa, CKK_MSTOKEN_SAKKE, SW_KMS_URI);
	CK_OBJECT_HANDLE ssv, got, da, db;
	uint8_t encap[300], rand[16] = { 1, 2, 3 }, ka[16], kb[16], v[64];
	CK_ULONG len, ka_len = 16, kb_len = 16;
	CK_BBOOL flag;
	CK_ATTRIBUTE a = { CKA_LOCAL, &flag, sizeof(flag) };

	(void)state;
	generate(sa, 24, 1, CKR_ATTRIBUTE_VALUE_INVALID);
	generate(sa, 32, 1, CKR_OK);
	ssv = generate(sa, 16, 1, CKR_OK);
	len = sizeof(v);
	assert_int_equal(tok_value(sa, ssv, v, &len), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(p11->C_GetAttributeValue(sa, ssv, &a, 1), CKR_OK);
	assert_int_equal(flag, CK_TRUE);
	a.type = CKA_NEVER_EXTRACTABLE;
	assert_int_equal(p11->C_GetAttributeValue(sa, ssv, &a, 1), CKR_OK);
	assert_int_equal(flag, CK_TRUE);
	assert_int_equal(wrap(sa, zt, ssv, b->uid, NULL, &len), CKR_OK);
	assert_int_equal(len, 273);
	len = 100;
	assert_int_equal(wrap(sa, zt, ssv, b->uid, encap, &len), CKR_BUFFER_TOO_SMALL);
	len = sizeof(encap);
	assert_int_equal(wrap(sa, zt, ssv, b->uid, encap, &len), CKR_OK);
	assert_int_equal(len, 273);
	got = unwrap(sb, tok_user_key(sb, b->uid, 32, 2), encap, 273, 0, CKR_OK);
	da = derive(sa, ssv, CK_MSTOKEN_KEY_TEK, 0, 0x12345678, rand, 16, 16);
	db = derive(sb, got, CK_MSTOKEN_KEY_TEK, 0, 0x12345678, rand, 16, 16);
	assert_int_equal(tok_value(sa, da, ka, &ka_len), CKR_OK);
	assert_int_equal(tok_value(sb, db, kb, &kb_len), CKR_OK);
	assert_memory_equal(ka, kb, 16);
	assert_int_equal(p11->C_CloseSession(sa), CKR_OK);
	assert_int_equal(p11->C_CloseSession(sb), CKR_OK);
}

void test_wrap_rules(void **state)
{
	const struct interop_key_set *b = sw_user("bob");
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE zt = tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI);
	CK_OBJECT_HANDLE kp = tok_community(s, CKK_MSTOKEN_ECCSI, SW_KMS_URI);
	CK_OBJECT_HANDLE plain = generate(s, 16, 0, CKR_OK), k32 = generate(s, 32, 1, CKR_OK);
	CK_OBJECT_HANDLE open16 = tok_secret(s, (const uint8_t *)"0123456789abcdef", 16);
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE down = { CKA_WRAP_WITH_TRUSTED, &no, sizeof(no) };
	CK_ATTRIBUTE up = { CKA_EXTRACTABLE, &yes, sizeof(yes) };
	uint8_t out[300];
	CK_ULONG len = sizeof(out);

	(void)state;
	/* unextractable and not wrap-with-trusted: no way out */
	assert_int_equal(wrap(s, zt, plain, b->uid, out, &len), CKR_KEY_UNEXTRACTABLE);
	assert_int_equal(p11->C_SetAttributeValue(s, plain, &up, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(wrap(s, zt, k32, b->uid, out, &len), CKR_KEY_SIZE_RANGE);
	assert_int_equal(wrap(s, kp, open16, b->uid, out, &len), CKR_WRAPPING_KEY_TYPE_INCONSISTENT);
	assert_int_equal(p11->C_WrapKey(s, &m, zt, open16, out, &len), CKR_MECHANISM_PARAM_INVALID);
	/* an extractable secret wraps; identity keys never do */
	assert_int_equal(wrap(s, zt, open16, b->uid, out, &len), CKR_OK);
	len = sizeof(out);
	assert_int_equal(wrap(s, zt, tok_user_key(s, sw_user("alice")->uid, 32, 2), b->uid, out,
			      &len), CKR_KEY_NOT_WRAPPABLE);
	/* one-way attributes */
	assert_int_equal(p11->C_SetAttributeValue(s, k32, &down, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}
