/* tests/integration/test_token_vendors.c - every vendor key set of
 * tests/vectors (Streamwide, ALEA, Thales, eazon ...) through the module:
 * imported as session objects under its block's community, refused when
 * the vectors say it does not validate, signing, decapsulating the
 * block's I_MESSAGE payloads, and verifying their signatures. */
#include "test_token.h"

#include "token/eccsi.h"

static CK_RV create_session_data(CK_SESSION_HANDLE s, const char *app, const char *xml)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_VALUE, (void *)(uintptr_t)xml, strlen(xml) },
		{ CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) },
	};
	CK_OBJECT_HANDLE h;

	return p11->C_CreateObject(s, t, 4, &h);
}

/* A private key by CKA_ID within one community (CKA_MSTOKEN_KMS_URI). */
static CK_OBJECT_HANDLE key_of(CK_SESSION_HANDLE s, const char *kms, const uint8_t *uid,
			       size_t uid_len, int suffix)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	uint8_t id[1100];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, id, uid_len + 1 },
		{ CKA_MSTOKEN_KMS_URI, (void *)(uintptr_t)kms, strlen(kms) },
	};
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = 0;

	assert_true(uid_len < sizeof(id));
	memcpy(id, uid, uid_len);
	id[uid_len] = (uint8_t)suffix;
	assert_int_equal(p11->C_FindObjectsInit(s, t, 3), CKR_OK);
	assert_int_equal(p11->C_FindObjects(s, &h, 1, &n), CKR_OK);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	return n ? h : 0;
}

static int seen_uid(size_t upto, const char *block, const struct interop_key_set *k)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (strcmp(interop_key_sets[i].block, block) == 0 &&
		    interop_key_sets[i].uid_len == k->uid_len &&
		    memcmp(interop_key_sets[i].uid, k->uid, k->uid_len) == 0)
			return 1;
	return 0;
}

struct tally {
	size_t imported, refused, unwrapped, verified;
};

static void key_sets_of(CK_SESSION_HANDLE s, const char *block, const char *kms,
			struct tally *n)
{
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *k = &interop_key_sets[i];
		uint8_t sig[129];
		CK_ULONG len = 129;
		char *xml;
		CK_RV rv;

		if (strcmp(k->block, block) != 0)
			continue;
		xml = xml_keyset(kms, k->user, k->uid, k->uid_len, k->rsk, k->ssk, k->pvt);
		rv = create_session_data(s, MSTOKEN_APP_KMS_KEYSET, xml);
		free(xml);
		if (!k->expect_valid) {
			assert_int_equal(rv, CKR_ATTRIBUTE_VALUE_INVALID);
			n->refused++;
			continue;
		}
		if (rv == CKR_ATTRIBUTE_VALUE_INVALID && seen_uid(i, block, k))
			continue;       /* a second (SSK, PVT) pair of one identifier */
		assert_int_equal(rv, CKR_OK);
		assert_int_equal(p11->C_SignInit(s, &m, key_of(s, kms, k->uid, k->uid_len, 1)), CKR_OK);
		assert_int_equal(p11->C_Sign(s, BYTES(block), strlen(block), sig, &len), CKR_OK);
		assert_int_equal(eccsi_verify(k->kpak, k->uid, k->uid_len, (const uint8_t *)block,
					      strlen(block), sig), MST_OK);
		n->imported++;
	}
}

static void messages_of(CK_SESSION_HANDLE s, const char *block, const char *kms,
			struct tally *n)
{
	CK_MECHANISM um = { CKM_MSTOKEN_SAKKE, NULL, 0 };
	CK_OBJECT_HANDLE kp = tok_community(s, CKK_MSTOKEN_ECCSI, kms);
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_messages); i++) {
		const struct interop_message *im = &interop_messages[i];
		CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = {
			(unsigned char *)(uintptr_t)im->initiator_id, im->initiator_id_len,
		};
		CK_MECHANISM vm = { CKM_MSTOKEN_ECCSI, &vp, sizeof(vp) };
		CK_OBJECT_HANDLE r, ssv;

		if (strcmp(im->block, block) != 0)
			continue;
		assert_int_equal(p11->C_VerifyInit(s, &vm, kp), CKR_OK);
		assert_int_equal(p11->C_Verify(s, BYTES(im->imessage + im->signed_offset),
					       im->signed_len, BYTES(im->signature), 129), CKR_OK);
		n->verified++;
		r = key_of(s, kms, im->responder_id, im->responder_id_len, 2);
		if (r == 0)
			continue;       /* no key set published for the responder */
		assert_int_equal(p11->C_UnwrapKey(s, &um, r, BYTES(im->sakke_data), 273, t, 1, &ssv),
				 CKR_OK);
		/* the SSV never leaves the token: compare what is derived from it */
		tok_assert_secret_is(s, ssv, im->ssv, 16);
		n->unwrapped++;
	}
}

void test_all_vendor_key_sets(void **state)
{
	struct tally n = { 0, 0, 0, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *k = &interop_key_sets[i];
		CK_SESSION_HANDLE s;
		char kms[96], *xml;
		int user;

		if (i > 0 && strcmp(interop_key_sets[i - 1].block, k->block) == 0)
			continue;       /* one pass per block */
		/* session objects: gone with the session, the tokens stay as they are */
		s = tok_session("bob", 1);
		snprintf(kms, sizeof(kms), "kms.%s.vendors.test", k->block);
		xml = xml_certificate(kms, k->z, k->kpak);
		/* the SO imports the community (a session object of this session) */
		user = tok_login_so(s);
		assert_int_equal(create_session_data(s, MSTOKEN_APP_KMS_CERTIFICATE, xml), CKR_OK);
		tok_login_back(s, user);
		free(xml);
		key_sets_of(s, k->block, kms, &n);
		messages_of(s, k->block, kms, &n);
		assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	}
	print_message("vendor key sets: %zu imported and signing, %zu refused; %zu payloads "
		      "decapsulated, %zu signatures verified\n", n.imported, n.refused,
		      n.unwrapped, n.verified);
	assert_true(n.imported >= 20);
	assert_true(n.refused >= 1);
	assert_true(n.unwrapped >= 10);
	assert_true(n.verified >= 15);
}
