/* tests/integration/test_client_util.c - token provisioning for the client
 * integration tests, through the module's own PKCS#11 interface (the same
 * objects pkcs11-tool --write-object would create). */
#include <dlfcn.h>
#include "tests/integration/test_client.h"
#include "tests/integration/p11_slot.h"

static CK_FUNCTION_LIST_PTR f;
static void *dl;

static void load(void)
{
	const char *path = getenv("MSTOKEN_MODULE");
	CK_C_GetFunctionList get;

	if (dl)
		return;
	assert_non_null(path);
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		fail_msg("dlopen %s: %s", path, dlerror());
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	assert_non_null(get);
	assert_int_equal(get(&f), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
}

void tc_release(void)
{
	if (!dl)
		return;
	f->C_Finalize(NULL);
	dlclose(dl);
	dl = NULL;
}

static char *hexu(const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789ABCDEF";
	char *h = malloc(2 * n + 1);
	size_t i;

	assert_non_null(h);
	for (i = 0; i < n; i++) {
		h[2 * i] = d[b[i] >> 4];
		h[2 * i + 1] = d[b[i] & 15];
	}
	h[2 * n] = '\0';
	return h;
}

static const struct interop_key_set *sw_user(const char *user)
{
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++)
		if (strcmp(interop_key_sets[i].block, "streamwide") == 0 &&
		    strcmp(interop_key_sets[i].user, user) == 0)
			return &interop_key_sets[i];
	fail_msg("no streamwide key set %s", user);
	return NULL;
}

const char *tc_uri(const char *user)
{
	if (strcmp(user, "gms") == 0)
		return "gms@streamwide.com";
	return strcmp(user, "alice") == 0 ? "sip:alice@streamwide.com" : "sip:bob@streamwide.com";
}

void tc_put_xml(CK_SESSION_HANDLE s, const char *app, const char *xml)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, (void *)(uintptr_t)xml, strlen(xml) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) },
	};
	CK_OBJECT_HANDLE h;
	CK_RV rv = f->C_CreateObject(s, t, 5, &h);

	if (rv != CKR_OK)
		fail_msg("import of %s refused: CKR 0x%lx", app, (unsigned long)rv);
}

void tc_put_certificate(CK_SESSION_HANDLE s, const char *kms, unsigned long long period,
			unsigned long long offset, const uint8_t *z, const uint8_t *kpak)
{
	char *zh = hexu(z, 257), *kh = hexu(kpak, 65), xml[2048];

	snprintf(xml, sizeof(xml),
		 "<KmsCertificate xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" Version=\"1.1.0\""
		 " Role=\"Root\"><KmsUri>%s</KmsUri><UserIdFormat>2</UserIdFormat>"
		 "<UserKeyPeriod>%llu</UserKeyPeriod><UserKeyOffset>%llu</UserKeyOffset>"
		 "<PubEncKey>%s</PubEncKey><PubAuthKey>%s</PubAuthKey></KmsCertificate>",
		 kms, period, offset, zh, kh);
	/* trust is the SO's: the user steps aside while the SO imports */
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)(uintptr_t)TC_SO_PIN,
				    strlen(TC_SO_PIN)), CKR_OK);
	tc_put_xml(s, MSTOKEN_APP_KMS_CERTIFICATE, xml);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)TC_PIN, strlen(TC_PIN)),
			 CKR_OK);
	free(zh);
	free(kh);
}

void tc_put_keyset(CK_SESSION_HANDLE s, const char *kms, const char *uri,
		   const struct interop_key_set *k, unsigned long long period_no)
{
	char *id = hexu(k->uid, k->uid_len), *rsk = hexu(k->rsk, k->rsk_len);
	char *ssk = hexu(k->ssk, k->ssk_len), *pvt = hexu(k->pvt, k->pvt_len), xml[4096];

	snprintf(xml, sizeof(xml),
		 "<KmsKeySet xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" Version=\"1.1.0\">"
		 "<KmsUri>%s</KmsUri><UserUri>%s</UserUri><UserID>%s</UserID>"
		 "<ValidFrom>2000-01-01T00:00:00</ValidFrom><ValidTo>2100-01-01T00:00:00</ValidTo>"
		 "<KeyPeriodNo>%llu</KeyPeriodNo><UserDecryptKey>%s</UserDecryptKey>"
		 "<UserSigningKeySSK>%s</UserSigningKeySSK><UserPubTokenPVT>%s</UserPubTokenPVT>"
		 "</KmsKeySet>", kms, uri, id, period_no, rsk, ssk, pvt);
	tc_put_xml(s, MSTOKEN_APP_KMS_KEYSET, xml);
	free(id);
	free(rsk);
	free(ssk);
	free(pvt);
}

CK_SESSION_HANDLE tc_token_begin(const char *label)
{
	CK_UTF8CHAR tl[32];
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;

	load();
	slot = p11_slot_by_label(f, label);
	memset(tl, ' ', sizeof(tl));
	memcpy(tl, label, strlen(label));
	assert_int_equal(f->C_InitToken(slot, (CK_UTF8CHAR_PTR)(uintptr_t)TC_SO_PIN,
					strlen(TC_SO_PIN), tl), CKR_OK);
	assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
			 CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)(uintptr_t)TC_SO_PIN,
				    strlen(TC_SO_PIN)), CKR_OK);
	assert_int_equal(f->C_InitPIN(s, (CK_UTF8CHAR_PTR)(uintptr_t)TC_PIN, strlen(TC_PIN)), CKR_OK);
	assert_int_equal(f->C_Logout(s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)TC_PIN, strlen(TC_PIN)),
			 CKR_OK);
	return s;
}

void tc_token_end(CK_SESSION_HANDLE s)
{
	assert_int_equal(f->C_CloseSession(s), CKR_OK);
	tc_release();
}

void tc_provision(const char *label, const char *const *users)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_SESSION_HANDLE s = tc_token_begin(label);

	tc_put_certificate(s, TC_KMS, 16777215, 0, a->z, a->kpak);
	for (; *users; users++)
		tc_put_keyset(s, TC_KMS, tc_uri(*users), sw_user(*users), 236);
	tc_token_end(s);
}
