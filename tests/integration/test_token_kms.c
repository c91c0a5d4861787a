/* tests/integration/test_token_kms.c - the token side of the KMS interface
 * (issue 10, item 3) through PKCS#11: TrK/InK objects and their rules, and
 * the import of SignedKmsResponses built here with the shared primitives
 * (token/kmsxml_sec.c, as mstoken-kms serve builds them): accepted when
 * right, and each tampering / unknown key / replay / wrong user / plain key
 * set under require_encrypted_keys refused with its own code and nothing
 * stored.  Run by token-kms.sh on SoftHSM2 and on a TPM (slots "alice",
 * and "bob" with require_encrypted_keys = yes). */
#include "test_token.h"

#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/kmsxml_sec.h"

#define TRK1 "TrK-test-1"
#define INK1 "InK-test-1"

static uint8_t trk1[32], ink1[32], trk2[32], ink2[32], other[32];

/* ---- TrK / InK objects ---------------------------------------------------- */

static CK_RV create_kms_key(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const char *id,
			    const uint8_t *value, CK_ULONG value_len, const char *user, int token,
			    CK_ATTRIBUTE *extra, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL tok = token ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE t[8] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, &tok, sizeof(tok) },
		{ CKA_ID, (void *)(uintptr_t)id, strlen(id) },
		{ CKA_VALUE, (void *)(uintptr_t)value, value_len },
	};
	CK_ULONG n = 5;
	CK_OBJECT_HANDLE dummy;

	if (user != NULL) {
		t[n].type = CKA_MSTOKEN_USER_URI;
		t[n].pValue = (void *)(uintptr_t)user;
		t[n++].ulValueLen = strlen(user);
	}
	if (extra != NULL)
		t[n++] = *extra;
	return p11->C_CreateObject(s, t, n, out != NULL ? out : &dummy);
}

static CK_OBJECT_HANDLE find_kms_key(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const char *id)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_ID, (void *)(uintptr_t)id, strlen(id) },
	};
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = 0;

	assert_int_equal(p11->C_FindObjectsInit(s, t, 3), CKR_OK);
	assert_int_equal(p11->C_FindObjects(s, &h, 1, &n), CKR_OK);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	return n == 1 ? h : 0;
}

/* ---- responses ------------------------------------------------------------ */

struct resp {
	const char *user_uri;           /* KmsResponse/UserUri */
	const char *keyset_user;        /* whose key set: "alice" / "bob", NULL: KmsInit */
	const char *time;
	const char *ink_id;
	const uint8_t *ink;
	const char *trk_id;
	const uint8_t *trk;
	int plain;                      /* key set keys in hex, not encrypted */
	const char *new_trk_id, *new_ink_id;  /* rotation: trk2 / ink2 under those IDs */
	unsigned long period;           /* KeyPeriodNo, 0: the vector's */
};

static xmlNodePtr find_el(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next) {
		xmlNodePtr f;
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
			return n;
		if ((f = find_el(n->children, name)) != NULL)
			return f;
	}
	return NULL;
}

/* Cut the text of <name>...</name> out of xml (in place). */
static void empty_text(char *xml, const char *name)
{
	char open[64], close[64], *a, *b;

	snprintf(open, sizeof open, "<%s>", name);
	snprintf(close, sizeof close, "</%s>", name);
	a = strstr(xml, open);
	assert_non_null(a);
	a += strlen(open);
	b = strstr(a, close);
	assert_non_null(b);
	memmove(a, b, strlen(b) + 1);
}

static char *make_response(const struct resp *r)
{
	const struct interop_key_set *k = sw_user(r->keyset_user != NULL ? r->keyset_user : "alice");
	char *inner, *text, err[256] = "";
	size_t cap = 16384;
	xmlDocPtr doc;
	xmlChar *out = NULL;
	int out_len = 0;
	char *result;

	if (r->keyset_user != NULL) {
		inner = sw_keyset_xml(r->keyset_user);
		if (r->period != 0)
			xml_set_period(inner, r->period);
		if (!r->plain) {
			empty_text(inner, "UserDecryptKey");
			empty_text(inner, "UserSigningKeySSK");
		}
	} else {
		inner = xml_certificate(SW_KMS_URI, k->z, k->kpak);
	}
	text = malloc(cap);
	assert_non_null(text);
	snprintf(text, cap,
		 "<SignedKmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\""
		 " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
		 " xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\">"
		 "<KmsResponse Id=\"r-%s\" Version=\"1.0.0\"><UserUri>%s</UserUri><KmsUri>%s</KmsUri>"
		 "<Time>%s</Time><ClientReqUrl>https://kms.test/keymanagement/identity/v1/%s</ClientReqUrl>"
		 "<KmsMessage><%s Version=\"1.0.0\">%s%s%s</%s></KmsMessage></KmsResponse>"
		 "</SignedKmsResponse>",
		 r->time, r->user_uri, SW_KMS_URI, r->time, r->keyset_user ? "keyprov" : "init",
		 r->keyset_user ? "KmsKeyProv" : "KmsInit", inner,
		 r->new_trk_id ? "<NewTransportKey/>" : "", r->new_ink_id ? "<NewIntegrityKey/>" : "",
		 r->keyset_user ? "KmsKeyProv" : "KmsInit");
	free(inner);
	assert_int_equal(kx_load((const uint8_t *)text, strlen(text), &doc, err, sizeof err), MST_OK);
	free(text);
	if (r->keyset_user != NULL && !r->plain) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		assert_int_equal(kmssec_wrap_into(find_el(root, "UserDecryptKey"), r->trk, r->trk_id,
						  k->rsk, 257, NULL, err, sizeof err), MST_OK);
		assert_int_equal(kmssec_wrap_into(find_el(root, "UserSigningKeySSK"), r->trk, r->trk_id,
						  k->ssk, 32, NULL, err, sizeof err), MST_OK);
	}
	if (r->new_trk_id != NULL)
		assert_int_equal(kmssec_wrap_into(find_el(xmlDocGetRootElement(doc), "NewTransportKey"),
						  r->trk, r->trk_id, trk2, 32, r->new_trk_id, err,
						  sizeof err), MST_OK);
	if (r->new_ink_id != NULL)
		assert_int_equal(kmssec_wrap_into(find_el(xmlDocGetRootElement(doc), "NewIntegrityKey"),
						  r->trk, r->trk_id, ink2, 32, r->new_ink_id, err,
						  sizeof err), MST_OK);
	assert_int_equal(kmssec_sign(doc, r->ink, r->ink_id, err, sizeof err), MST_OK);
	xmlDocDumpMemory(doc, &out, &out_len);
	assert_non_null(out);
	result = strdup((const char *)out);
	xmlFree(out);
	kx_free_doc(doc);
	return result;
}

/* A good key provisioning response to alice at time t. */
static struct resp alice_keyprov(const char *t)
{
	struct resp r = { sw_uri("alice"), "alice", t, INK1, ink1, TRK1, trk1, 0, NULL, NULL, 0 };
	return r;
}

/* Import xml as app; expect rv and, when refused, an unchanged object count. */
static void expect_import(CK_SESSION_HANDLE s, const char *app, const char *xml, CK_RV want,
			  const char *what)
{
	CK_ULONG before = tok_count(s);
	CK_RV rv = tok_create_data(s, app, xml, NULL);

	if (rv != want)
		fail_msg("%s: got 0x%lx, expected 0x%lx", what, (unsigned long)rv, (unsigned long)want);
	if (want != CKR_OK && tok_count(s) != before)
		fail_msg("%s: refused but the object count changed", what);
}

static void init_slot(const char *label)
{
	CK_UTF8CHAR padded[32];
	CK_SESSION_HANDLE s;

	memset(padded, ' ', 32);
	memcpy(padded, label, strlen(label));
	assert_int_equal(p11->C_InitToken(tok_slot(label), PIN(SO_PIN), strlen(SO_PIN), padded), CKR_OK);
	s = tok_session(label, 0);
	assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)), CKR_OK);
	assert_int_equal(p11->C_InitPIN(s, PIN(USER_PIN), strlen(USER_PIN)), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_kms_key_objects(void **state)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE trk, ink, h, z;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE, b;
	CK_ATTRIBUTE extractable = { CKA_EXTRACTABLE, &yes, sizeof yes };
	CK_ATTRIBUTE sign = { CKA_SIGN, &yes, sizeof yes };
	CK_ATTRIBUTE sensitive = { CKA_SENSITIVE, &no, sizeof no };
	uint8_t buf[64];
	CK_ULONG len = sizeof buf;
	CK_MECHANISM eccsi = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	const char *alice = sw_uri("alice");

	(void)state;
	init_slot("alice");
	s = tok_session("alice", 0);
	/* the SO imports the community, as a plain KmsCertificate */
	{
		const struct interop_key_set *k = sw_user("alice");
		char *xml = xml_certificate(SW_KMS_URI, k->z, k->kpak);
		assert_int_equal(tok_so_import(s, xml, NULL), CKR_OK);
		free(xml);
	}
	/* nobody without a login; the SO not as token objects (no sealed record) */
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, alice, 1, NULL, NULL),
			 CKR_USER_NOT_LOGGED_IN);
	tok_login_so(s);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, alice, 1, NULL, NULL),
			 CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_OK);
	/* the template rules */
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, alice, 1, &extractable,
					NULL), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, alice, 1, &sign, NULL),
			 CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, alice, 1, &sensitive,
					NULL), CKR_TEMPLATE_INCONSISTENT);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 31, alice, 1, NULL, NULL),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, "a b", trk1, 32, alice, 1, NULL, NULL),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, NULL, 1, NULL, NULL),
			 CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(tok_count(s), 3); /* the community's data object and two keys */
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, alice, 1, NULL, &trk),
			 CKR_OK);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1, ink1, 32, alice, 1, NULL, &ink),
			 CKR_OK);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1, other, 32, alice, 1, NULL, NULL),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	/* never readable, never usable by a mechanism, never changed or copied */
	{
		CK_ATTRIBUTE v = { CKA_VALUE, buf, len };
		CK_ATTRIBUTE x = { CKA_EXTRACTABLE, &b, sizeof b };
		CK_ATTRIBUTE ne = { CKA_NEVER_EXTRACTABLE, &b, sizeof b };
		CK_ATTRIBUTE label = { CKA_LABEL, BYTES("x"), 1 };
		CK_ATTRIBUTE tt = { CKA_TOKEN, &no, sizeof no };
		assert_int_equal(p11->C_GetAttributeValue(s, trk, &v, 1), CKR_ATTRIBUTE_SENSITIVE);
		assert_int_equal(p11->C_GetAttributeValue(s, ink, &x, 1), CKR_OK);
		assert_int_equal(b, CK_FALSE);
		assert_int_equal(p11->C_GetAttributeValue(s, ink, &ne, 1), CKR_OK);
		assert_int_equal(b, CK_TRUE);
		assert_int_equal(p11->C_SignInit(s, &eccsi, ink), CKR_KEY_TYPE_INCONSISTENT);
		assert_int_not_equal(p11->C_SetAttributeValue(s, trk, &label, 1), CKR_OK);
		assert_int_not_equal(p11->C_CopyObject(s, trk, &tt, 1, &h), CKR_OK);
	}
	z = tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI);
	{
		CK_MSTOKEN_SAKKE_WRAP_PARAMS wp = { BYTES("x"), 1 };
		CK_MECHANISM sakke = { CKM_MSTOKEN_SAKKE, &wp, sizeof wp };
		len = 512;
		uint8_t wrapped[512];
		assert_int_not_equal(p11->C_WrapKey(s, &sakke, z, trk, wrapped, &len), CKR_OK);
	}
	/* they survive a new session (sealed token objects) */
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	s = tok_session("alice", 1);
	assert_int_not_equal(find_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1), 0);
	assert_int_not_equal(find_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1), 0);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

static void test_refusals_store_nothing(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	struct resp r;
	char *xml, *bad, *p;

	(void)state;
	/* tampered: one digit of the Time changed after signing */
	r = alice_keyprov("2026-12-02T10:00:00Z");
	xml = make_response(&r);
	bad = strdup(xml);
	p = strstr(bad, "10:00:00Z</Time>");
	assert_non_null(p);
	p[1] = '1';
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, bad, CKR_SIGNATURE_INVALID, "tampered Time");
	free(bad);
	/* tampered: the encrypted SSK changed (digest no longer matches) */
	bad = strdup(xml);
	p = strstr(strstr(bad, "UserSigningKeySSK"), "<xenc:CipherValue>") + strlen("<xenc:CipherValue>");
	*p = *p == 'A' ? 'B' : 'A';
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, bad, CKR_SIGNATURE_INVALID, "tampered EncryptedKey");
	free(bad);
	/* a KmsKeyProv is not a KmsCertificate */
	expect_import(s, MSTOKEN_APP_KMS_CERTIFICATE, xml, CKR_ATTRIBUTE_VALUE_INVALID,
		      "KmsKeyProv as a certificate");
	free(xml);
	/* signed with an InK the token lacks */
	r = alice_keyprov("2026-12-02T10:00:01Z");
	r.ink_id = "InK-unknown";
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_UNKNOWN_KEY, "unknown InK");
	free(xml);
	/* the right InK ID with another key */
	r = alice_keyprov("2026-12-02T10:00:01Z");
	r.ink = other;
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_SIGNATURE_INVALID, "wrong InK value");
	free(xml);
	/* wrapped under a TrK the token lacks */
	r = alice_keyprov("2026-12-02T10:00:01Z");
	r.trk_id = "TrK-unknown";
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_UNKNOWN_KEY, "unknown TrK");
	free(xml);
	/* the right TrK ID with another key: the unwrap's integrity check */
	r = alice_keyprov("2026-12-02T10:00:01Z");
	r.trk = other;
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_WRAPPED_KEY_INVALID, "wrong TrK value");
	free(xml);
	/* addressed to another user */
	r = alice_keyprov("2026-12-02T10:00:01Z");
	r.user_uri = sw_uri("bob");
	r.keyset_user = "bob";
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_WRONG_USER, "wrong UserUri");
	free(xml);
	/* to alice, but bob's key set inside */
	r = alice_keyprov("2026-12-02T10:00:01Z");
	r.keyset_user = "bob";
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_WRONG_USER,
		      "another user's key set");
	free(xml);
	/* not one of the refusals left a key of alice behind */
	assert_int_equal(tok_user_key(s, sw_user("alice")->uid, sw_user("alice")->uid_len, 1), 0);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

static void test_accept_sign_and_replay(void **state)
{
	const struct interop_key_set *k = sw_user("alice");
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE d, e, kp;
	struct resp r = alice_keyprov("2026-12-02T11:00:00Z");
	char *xml = make_response(&r), *older, ssk_hex[65], buf[8192];
	CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof buf - 1 };
	CK_MECHANISM eccsi = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	uint8_t sig[129];
	CK_ULONG sig_len = sizeof sig;

	(void)state;
	assert_int_equal(tok_create_data(s, MSTOKEN_APP_KMS_KEYSET, xml, &d), CKR_OK);
	e = tok_user_key(s, k->uid, k->uid_len, 1);
	assert_int_not_equal(e, 0);
	assert_int_not_equal(tok_user_key(s, k->uid, k->uid_len, 2), 0);
	/* the kept document holds neither the SSK nor its ciphertext */
	assert_int_equal(p11->C_GetAttributeValue(s, d, &v, 1), CKR_OK);
	buf[v.ulValueLen] = '\0';
	hex_encode_upper(k->ssk, 32, ssk_hex);
	assert_null(strstr(buf, ssk_hex));
	assert_null(strstr(buf, "CipherValue"));
	assert_non_null(strstr(buf, "KmsKeySet"));
	/* the keys opened inside the token sign, and the signature verifies */
	assert_int_equal(p11->C_SignInit(s, &eccsi, e), CKR_OK);
	assert_int_equal(p11->C_Sign(s, BYTES("msg"), 3, sig, &sig_len), CKR_OK);
	kp = tok_community(s, CKK_MSTOKEN_ECCSI, SW_KMS_URI);
	{
		CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = { (unsigned char *)(uintptr_t)k->uid, k->uid_len };
		CK_MECHANISM ver = { CKM_MSTOKEN_ECCSI, &vp, sizeof vp };
		assert_int_equal(p11->C_VerifyInit(s, &ver, kp), CKR_OK);
		assert_int_equal(p11->C_Verify(s, BYTES("msg"), 3, sig, sig_len), CKR_OK);
	}
	/* the same response again, and an older one: replays */
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_REPLAY, "replayed response");
	r = alice_keyprov("2026-12-02T10:59:59Z");
	older = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, older, CKR_MSTOKEN_KMS_REPLAY, "older response");
	free(older);
	/* the same second, another response: not a replay (here: nothing new) */
	r = alice_keyprov("2026-12-02T11:00:00Z");
	r.period = 237;
	older = make_response(&r);
	assert_int_not_equal(strcmp(older, xml), 0); /* another content: another signature */
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, older, CKR_MSTOKEN_KMS_NOTHING_NEW,
		      "a key set already in the token");
	free(older);
	/* the replay record survives a new session (the InK's sealed attributes) */
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	s = tok_session("alice", 1);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_REPLAY, "replay after re-login");
	free(xml);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* bob: a KmsInit opened by the SO with session TrK/InK, then the user's own
 * keys, key rotation, and require_encrypted_keys = yes. */
static void test_so_init_rotation_and_plain_refused(void **state)
{
	const char *bob = sw_uri("bob");
	CK_SESSION_HANDLE s;
	struct resp r = { bob, NULL, "2026-12-02T12:00:00Z", INK1, ink1, TRK1, trk1, 0, NULL, NULL, 0 };
	char *init = make_response(&r), *xml, *plain;
	const struct interop_key_set *k = sw_user("bob");

	(void)state;
	init_slot("bob");
	s = tok_session("bob", 0);
	tok_login_so(s);
	/* the SO's TrK/InK are session objects */
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1, ink1, 32, bob, 1, NULL, NULL),
			 CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1, ink1, 32, bob, 0, NULL, NULL),
			 CKR_OK);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, bob, 0, NULL, NULL),
			 CKR_OK);
	/* the signed KmsInit imports the community */
	expect_import(s, MSTOKEN_APP_KMS_CERTIFICATE, init, CKR_OK, "SO KmsInit");
	assert_int_not_equal(tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI), 0);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);

	s = tok_session("bob", 1);
	assert_int_equal(find_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1), 0); /* gone with the session */
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_INK, INK1, ink1, 32, bob, 1, NULL, NULL),
			 CKR_OK);
	assert_int_equal(create_kms_key(s, CKK_MSTOKEN_KMS_TRK, TRK1, trk1, 32, bob, 1, NULL, NULL),
			 CKR_OK);
	/* require_encrypted_keys = yes: plain key sets, bare or signed, refused */
	plain = sw_keyset_xml("bob");
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, plain, CKR_MSTOKEN_KMS_PLAIN_REFUSED, "plain key set");
	free(plain);
	r = (struct resp){ bob, "bob", "2026-12-02T12:00:01Z", INK1, ink1, TRK1, trk1, 1, NULL, NULL, 0 };
	plain = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, plain, CKR_MSTOKEN_KMS_PLAIN_REFUSED,
		      "signed response with plain keys");
	free(plain);
	/* a user may import a KmsInit of the SO's community: for new keys only */
	r = (struct resp){ bob, NULL, "2026-12-02T12:00:02Z", INK1, ink1, TRK1, trk1, 0, "TrK-test-2",
			   "InK-test-2", 0 };
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_CERTIFICATE, xml, CKR_OK, "user KmsInit with new keys");
	free(xml);
	assert_int_not_equal(find_kms_key(s, CKK_MSTOKEN_KMS_TRK, "TrK-test-2"), 0);
	assert_int_not_equal(find_kms_key(s, CKK_MSTOKEN_KMS_INK, "InK-test-2"), 0);
	/* the replay record moved to the new InK: an older Time under it is refused */
	r = (struct resp){ bob, "bob", "2026-12-02T12:00:01Z", "InK-test-2", ink2, "TrK-test-2", trk2,
			   0, NULL, NULL, 0 };
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_MSTOKEN_KMS_REPLAY, "older under the new InK");
	free(xml);
	/* the key set under the new keys */
	r.time = "2026-12-02T12:00:03Z";
	xml = make_response(&r);
	expect_import(s, MSTOKEN_APP_KMS_KEYSET, xml, CKR_OK, "key set under rotated keys");
	free(xml);
	assert_int_not_equal(tok_user_key(s, k->uid, k->uid_len, 2), 0);
	/* the first KmsInit is a replay now */
	expect_import(s, MSTOKEN_APP_KMS_CERTIFICATE, init, CKR_MSTOKEN_KMS_REPLAY, "old KmsInit");
	free(init);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++) {
		trk1[i] = (uint8_t)(0x11 * (i + 1));
		ink1[i] = (uint8_t)(0x5a ^ i);
		trk2[i] = (uint8_t)(0xa0 + i);
		ink2[i] = (uint8_t)(0x33 + 3 * i);
		other[i] = (uint8_t)(0xee - i);
	}
	tok_load();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tok_unload();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kms_key_objects),
		cmocka_unit_test(test_refusals_store_nothing),
		cmocka_unit_test(test_accept_sign_and_replay),
		cmocka_unit_test(test_so_init_rotation_and_plain_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
