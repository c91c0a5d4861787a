/* tests/integration/test_token_util.c - loading the module, sessions,
 * lookups and the KMS XML the tests import. */
#include "test_token.h"
#include "p11_slot.h"

#include <dlfcn.h>

#include "token/hex.h"
#include "token/mikey_prf.h"

CK_FUNCTION_LIST_PTR p11;
static void *module_handle;

void tok_load(void)
{
	const char *path = getenv("MSTOKEN_MODULE");
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS args;

	assert_non_null(path);
	module_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (module_handle == NULL)
		fail_msg("dlopen %s: %s", path, dlerror());
	get = (CK_C_GetFunctionList)dlsym(module_handle, "C_GetFunctionList");
	assert_non_null(get);
	assert_int_equal(get(&p11), CKR_OK);
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(p11->C_Initialize(&args), CKR_OK);
}

/* Safe when nothing is loaded: a test that failed between its own
 * unload and load leaves the group teardown nothing to finalize. */
void tok_unload(void)
{
	void *handle = module_handle;
	CK_FUNCTION_LIST_PTR f = p11;
	CK_RV rv;

	if (handle == NULL)
		return;
	module_handle = NULL;
	p11 = NULL;
	rv = f->C_Finalize(NULL);
	dlclose(handle);
	assert_int_equal(rv, CKR_OK);
}

CK_SLOT_ID tok_slot(const char *label)
{
	return p11_slot_by_label(p11, label);
}

CK_SESSION_HANDLE tok_session(const char *label, int login)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;

	assert_int_equal(p11->C_OpenSession(tok_slot(label), CKF_SERIAL_SESSION | CKF_RW_SESSION,
					    NULL, NULL, &s), CKR_OK);
	if (login) {
		rv = p11->C_Login(s, CKU_USER, PIN(USER_PIN), strlen(USER_PIN));
		if (rv != CKR_USER_ALREADY_LOGGED_IN)
			assert_int_equal(rv, CKR_OK);
	}
	return s;
}

int tok_login_so(CK_SESSION_HANDLE s)
{
	CK_SESSION_INFO si;
	int user;

	assert_int_equal(p11->C_GetSessionInfo(s, &si), CKR_OK);
	user = si.state == CKS_RW_USER_FUNCTIONS || si.state == CKS_RO_USER_FUNCTIONS;
	if (user)
		assert_int_equal(p11->C_Logout(s), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)), CKR_OK);
	return user;
}

void tok_login_back(CK_SESSION_HANDLE s, int user)
{
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	if (user)
		assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), strlen(USER_PIN)), CKR_OK);
}

CK_RV tok_so_import(CK_SESSION_HANDLE s, const char *xml, CK_OBJECT_HANDLE *h)
{
	int user = tok_login_so(s);
	CK_RV rv = tok_create_data(s, MSTOKEN_APP_KMS_CERTIFICATE, xml, h);

	tok_login_back(s, user);
	return rv;
}

static CK_ULONG find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out,
		     CK_ULONG max)
{
	CK_OBJECT_HANDLE buf[256];
	CK_ULONG got = 0, total = 0;

	assert_int_equal(p11->C_FindObjectsInit(s, t, n), CKR_OK);
	do {
		assert_int_equal(p11->C_FindObjects(s, buf, 256, &got), CKR_OK);
		if (out != NULL && total < max)
			out[total] = buf[0];
		total += got;
	} while (got == 256);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	return total;
}

CK_ULONG tok_count(CK_SESSION_HANDLE s)
{
	return find(s, NULL, 0, NULL, 0);
}

CK_OBJECT_HANDLE tok_find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const void *id, size_t id_len)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)(uintptr_t)id, id_len },
	};
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = find(s, t, 2, &h, 1);

	assert_true(n <= 1);
	return n ? h : 0;
}

CK_OBJECT_HANDLE tok_community(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const char *kms_uri)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_LABEL, (void *)(uintptr_t)kms_uri, strlen(kms_uri) },
	};
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = find(s, t, 3, &h, 1);

	assert_true(n <= 1);
	return n ? h : 0;
}

CK_OBJECT_HANDLE tok_user_key(CK_SESSION_HANDLE s, const uint8_t *uid, size_t uid_len, int suffix)
{
	uint8_t id[64];

	assert_true(uid_len < sizeof(id));
	memcpy(id, uid, uid_len);
	id[uid_len] = (uint8_t)suffix;
	return tok_find(s, CKO_PRIVATE_KEY, id, uid_len + 1);
}

CK_RV tok_create_data_with(CK_SESSION_HANDLE s, const char *app, const char *xml,
			   const CK_ATTRIBUTE *extra, CK_OBJECT_HANDLE *h)
{
	/* exactly what pkcs11-tool --write-object --type data sends */
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, (void *)(uintptr_t)xml, strlen(xml) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) },
		{ 0, NULL, 0 },
	};
	CK_OBJECT_HANDLE dummy;

	if (extra != NULL)
		t[5] = *extra;
	return p11->C_CreateObject(s, t, extra != NULL ? 6 : 5, h ? h : &dummy);
}

CK_RV tok_create_data(CK_SESSION_HANDLE s, const char *app, const char *xml, CK_OBJECT_HANDLE *h)
{
	return tok_create_data_with(s, app, xml, NULL, h);
}

int tok_fixture_reload(void **state)
{
	(void)state;
	if (p11 == NULL)
		tok_load();
	return 0;
}

int tok_fixture_unload(void **state)
{
	(void)state;
	tok_unload();
	return 0;
}

CK_TOKEN_INFO tok_info(const char *label)
{
	CK_TOKEN_INFO ti;

	assert_int_equal(p11->C_GetTokenInfo(tok_slot(label), &ti), CKR_OK);
	return ti;
}

CK_OBJECT_HANDLE tok_secret(CK_SESSION_HANDLE s, const uint8_t *value, size_t len)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE, (void *)(uintptr_t)value, len },
		{ CKA_DERIVE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_OBJECT_HANDLE h;

	assert_int_equal(p11->C_CreateObject(s, t, 6, &h), CKR_OK);
	return h;
}

void tok_assert_secret_is(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, const uint8_t *value,
			  size_t len)
{
	static const uint8_t rand[16] = { 0x52, 0x41, 0x4e, 0x44, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	CK_MSTOKEN_MIKEY_PRF_PARAMS p = {
		CK_MSTOKEN_PRF_HMAC_SHA256, CK_MSTOKEN_KEY_TEK, 0, 0x1234,
		(unsigned char *)(uintptr_t)rand, sizeof(rand),
	};
	CK_MECHANISM m = { CKM_MSTOKEN_MIKEY_PRF, &p, sizeof(p) };
	CK_ULONG out_len = 32, got = 32;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_VALUE_LEN, &out_len, sizeof(out_len) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	uint8_t in_token[32], here[32];
	CK_OBJECT_HANDLE d;

	assert_int_equal(p11->C_DeriveKey(s, &m, o, t, 3, &d), CKR_OK);
	assert_int_equal(tok_value(s, d, in_token, &got), CKR_OK);
	assert_int_equal(got, 32);
	assert_int_equal(p11->C_DestroyObject(s, d), CKR_OK);
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA256, value, len, MIKEY_KEY_TEK, 0, 0x1234,
				      rand, sizeof(rand), here, 32), MST_OK);
	assert_memory_equal(in_token, here, 32);
}

CK_RV tok_value(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, uint8_t *buf, CK_ULONG *len)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, *len };
	CK_RV rv = p11->C_GetAttributeValue(s, o, &a, 1);

	*len = a.ulValueLen;
	return rv;
}

static char *hex(const uint8_t *b, size_t n)
{
	char *h = malloc(2 * n + 1);

	assert_non_null(h);
	hex_encode_upper(b, n, h);
	return h;
}

char *xml_certificate(const char *kms_uri, const uint8_t *z, const uint8_t *kpak)
{
	char *zh = hex(z, 257), *kh = hex(kpak, 65), *out = malloc(2048);

	assert_non_null(out);
	snprintf(out, 2048,
		 "<KmsCertificate xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" Version=\"1.1.0\""
		 " Role=\"Root\"><KmsUri>%s</KmsUri><UserIdFormat>2</UserIdFormat>"
		 "<UserKeyPeriod>16777215</UserKeyPeriod><UserKeyOffset>0</UserKeyOffset>"
		 "<PubEncKey>%s</PubEncKey><PubAuthKey>%s</PubAuthKey></KmsCertificate>",
		 kms_uri, zh, kh);
	free(zh);
	free(kh);
	return out;
}

char *xml_keyset(const char *kms_uri, const char *user_uri, const uint8_t *uid, size_t uid_len,
		 const uint8_t *rsk, const uint8_t *ssk, const uint8_t *pvt)
{
	char *ih = hex(uid, uid_len), *rh = hex(rsk, 257), *sh = hex(ssk, 32), *ph = hex(pvt, 65);
	char *out = malloc(4096);

	assert_non_null(out);
	snprintf(out, 4096,
		 "<KmsKeySet xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" Version=\"1.1.0\">"
		 "<KmsUri>%s</KmsUri><UserUri>%s</UserUri><UserID>%s</UserID>"
		 "<ValidFrom>2025-08-06T00:00:00</ValidFrom><ValidTo>2026-02-03T00:00:00</ValidTo>"
		 "<KeyPeriodNo>236</KeyPeriodNo><UserDecryptKey>%s</UserDecryptKey>"
		 "<UserSigningKeySSK>%s</UserSigningKeySSK><UserPubTokenPVT>%s</UserPubTokenPVT>"
		 "</KmsKeySet>", kms_uri, user_uri, ih, rh, sh, ph);
	free(ih);
	free(rh);
	free(sh);
	free(ph);
	return out;
}

const struct interop_key_set *sw_user(const char *user)
{
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++)
		if (strcmp(interop_key_sets[i].block, "streamwide") == 0 &&
		    strcmp(interop_key_sets[i].user, user) == 0)
			return &interop_key_sets[i];
	fail_msg("no streamwide key set for %s", user);
	return NULL;
}

/* The user URIs of the streamwide block (interop_vectors.json). */
const char *sw_uri(const char *user)
{
	if (strcmp(user, "gms") == 0)
		return "gms@streamwide.com";
	if (strcmp(user, "iwf") == 0)
		return "sip:iwf_legacy_v1.1.x_format@streamwide.com";
	return strcmp(user, "alice") == 0 ? "sip:alice@streamwide.com" : "sip:bob@streamwide.com";
}

char *sw_keyset_xml(const char *user)
{
	const struct interop_key_set *k = sw_user(user);

	return xml_keyset(SW_KMS_URI, sw_uri(user), k->uid, k->uid_len, k->rsk, k->ssk, k->pvt);
}

void xml_set_period(char *xml, unsigned long period_no)
{
	char *start = strstr(xml, "<KeyPeriodNo>"), *end, *tail;

	assert_non_null(start);
	start += strlen("<KeyPeriodNo>");
	end = strstr(start, "</KeyPeriodNo>");
	assert_non_null(end);
	tail = strdup(end);
	assert_non_null(tail);
	sprintf(start, "%lu%s", period_no, tail);
	free(tail);
}
