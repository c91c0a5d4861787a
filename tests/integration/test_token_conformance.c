/* tests/integration/test_token_conformance.c - black-box attacks and the
 * PKCS#11 2.40 rules a review and google/pkcs11test found broken (issue 11
 * items 2, 5, 7 and 8), on a fresh token of its own: alice's slot with
 * the streamwide community and alice's key set.  token-conformance.sh runs
 * it on SoftHSM2-backed slots (and token-conformance-tpm.sh on tpm ones).
 */
#include "test_token.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "token/eccsi.h"

#define NEW_PIN "56781234"

static const char msg[] = "an I_MESSAGE to sign";
/* a string literal as the non-const pValue a template takes */
#define TXT(lit) ((void *)(uintptr_t)(lit))
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* ---- fixture ----------------------------------------------------------- */

/* pkcs11-tool --write-object of KMS XML (with one more attribute when
 * extra != NULL) in a session of its own, logged in as who. */
static CK_RV import_as(CK_USER_TYPE who, const char *pin, const char *app, const char *xml,
		       const CK_ATTRIBUTE *extra)
{
	CK_SESSION_HANDLE s = tok_session("alice", 0);
	CK_RV rv = p11->C_Login(s, who, PIN(pin), strlen(pin));

	if (rv == CKR_USER_ALREADY_LOGGED_IN)   /* by another session of the test */
		rv = CKR_OK;
	if (rv == CKR_OK)
		rv = tok_create_data_with(s, app, xml, extra, NULL);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	return rv;
}

static int provision(void **state)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s;
	char *xml;

	(void)state;
	tok_load();
	memset(label, ' ', sizeof(label));
	memcpy(label, "alice", 5);
	assert_int_equal(p11->C_InitToken(tok_slot("alice"), PIN(SO_PIN), strlen(SO_PIN), label),
			 CKR_OK);
	s = tok_session("alice", 0);
	assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)), CKR_OK);
	assert_int_equal(p11->C_InitPIN(s, PIN(USER_PIN), strlen(USER_PIN)), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	/* the community: in an SO session where trust is the SO's, else
	 * (before that rule) in a user session */
	xml = xml_certificate(SW_KMS_URI, a->z, a->kpak);
	if (import_as(CKU_SO, SO_PIN, MSTOKEN_APP_KMS_CERTIFICATE, xml, NULL) != CKR_OK)
		assert_int_equal(import_as(CKU_USER, USER_PIN, MSTOKEN_APP_KMS_CERTIFICATE, xml,
					   NULL), CKR_OK);
	free(xml);
	xml = sw_keyset_xml("alice");
	assert_int_equal(import_as(CKU_USER, USER_PIN, MSTOKEN_APP_KMS_KEYSET, xml, NULL), CKR_OK);
	free(xml);
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static CK_BBOOL attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = 0xff;
	CK_ATTRIBUTE a = { type, &b, sizeof(b) };

	assert_int_equal(p11->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	return b;
}

/* C_GenerateKey of len octets with the template's sensitivity flags
 * (sens/extr: -1 leaves the attribute out). */
static CK_RV generate(CK_SESSION_HANDLE s, CK_ULONG len, int sens, int extr, CK_OBJECT_HANDLE *h)
{
	CK_MECHANISM m = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE t[4] = { { CKA_VALUE_LEN, &len, sizeof(len) } };
	CK_ULONG n = 1;

	if (sens >= 0)
		t[n++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, sens ? &yes : &no, sizeof(CK_BBOOL) };
	if (extr >= 0)
		t[n++] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, extr ? &yes : &no, sizeof(CK_BBOOL) };
	return p11->C_GenerateKey(s, &m, t, n, h);
}

static CK_RV unwrap(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE rsk, const uint8_t *data,
		    CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *h)
{
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, NULL, 0 };

	return p11->C_UnwrapKey(s, &m, rsk, (CK_BYTE_PTR)(uintptr_t)data, 273, t, n, h);
}

/* SAKKE-encapsulate key to alice herself under the trusted Z_T. */
static void wrap_to_alice(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, uint8_t out[273])
{
	CK_MSTOKEN_SAKKE_WRAP_PARAMS p = { (unsigned char *)(uintptr_t)sw_user("alice")->uid, 32 };
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, &p, sizeof(p) };
	CK_OBJECT_HANDLE zt = tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI);
	CK_ULONG len = 273;

	assert_int_not_equal(zt, 0);
	assert_int_equal(p11->C_WrapKey(s, &m, zt, key, out, &len), CKR_OK);
	assert_int_equal(len, 273);
}

/* A readable MIKEY PRF output of base (TEK, 16 octets): the one kind of
 * key that may leave the token. */
static void prf_output(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE base, uint8_t out[16])
{
	static const uint8_t rand[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	CK_MSTOKEN_MIKEY_PRF_PARAMS p = {
		CK_MSTOKEN_PRF_HMAC_SHA256, CK_MSTOKEN_KEY_TEK, 0, 0xcafe,
		(unsigned char *)(uintptr_t)rand, sizeof(rand),
	};
	CK_MECHANISM m = { CKM_MSTOKEN_MIKEY_PRF, &p, sizeof(p) };
	CK_ULONG len = 16, got = 16;
	CK_ATTRIBUTE t[] = {
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_OBJECT_HANDLE d;

	assert_int_equal(p11->C_DeriveKey(s, &m, base, t, 3, &d), CKR_OK);
	assert_int_equal(tok_value(s, d, out, &got), CKR_OK);
	assert_int_equal(got, 16);
	assert_int_equal(p11->C_DestroyObject(s, d), CKR_OK);
}

/* The key's value cannot be read, and no attribute change or copy makes
 * it readable. */
static void assert_never_readable(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k)
{
	CK_ATTRIBUTE up = { CKA_EXTRACTABLE, &yes, sizeof(yes) };
	CK_ATTRIBUTE down = { CKA_SENSITIVE, &no, sizeof(no) };
	CK_OBJECT_HANDLE c;
	uint8_t v[64];
	CK_ULONG len = sizeof(v);

	assert_int_equal(attr_bool(s, k, CKA_SENSITIVE), CK_TRUE);
	assert_int_equal(attr_bool(s, k, CKA_EXTRACTABLE), CK_FALSE);
	assert_int_equal(tok_value(s, k, v, &len), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(p11->C_SetAttributeValue(s, k, &up, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(p11->C_SetAttributeValue(s, k, &down, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(p11->C_CopyObject(s, k, &up, 1, &c), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(p11->C_CopyObject(s, k, &down, 1, &c), CKR_ATTRIBUTE_READ_ONLY);
}

/* ---- item 2: keys the token makes are never readable ------------------- */

/* Readable-generate attempt: an SSV (16) or GMK (32) asked non-sensitive
 * or extractable is refused and nothing is made. */
static void test_generate_never_readable(void **state)
{
	static const CK_ULONG lens[] = { 16, 32 };
	static const int asks[][2] = { { 0, -1 }, { -1, 1 }, { 0, 1 }, { 1, 1 }, { 0, 0 } };
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE k;
	CK_ULONG before;
	size_t i, j;

	(void)state;
	for (i = 0; i < 2; i++) {
		before = tok_count(s);
		for (j = 0; j < sizeof(asks) / sizeof(asks[0]); j++)
			assert_int_equal(generate(s, lens[i], asks[j][0], asks[j][1], &k),
					 CKR_TEMPLATE_INCONSISTENT);
		assert_int_equal(tok_count(s), before);
		assert_int_equal(generate(s, lens[i], 1, 0, &k), CKR_OK);
		assert_never_readable(s, k);
		assert_int_equal(attr_bool(s, k, CKA_ALWAYS_SENSITIVE), CK_TRUE);
		assert_int_equal(attr_bool(s, k, CKA_NEVER_EXTRACTABLE), CK_TRUE);
		assert_int_equal(generate(s, lens[i], -1, -1, &k), CKR_OK);
		assert_never_readable(s, k);
	}
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* Readable-unwrap attempt: whatever template asks a readable SSV (the one
 * pkcs11-tool --unwrap sends without --sensitive among them) is refused,
 * and nothing is made. */
static void test_unwrap_never_readable(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE rsk = tok_user_key(s, sw_user("alice")->uid, 32, 2), ssv, k;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	char label[] = "ssv";
	CK_ATTRIBUTE insensitive = { CKA_SENSITIVE, &no, sizeof(no) };
	CK_ATTRIBUTE extractable = { CKA_EXTRACTABLE, &yes, sizeof(yes) };
	CK_ATTRIBUTE both[] = { insensitive, extractable };
	CK_ATTRIBUTE tool[] = {         /* pkcs11-tool --unwrap --key-type GENERIC:16 */
		{ CKA_CLASS, &cls, sizeof(cls) }, { CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) }, { CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) }, { CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) }, { CKA_LABEL, label, 3 },
	};
	uint8_t payload[273];
	CK_ULONG before;

	(void)state;
	assert_int_not_equal(rsk, 0);
	assert_int_equal(generate(s, 16, -1, -1, &ssv), CKR_OK);
	wrap_to_alice(s, ssv, payload);
	before = tok_count(s);
	assert_int_equal(unwrap(s, rsk, payload, &insensitive, 1, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(unwrap(s, rsk, payload, &extractable, 1, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(unwrap(s, rsk, payload, both, 2, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(unwrap(s, rsk, payload, tool, 8, &k), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(tok_count(s), before);
	/* with CKA_SENSITIVE TRUE (pkcs11-tool --sensitive) it is made */
	tool[3].pValue = &yes;
	tool[2].pValue = &no;           /* a session object: the token stays clean */
	assert_int_equal(unwrap(s, rsk, payload, tool, 8, &k), CKR_OK);
	assert_never_readable(s, k);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* Wrap-to-self attempt: a never-extractable SSV encapsulated to one's own
 * identity under the trusted Z_T comes back as the same key (same PRF
 * outputs), still unreadable: CKA_NEVER_EXTRACTABLE holds. */
static void test_wrap_to_self_stays_unreadable(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE rsk = tok_user_key(s, sw_user("alice")->uid, 32, 2), ssv, back, again;
	CK_ATTRIBUTE readable[] = {
		{ CKA_SENSITIVE, &no, sizeof(no) }, { CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	uint8_t payload[273], payload2[273], d1[16], d2[16], d3[16];

	(void)state;
	assert_int_equal(generate(s, 16, -1, -1, &ssv), CKR_OK);
	assert_int_equal(attr_bool(s, ssv, CKA_NEVER_EXTRACTABLE), CK_TRUE);
	wrap_to_alice(s, ssv, payload);
	/* the attack: unwrap it readable */
	assert_int_equal(unwrap(s, rsk, payload, readable, 2, &back), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(unwrap(s, rsk, payload, NULL, 0, &back), CKR_OK);
	assert_never_readable(s, back);
	prf_output(s, ssv, d1);
	prf_output(s, back, d2);
	assert_memory_equal(d1, d2, 16);
	/* and round again, from the unwrapped copy */
	wrap_to_alice(s, back, payload2);
	assert_int_equal(unwrap(s, rsk, payload2, NULL, 0, &again), CKR_OK);
	assert_never_readable(s, again);
	prf_output(s, again, d3);
	assert_memory_equal(d1, d3, 16);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* ---- item 5: nothing outlives C_Logout -------------------------------- */

static CK_RV dpck_of(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE ssv, CK_OBJECT_HANDLE *k)
{
	CK_MSTOKEN_DPCK_PARAMS p = { 0x1234 };
	CK_MECHANISM m = { CKM_MSTOKEN_DPCK, &p, sizeof(p) };

	return p11->C_DeriveKey(s, &m, ssv, NULL, 0, k);
}

/* Operations initialised before C_Logout (in the session that logs out
 * and in another of the slot) end with it: C_Sign, C_SignUpdate,
 * C_SignFinal, C_Verify, C_FindObjects, C_Decrypt answer
 * CKR_OPERATION_NOT_INITIALIZED, also after logging in again. */
static void test_sign_after_logout(void **state)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_SESSION_HANDLE s1 = tok_session("alice", 1), s2 = tok_session("alice", 0);
	CK_OBJECT_HANDLE e = tok_user_key(s1, a->uid, 32, 1), e2, ssv, aes, found[4];
	CK_OBJECT_HANDLE kp = tok_community(s1, CKK_MSTOKEN_ECCSI, SW_KMS_URI);
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = { (unsigned char *)(uintptr_t)a->uid, 32 };
	CK_MECHANISM vm = { CKM_MSTOKEN_ECCSI, &vp, sizeof(vp) };
	uint8_t iv[12] = { 1 }, ct[32] = { 0 }, out[32];
	CK_GCM_PARAMS gp = { iv, 12, 96, NULL, 0, 128 };
	CK_MECHANISM gm = { CKM_AES_GCM, &gp, sizeof(gp) };
	uint8_t sig[129], zero[129];
	CK_ULONG len = sizeof(sig), n, out_len = sizeof(out);

	(void)state;
	assert_int_not_equal(e, 0);
	memset(sig, 0, sizeof(sig));
	memset(zero, 0, sizeof(zero));
	assert_int_equal(generate(s1, 16, -1, -1, &ssv), CKR_OK);
	assert_int_equal(dpck_of(s1, ssv, &aes), CKR_OK);
	assert_int_equal(p11->C_SignInit(s1, &m, e), CKR_OK);
	assert_int_equal(p11->C_SignInit(s2, &m, e), CKR_OK);
	assert_int_equal(p11->C_SignUpdate(s2, BYTES(msg), 5), CKR_OK);
	assert_int_equal(p11->C_VerifyInit(s2, &vm, kp), CKR_OK);
	assert_int_equal(p11->C_FindObjectsInit(s2, NULL, 0), CKR_OK);
	assert_int_equal(p11->C_DecryptInit(s1, &gm, aes), CKR_OK);

	assert_int_equal(p11->C_Logout(s1), CKR_OK);
	assert_int_equal(p11->C_Sign(s1, BYTES(msg), sizeof(msg), sig, &len),
			 CKR_OPERATION_NOT_INITIALIZED);
	assert_memory_equal(sig, zero, sizeof(sig));
	assert_int_equal(p11->C_SignUpdate(s2, BYTES(msg), 5), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(p11->C_SignFinal(s2, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(p11->C_Verify(s2, BYTES(msg), sizeof(msg), sig, 129),
			 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(p11->C_FindObjects(s2, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(p11->C_Decrypt(s1, ct, sizeof(ct), out, &out_len),
			 CKR_OPERATION_NOT_INITIALIZED);
	/* a new login does not bring them back, nor the old handles */
	assert_int_equal(p11->C_Login(s2, CKU_USER, PIN(USER_PIN), strlen(USER_PIN)), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(p11->C_Sign(s1, BYTES(msg), sizeof(msg), sig, &len),
			 CKR_OPERATION_NOT_INITIALIZED);
	assert_memory_equal(sig, zero, sizeof(sig));
	assert_int_equal(p11->C_SignInit(s1, &m, e), CKR_KEY_HANDLE_INVALID);
	/* signing itself works again with the key found anew */
	e2 = tok_user_key(s1, a->uid, 32, 1);
	assert_int_equal(p11->C_SignInit(s1, &m, e2), CKR_OK);
	len = sizeof(sig);
	assert_int_equal(p11->C_Sign(s1, BYTES(msg), sizeof(msg), sig, &len), CKR_OK);
	assert_int_equal(eccsi_verify(a->kpak, a->uid, 32, (const uint8_t *)msg, sizeof(msg), sig),
			 MST_OK);
	assert_int_equal(p11->C_CloseSession(s1), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s2), CKR_OK);
}

/* ---- item 7: NULL attribute values ------------------------------------- */

/* pValue NULL with a non-zero ulValueLen, in every function that takes a
 * template: CKR_ATTRIBUTE_VALUE_INVALID (a NULL template with a count:
 * CKR_ARGUMENTS_BAD), never a crash; C_GetAttributeValue is the length
 * query there. */
static void test_null_template_values(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE rsk = tok_user_key(s, sw_user("alice")->uid, 32, 2), data, ssv, h;
	CK_OBJECT_CLASS dcls = CKO_DATA;
	CK_ULONG sixteen = 16;
	CK_ATTRIBUTE make[] = {
		{ CKA_CLASS, &dcls, sizeof(dcls) }, { CKA_LABEL, TXT("hello"), 5 },
		{ CKA_TOKEN, &no, sizeof(no) },
	};
	CK_ATTRIBUTE null_label = { CKA_LABEL, NULL, 5 };
	CK_ATTRIBUTE with_null[] = { { CKA_CLASS, &dcls, sizeof(dcls) }, { CKA_LABEL, NULL, 5 } };
	CK_ATTRIBUTE null_class[] = { { CKA_CLASS, NULL, sizeof(dcls) } };
	CK_ATTRIBUTE null_import[] = {
		{ CKA_CLASS, &dcls, sizeof(dcls) }, { CKA_TOKEN, &no, sizeof(no) },
		{ CKA_APPLICATION, TXT(MSTOKEN_APP_KMS_KEYSET), strlen(MSTOKEN_APP_KMS_KEYSET) },
		{ CKA_VALUE, NULL, 2000 },
	};
	CK_ATTRIBUTE gen_null[] = { { CKA_VALUE_LEN, &sixteen, sizeof(sixteen) }, { CKA_LABEL, NULL, 5 } };
	CK_ATTRIBUTE gen_null_len[] = { { CKA_VALUE_LEN, NULL, sizeof(CK_ULONG) } };
	CK_ATTRIBUTE vendor_null = { CKA_VENDOR_DEFINED | 0x77, NULL, 4 };
	CK_MECHANISM gen = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_MSTOKEN_MIKEY_PRF_PARAMS pp = { 1, 0, 0, 0, (unsigned char *)TXT("0123456789abcdef"), 16 };
	CK_MECHANISM prf = { CKM_MSTOKEN_MIKEY_PRF, &pp, sizeof(pp) };
	CK_MSTOKEN_DPCK_PARAMS dp = { 1 };
	CK_MECHANISM dpck = { CKM_MSTOKEN_DPCK, &dp, sizeof(dp) };
	uint8_t payload[273];
	char buf[8];
	CK_ATTRIBUTE get = { CKA_LABEL, buf, sizeof(buf) };

	(void)state;
	assert_int_equal(p11->C_CreateObject(s, make, 3, &data), CKR_OK);
	assert_int_equal(generate(s, 16, -1, -1, &ssv), CKR_OK);
	wrap_to_alice(s, ssv, payload);

	/* the crash: an object with a 5-octet label compared with NULL */
	assert_int_equal(p11->C_FindObjectsInit(s, &null_label, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_FindObjectsInit(s, &vendor_null, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_FindObjectsInit(s, NULL, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_FindObjectsInit(s, make, 2), CKR_OK);   /* still usable */
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);

	assert_int_equal(p11->C_CreateObject(s, with_null, 2, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_CreateObject(s, null_class, 1, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_CreateObject(s, null_import, 4, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_CreateObject(s, NULL, 2, &h), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_SetAttributeValue(s, data, &null_label, 1),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_SetAttributeValue(s, data, NULL, 1), CKR_ARGUMENTS_BAD);
	/* a length a failed C_GetAttributeValue left (pkcs11test's
	 * SetInvalidAttributeLen, on an attribute a data object has) */
	get.ulValueLen = CK_UNAVAILABLE_INFORMATION;
	assert_int_equal(p11->C_SetAttributeValue(s, data, &get, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_FindObjectsInit(s, &get, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	get.ulValueLen = sizeof(buf);
	assert_int_equal(p11->C_CopyObject(s, data, &null_label, 1, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_CopyObject(s, data, NULL, 1, &h), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_GenerateKey(s, &gen, gen_null, 2, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_GenerateKey(s, &gen, gen_null_len, 1, &h),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_GenerateKey(s, &gen, NULL, 1, &h), CKR_ARGUMENTS_BAD);
	assert_int_equal(unwrap(s, rsk, payload, &null_label, 1, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(unwrap(s, rsk, payload, NULL, 1, &h), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_DeriveKey(s, &prf, ssv, gen_null, 2, &h),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_DeriveKey(s, &prf, ssv, NULL, 1, &h), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_DeriveKey(s, &dpck, ssv, &null_label, 1, &h),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	/* the length query */
	null_label.ulValueLen = 99;
	assert_int_equal(p11->C_GetAttributeValue(s, data, &null_label, 1), CKR_OK);
	assert_int_equal(null_label.ulValueLen, 5);
	assert_int_equal(p11->C_GetAttributeValue(s, data, NULL, 1), CKR_ARGUMENTS_BAD);
	/* nothing changed */
	assert_int_equal(p11->C_GetAttributeValue(s, data, &get, 1), CKR_OK);
	assert_int_equal(get.ulValueLen, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* ---- item 8: conformance ----------------------------------------------- */

/* C_SetPIN in a R/W public session changes the user PIN after checking
 * the old one; a read-only session cannot. */
static void test_set_pin_public_session(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 0), ro;

	(void)state;
	assert_int_equal(p11->C_OpenSession(tok_slot("alice"), CKF_SERIAL_SESSION, NULL, NULL, &ro),
			 CKR_OK);
	assert_int_equal(p11->C_SetPIN(ro, PIN(USER_PIN), strlen(USER_PIN), PIN(NEW_PIN),
				       strlen(NEW_PIN)), CKR_SESSION_READ_ONLY);
	assert_int_equal(p11->C_SetPIN(s, PIN("99999999"), 8, PIN(NEW_PIN), strlen(NEW_PIN)),
			 CKR_PIN_INCORRECT);
	assert_int_equal(p11->C_SetPIN(s, PIN(USER_PIN), strlen(USER_PIN), PIN(NEW_PIN),
				       strlen(NEW_PIN)), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), strlen(USER_PIN)),
			 CKR_PIN_INCORRECT);
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(NEW_PIN), strlen(NEW_PIN)), CKR_OK);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	/* and back, the same way */
	assert_int_equal(p11->C_SetPIN(s, PIN(NEW_PIN), strlen(NEW_PIN), PIN(USER_PIN),
				       strlen(USER_PIN)), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), strlen(USER_PIN)), CKR_OK);
	assert_int_equal(p11->C_CloseSession(ro), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* Key sizes in the units PKCS#11 2.40 gives each key type. */
static void test_mechanism_sizes(void **state)
{
	static const struct {
		CK_MECHANISM_TYPE type;
		CK_ULONG min, max;
		CK_FLAGS flags;
	} want[] = {
		{ CKM_GENERIC_SECRET_KEY_GEN, 128, 256, CKF_GENERATE },  /* bits */
		{ CKM_AES_GCM, 16, 32, CKF_DECRYPT },                    /* bytes */
		{ CKM_MSTOKEN_ECCSI, 256, 256, CKF_SIGN | CKF_VERIFY },
		{ CKM_MSTOKEN_SAKKE, 1024, 1024, CKF_WRAP | CKF_UNWRAP },
		{ CKM_MSTOKEN_MIKEY_PRF, 8, 512, CKF_DERIVE },
		{ CKM_MSTOKEN_DPCK, 8, 512, CKF_DERIVE },
	};
	CK_SLOT_ID slot = tok_slot("alice");
	CK_MECHANISM_INFO mi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(p11->C_GetMechanismInfo(slot, want[i].type, &mi), CKR_OK);
		assert_int_equal(mi.ulMinKeySize, want[i].min);
		assert_int_equal(mi.ulMaxKeySize, want[i].max);
		assert_int_equal(mi.flags, want[i].flags);
	}
}

/* The kept KmsCertificate and KmsKeySet data objects are the record of
 * what was imported: not modifiable, not copyable, and an import asking
 * otherwise stores nothing; C_DestroyObject removes the record only. */
static void test_kept_data_objects_fixed(void **state)
{
	static const char *const apps[] = { MSTOKEN_APP_KMS_CERTIFICATE, MSTOKEN_APP_KMS_KEYSET };
	const struct interop_key_set *b = sw_user("bob"), *a = sw_user("alice");
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_CLASS dcls = CKO_DATA;
	CK_ATTRIBUTE label = { CKA_LABEL, TXT("changed"), 7 }, value = { CKA_VALUE, TXT("<x/>"), 4 };
	CK_ATTRIBUTE modifiable = { CKA_MODIFIABLE, &yes, sizeof(yes) };
	CK_ATTRIBUTE copyable = { CKA_COPYABLE, &yes, sizeof(yes) };
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_OBJECT_HANDLE h, c;
	CK_ULONG n, before;
	uint8_t sig[129];
	char *xml;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &dcls, sizeof(dcls) },
			{ CKA_APPLICATION, (void *)(uintptr_t)apps[i], strlen(apps[i]) },
		};

		assert_int_equal(p11->C_FindObjectsInit(s, t, 2), CKR_OK);
		assert_int_equal(p11->C_FindObjects(s, &h, 1, &n), CKR_OK);
		assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(attr_bool(s, h, CKA_MODIFIABLE), CK_FALSE);
		assert_int_equal(attr_bool(s, h, CKA_COPYABLE), CK_FALSE);
		assert_int_equal(p11->C_SetAttributeValue(s, h, &label, 1), CKR_ACTION_PROHIBITED);
		assert_int_equal(p11->C_SetAttributeValue(s, h, &value, 1), CKR_ACTION_PROHIBITED);
		assert_int_equal(p11->C_CopyObject(s, h, NULL, 0, &c), CKR_ACTION_PROHIBITED);
	}
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	/* an import asking a modifiable or copyable record stores nothing */
	xml = sw_keyset_xml("bob");
	s = tok_session("alice", 1);
	before = tok_count(s);
	assert_int_equal(import_as(CKU_USER, USER_PIN, MSTOKEN_APP_KMS_KEYSET, xml, &modifiable),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(import_as(CKU_USER, USER_PIN, MSTOKEN_APP_KMS_KEYSET, xml, &copyable),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	s = tok_session("alice", 1);
	assert_int_equal(tok_count(s), before);
	assert_int_equal(tok_user_key(s, b->uid, 32, 1), 0);
	/* destroying the record leaves the keys */
	{
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &dcls, sizeof(dcls) },
			{ CKA_APPLICATION, TXT(MSTOKEN_APP_KMS_KEYSET), strlen(MSTOKEN_APP_KMS_KEYSET) },
		};

		assert_int_equal(p11->C_FindObjectsInit(s, t, 2), CKR_OK);
		assert_int_equal(p11->C_FindObjects(s, &h, 1, &n), CKR_OK);
		assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
		assert_int_equal(n, 1);
	}
	assert_int_equal(p11->C_DestroyObject(s, h), CKR_OK);
	h = tok_user_key(s, a->uid, 32, 1);
	assert_int_not_equal(h, 0);
	n = sizeof(sig);
	assert_int_equal(p11->C_SignInit(s, &m, h), CKR_OK);
	assert_int_equal(p11->C_Sign(s, BYTES(msg), sizeof(msg), sig, &n), CKR_OK);
	free(xml);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* What google/pkcs11test's RNG group exposed: C_SeedRandom checks its
 * arguments before saying it takes no seed. */
static void test_seed_random_arguments(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 0);
	CK_BYTE seed[8] = { 1 };

	(void)state;
	assert_int_equal(p11->C_SeedRandom(s, NULL, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_SeedRandom(s, seed, sizeof(seed)), CKR_RANDOM_SEED_NOT_SUPPORTED);
	assert_int_equal(p11->C_GenerateRandom(s, NULL, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(p11->C_GenerateRandom(s, seed, sizeof(seed)), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* C_Initialize from two threads at once: one CKR_OK, one
 * CKR_CRYPTOKI_ALREADY_INITIALIZED, every round. */
#define INIT_ROUNDS 10

struct init_race {
	pthread_barrier_t *go;
	CK_RV rv;
};

static void *race_init(void *arg)
{
	struct init_race *r = arg;
	CK_C_INITIALIZE_ARGS args;

	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	pthread_barrier_wait(r->go);
	r->rv = p11->C_Initialize(&args);
	return NULL;
}

static void test_initialize_race(void **state)
{
	pthread_barrier_t go;
	int round, twice = 0;

	(void)state;
	for (round = 0; round < INIT_ROUNDS; round++) {
		struct init_race r[2];
		pthread_t th[2];
		int i, ok = 0, already = 0;

		assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
		assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
		for (i = 0; i < 2; i++) {
			r[i].go = &go;
			assert_int_equal(pthread_create(&th[i], NULL, race_init, &r[i]), 0);
		}
		for (i = 0; i < 2; i++) {
			assert_int_equal(pthread_join(th[i], NULL), 0);
			ok += r[i].rv == CKR_OK;
			already += r[i].rv == CKR_CRYPTOKI_ALREADY_INITIALIZED;
		}
		pthread_barrier_destroy(&go);
		twice += ok == 2;
		assert_int_equal(ok + already, 2);
		assert_int_equal(ok, 1);
	}
	assert_int_equal(twice, 0);
}

/* A forked child's C_Initialize frees the parent's state: with 64 MiB of
 * buffered signing input in the parent's sessions, the child's heap
 * shrinks by it instead of keeping it. */
#define FAT_SESSIONS 64
#define FAT_INPUT (1024 * 1024)

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void test_fork_child_frees_parent_state(void **state)
{
	CK_SESSION_HANDLE s[FAT_SESSIONS];
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_OBJECT_HANDLE e;
	uint8_t *input = calloc(1, FAT_INPUT);
	int status, i;
	pid_t pid;

	(void)state;
	assert_non_null(input);
	for (i = 0; i < FAT_SESSIONS; i++) {
		s[i] = tok_session("alice", 1);
		e = tok_user_key(s[i], sw_user("alice")->uid, 32, 1);
		assert_int_equal(p11->C_SignInit(s[i], &m, e), CKR_OK);
		assert_int_equal(p11->C_SignUpdate(s[i], input, FAT_INPUT), CKR_OK);
	}
	free(input);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		CK_C_INITIALIZE_ARGS args;
		size_t before, after;
		CK_SESSION_HANDLE cs;
		int rc = 0;

		alarm(60);
		memset(&args, 0, sizeof(args));
		args.flags = CKF_OS_LOCKING_OK;
		if (p11->C_GetInfo(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED)
			rc |= 1;
		before = heap_in_use();
		if (p11->C_Initialize(&args) != CKR_OK)
			rc |= 2;
		after = heap_in_use();
		/* (under ASan or valgrind mallinfo2 sees no heap: then only the
		 * sanitizer's leak report can tell) */
		if (before >= (size_t)FAT_SESSIONS * FAT_INPUT &&
		    after + (size_t)FAT_SESSIONS * FAT_INPUT / 2 > before)
			rc |= 4;
		/* and the child's own token works */
		if (p11->C_OpenSession(tok_slot("alice"), CKF_SERIAL_SESSION, NULL, NULL, &cs) != CKR_OK ||
		    p11->C_Login(cs, CKU_USER, PIN(USER_PIN), strlen(USER_PIN)) != CKR_OK)
			rc |= 8;
		if (p11->C_Finalize(NULL) != CKR_OK)
			rc |= 16;
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent's sessions are untouched */
	for (i = 0; i < FAT_SESSIONS; i++) {
		uint8_t sig[129];
		CK_ULONG len = sizeof(sig);

		if (i == 0)
			assert_int_equal(p11->C_SignFinal(s[i], sig, &len), CKR_OK);
		assert_int_equal(p11->C_CloseSession(s[i]), CKR_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_never_readable),
		cmocka_unit_test(test_unwrap_never_readable),
		cmocka_unit_test(test_wrap_to_self_stays_unreadable),
		cmocka_unit_test(test_sign_after_logout),
		cmocka_unit_test(test_null_template_values),
		cmocka_unit_test(test_set_pin_public_session),
		cmocka_unit_test(test_mechanism_sizes),
		cmocka_unit_test(test_kept_data_objects_fixed),
		cmocka_unit_test(test_seed_random_arguments),
		cmocka_unit_test_teardown(test_initialize_race, tok_fixture_reload),
		cmocka_unit_test(test_fork_child_frees_parent_state),
	};

	/* MST_TEST_FILTER=test_name runs one test (each was checked to fail
	 * on the code before its fix, some by crashing) */
	if (getenv("MST_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("MST_TEST_FILTER"));
	return cmocka_run_group_tests(tests, provision, tok_fixture_unload);
}
