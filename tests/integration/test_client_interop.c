/* tests/integration/test_client_interop.c - every verified vendor I_MESSAGE
 * of tests/vectors (Streamwide, ALEA, Thales, eazon) accepted by ms_accept
 * through the real module, with a token holding just the recipient's key
 * set and the KMS certificate(s) the message names, at the message's own
 * time; the SSV it yields must be the published one.  The SSVs are compared
 * inside the token: both derive the same PRF-HMAC-SHA-256 key, and the
 * derived keys are compared. */
#include "tests/integration/test_client.h"
#include "client/policy.h"
#include "mikeysakke/keyparams.h"
#include <openssl/hmac.h>

static const struct interop_uid_vector *params_of(const uint8_t *uid, size_t len)
{
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_user_uids); i++)
		if (interop_user_uids[i].uid_len == len && memcmp(interop_user_uids[i].uid, uid, len) == 0)
			return &interop_user_uids[i];
	return NULL;
}

static const struct interop_key_set *key_set_of(const char *block, const uint8_t *uid, size_t len)
{
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++)
		if (strcmp(interop_key_sets[i].block, block) == 0 && interop_key_sets[i].uid_len == len &&
		    memcmp(interop_key_sets[i].uid, uid, len) == 0)
			return &interop_key_sets[i];
	return NULL;
}

/* The text of an IDR payload of a role, or "" */
static void idr_text(const struct mikey_msg *m, uint8_t role, char *out, size_t cap)
{
	const struct mikey_payload *p = mikey_find(m, MIKEY_PT_IDR, role);
	size_t n = p ? p->u.idr.data.len : 0;

	if (n >= cap)
		n = cap - 1;
	if (p)
		memcpy(out, p->u.idr.data.ptr, n);
	out[n] = '\0';
}

static void provision_for(const struct interop_message *v, const struct mikey_msg *m)
{
	const struct interop_key_set *k = key_set_of(v->block, v->responder_id, v->responder_id_len);
	const struct interop_uid_vector *rp = params_of(v->responder_id, v->responder_id_len);
	const struct interop_uid_vector *ip = params_of(v->initiator_id, v->initiator_id_len);
	char kmsi[256], kmsr[256];
	CK_SESSION_HANDLE s;
	unsigned long long period = ip ? ip->key_period : 16777215, offset = ip ? ip->key_offset : 0;

	assert_non_null(k);
	idr_text(m, MIKEY_IDR_KMSI, kmsi, sizeof(kmsi));
	idr_text(m, MIKEY_IDR_KMSR, kmsr, sizeof(kmsr));
	if (!kmsi[0])   /* eazon: IDRkms (role 3) only */
		idr_text(m, MIKEY_IDR_KMS, kmsi, sizeof(kmsi));
	if (!kmsr[0])
		strcpy(kmsr, kmsi);
	s = tc_token_begin("alice");
	tc_put_certificate(s, kmsi, period, offset, v->z, v->kpak);
	if (strcmp(kmsr, kmsi) != 0)   /* Thales: one KMS key pair under two names */
		tc_put_certificate(s, kmsr, rp ? rp->key_period : period, rp ? rp->key_offset : offset,
				   v->z, v->kpak);
	tc_put_keyset(s, kmsr, rp ? rp->uri : "sip:unnamed@interop.invalid", k,
		      rp ? rp->key_period_no : 0);
	tc_token_end(s);
}

/* PRF-HMAC-SHA-256 TEK of CS 0 from both SSV objects must agree. */
static void expect_ssv(struct ms_ctx *c, unsigned long ssv, const struct interop_message *v)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE, (void *)(uintptr_t)v->ssv, v->ssv_len },
		{ CKA_DERIVE, &yes, sizeof(yes) },
		{ CKA_TOKEN, &no, sizeof(no) },
	};
	CK_OBJECT_HANDLE pub;
	uint8_t a[16], b[16];

	assert_int_equal(c->p.f->C_CreateObject(c->p.s, t, 5, &pub), CKR_OK);
	assert_int_equal(ms_p11_derive(&c->p, ssv, 1, CK_MSTOKEN_KEY_TEK, 0, v->csb_id, v->rand,
				       v->rand_len, a, 16), MS_OK);
	assert_int_equal(ms_p11_derive(&c->p, pub, 1, CK_MSTOKEN_KEY_TEK, 0, v->csb_id, v->rand,
				       v->rand_len, b, 16), MS_OK);
	assert_memory_equal(a, b, 16);
	ms_p11_destroy(&c->p, pub);
}

/* General Extension type 7: ms_accept opened it in the token; the same
 * envelope opened here in software with the DPCK of the published SSV
 * (TS 33.220 B.2, FC 0x53, P0 = DPPK-ID) must give the same octets.
 * Returns 1 when the message carried an envelope. */
static int expect_key_params(struct ms_ctx *c, const struct mikey_msg *m,
			     const struct ms_accepted *acc, const struct interop_message *v)
{
	const struct mikey_payload *g = mikey_find(m, MIKEY_PT_GEXT, -1);
	struct mikey_keyparams_env env;
	uint8_t s[7], mac[32], plain[512];
	unsigned int n = 0;
	size_t len = 0;

	if (!g || g->u.gext.type != MIKEY_GEXT_KEY_PARAMS ||
	    mikey_keyparams_env_decode(&g->u.gext.data, &env, NULL) != MS_OK) {
		assert_false(acc->has_key_params);
		return 0;
	}
	assert_true(acc->has_key_params);
	assert_int_equal(acc->key_params_dppk_id, env.dppk_id);
	assert_int_equal(acc->key_params_payload_id, env.payload_id);
	s[0] = 0x53;
	s[1] = (uint8_t)(env.dppk_id >> 24);
	s[2] = (uint8_t)(env.dppk_id >> 16);
	s[3] = (uint8_t)(env.dppk_id >> 8);
	s[4] = (uint8_t)env.dppk_id;
	s[5] = 0;
	s[6] = 4;
	assert_non_null(HMAC(EVP_sha256(), v->ssv, (int)v->ssv_len, s, 7, mac, &n));
	assert_int_equal(mikey_keyparams_open(&env, mac + 16, plain, sizeof(plain), &len), MS_OK);
	assert_int_equal(acc->key_params_len, len);
	assert_memory_equal(acc->key_params_plain, plain, len);
	assert_int_equal(acc->key_params.key_type, plain[0]);
	/* the token refuses the envelope with one ciphertext bit flipped */
	{
		uint8_t ct[512];

		assert_true(env.ciphertext.len <= sizeof(ct));
		memcpy(ct, env.ciphertext.ptr, env.ciphertext.len);
		ct[0] ^= 0x80;
		env.ciphertext.ptr = ct;
		memset(plain, 0xee, sizeof(plain));
		assert_int_equal(ms_p11_open_keyparams(&c->p, acc->ssv, &env, plain, sizeof(plain),
						       &len), MS_ERR_BAD_SIGNATURE);
		assert_int_equal(plain[0], 0);   /* wiped, nothing of the plaintext */
	}
	return 1;
}

static void test_vendor_messages_accepted(void **state)
{
	const char *module = getenv("MSTOKEN_MODULE");
	size_t i, legacy = 0, key_params = 0;

	for (i = 0; i < INTEROP_COUNT(interop_messages); i++) {
		const struct interop_message *v = &interop_messages[i];
		struct mikey_msg m;
		static struct ms_accepted acc;
		struct ms_accept_opts o = { 60, 0, NULL, 0, 1 };
		struct ms_ctx *c;

		assert_int_equal(mikey_decode(v->imessage, v->imessage_len, &m, NULL), MS_OK);
		/* the message's own time as the codec reads it */
		o.now = mikey_unix_from_t(&mikey_find(&m, MIKEY_PT_T, -1)->u.t) + 30;
		provision_for(v, &m);
		assert_int_equal(ms_ctx_open(&c, module, "alice", TC_PIN), MS_OK);
		if (ms_accept(c, v->imessage, v->imessage_len, &o, &acc) != MS_OK)
			fail_msg("%s / %s refused: %s", v->block, v->name, acc.reason);
		assert_int_equal(acc.csb_id, v->csb_id);
		assert_int_equal(acc.legacy_signature, !v->signed_with_sign_header);
		legacy += acc.legacy_signature;
		assert_int_equal(acc.keys.n, v->prf_func <= 1 ? policy_cs_ids(&m.hdr, (uint8_t[16]){ 0 }) : 0);
		expect_ssv(c, acc.ssv, v);
		key_params += (size_t)expect_key_params(c, &m, &acc, v);
		print_message("%-24s %-58.58s from %.40s\n", v->block, v->name, acc.initiator);
		ms_accepted_release(c, &acc);
		ms_ctx_close(c);
	}
	assert_int_equal(i, 18);
	assert_true(legacy >= 4);
	print_message("%zu key-parameter envelopes decrypted in the token\n", key_params);
	assert_true(key_params >= 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_messages_accepted),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tc_release();
	return rc;
}
