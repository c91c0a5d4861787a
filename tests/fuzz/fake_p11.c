/* tests/fuzz/fake_p11.c - see fake_p11.h. */
#include "tests/fuzz/fake_p11.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

struct fake_obj fake_objs[FAKE_P11_MAX_OBJECTS];
size_t fake_n_objs;

uint8_t fake_p11_key[32] = "fake-p11 seal key, fuzzing only";
void (*fake_p11_opened)(uint8_t *plain, size_t len);
static CK_GCM_PARAMS gcm;
static uint8_t gcm_iv[12], gcm_aad[256];
static CK_ATTRIBUTE find_t[4];
static CK_ULONG find_n;
static uint8_t find_vals[4][96];
static size_t find_pos;

void fake_p11_reset(void)
{
	size_t i;

	for (i = 0; i < fake_n_objs; i++)
		free(fake_objs[i].owned);
	memset(fake_objs, 0, sizeof fake_objs);
	fake_n_objs = 0;
}

static CK_RV open_session(CK_SLOT_ID slot, CK_FLAGS fl, CK_VOID_PTR app, CK_NOTIFY n,
			  CK_SESSION_HANDLE_PTR s)
{
	(void)slot; (void)fl; (void)app; (void)n;
	*s = 1;
	return CKR_OK;
}

static CK_RV close_session(CK_SESSION_HANDLE s)
{
	(void)s;
	return CKR_OK;
}

static CK_RV token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR ti)
{
	(void)slot;
	memset(ti, ' ', sizeof *ti);
	memcpy(ti->serialNumber, "fake0001", 8);
	return CKR_OK;
}

static int matches(const struct fake_obj *o)
{
	CK_ULONG i;

	for (i = 0; i < find_n; i++) {
		const CK_ATTRIBUTE *a = &find_t[i];

		if (a->type == CKA_CLASS)
			continue;       /* every object is CKO_DATA */
		if (a->type == CKA_APPLICATION &&
		    (a->ulValueLen != strlen(o->app) || memcmp(a->pValue, o->app, a->ulValueLen)))
			return 0;
		if (a->type == CKA_LABEL &&
		    (a->ulValueLen != o->label_len || memcmp(a->pValue, o->label, o->label_len)))
			return 0;
		if (a->type == CKA_PRIVATE && *(CK_BBOOL *)a->pValue != (o->is_private != 0))
			return 0;
	}
	return 1;
}

static CK_RV find_init(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	CK_ULONG i;

	(void)s;
	find_n = n < 4 ? n : 4;
	for (i = 0; i < find_n; i++) {
		size_t len = t[i].ulValueLen < sizeof find_vals[i] ? t[i].ulValueLen : sizeof find_vals[i];

		find_t[i] = t[i];
		memcpy(find_vals[i], t[i].pValue, len);
		find_t[i].pValue = find_vals[i];
		find_t[i].ulValueLen = len;
	}
	find_pos = 0;
	return CKR_OK;
}

static CK_RV find(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR got)
{
	(void)s;
	*got = 0;
	for (; find_pos < fake_n_objs && *got < max; find_pos++)
		if (fake_objs[find_pos].live && matches(&fake_objs[find_pos]))
			out[(*got)++] = find_pos + 1;
	return CKR_OK;
}

static CK_RV find_final(CK_SESSION_HANDLE s)
{
	(void)s;
	return CKR_OK;
}

static CK_RV get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	struct fake_obj *o;
	CK_BBOOL priv;
	CK_ULONG i;

	(void)s;
	if (h == 0 || h > fake_n_objs || !fake_objs[h - 1].live)
		return CKR_OBJECT_HANDLE_INVALID;
	o = &fake_objs[h - 1];
	priv = o->is_private ? CK_TRUE : CK_FALSE;
	for (i = 0; i < n; i++) {
		const void *v;
		size_t len;

		switch (t[i].type) {
		case CKA_LABEL: v = o->label; len = o->label_len; break;
		case CKA_PRIVATE: v = &priv; len = 1; break;
		case CKA_VALUE: v = o->value; len = o->value_len; break;
		default: return CKR_ATTRIBUTE_TYPE_INVALID;
		}
		if (t[i].pValue != NULL) {
			if (t[i].ulValueLen < len)
				return CKR_BUFFER_TOO_SMALL;
			memcpy(t[i].pValue, v, len);
		}
		t[i].ulValueLen = len;
	}
	return CKR_OK;
}

static CK_RV create(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR h)
{
	struct fake_obj *o;
	CK_ULONG i;

	(void)s;
	if (fake_n_objs == FAKE_P11_MAX_OBJECTS)
		return CKR_DEVICE_MEMORY;
	o = &fake_objs[fake_n_objs];
	memset(o, 0, sizeof *o);
	o->live = 1;
	for (i = 0; i < n; i++) {
		if (t[i].type == CKA_APPLICATION && t[i].ulValueLen < sizeof o->app)
			memcpy(o->app, t[i].pValue, t[i].ulValueLen);
		if (t[i].type == CKA_LABEL && t[i].ulValueLen <= sizeof o->label) {
			memcpy(o->label, t[i].pValue, t[i].ulValueLen);
			o->label_len = t[i].ulValueLen;
		}
		if (t[i].type == CKA_PRIVATE)
			o->is_private = *(CK_BBOOL *)t[i].pValue == CK_TRUE;
		if (t[i].type == CKA_VALUE) {
			o->owned = malloc(t[i].ulValueLen ? t[i].ulValueLen : 1);
			if (o->owned == NULL)
				return CKR_HOST_MEMORY;
			memcpy(o->owned, t[i].pValue, t[i].ulValueLen);
			o->value = o->owned;
			o->value_len = t[i].ulValueLen;
		}
	}
	*h = ++fake_n_objs;
	return CKR_OK;
}

static CK_RV destroy(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h)
{
	(void)s;
	if (h == 0 || h > fake_n_objs || !fake_objs[h - 1].live)
		return CKR_OBJECT_HANDLE_INVALID;
	fake_objs[h - 1].live = 0;
	return CKR_OK;
}

static CK_RV crypt_init(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	const CK_GCM_PARAMS *p = m->pParameter;

	(void)s; (void)k;
	if (m->mechanism != CKM_AES_GCM || p == NULL || p->ulIvLen != sizeof gcm_iv ||
	    p->ulAADLen > sizeof gcm_aad)
		return CKR_MECHANISM_PARAM_INVALID;
	gcm = *p;
	memcpy(gcm_iv, p->pIv, sizeof gcm_iv);
	memcpy(gcm_aad, p->pAAD, p->ulAADLen);
	return CKR_OK;
}

static CK_RV gcm_run(int enc, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	EVP_CIPHER_CTX *c;
	CK_ULONG n;
	int l = 0, ok;

	if (!enc && in_len < 16)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	n = enc ? in_len : in_len - 16;
	if (*out_len < (enc ? n + 16 : n))
		return CKR_BUFFER_TOO_SMALL;
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, fake_p11_key, gcm_iv, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &l, gcm_aad, (int)gcm.ulAADLen) == 1 &&
	     EVP_CipherUpdate(c, out, &l, in, (int)n) == 1 &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, in + n) == 1) &&
	     EVP_CipherFinal_ex(c, out + l, &l) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + n) == 1);
	EVP_CIPHER_CTX_free(c);
	*out_len = enc ? n + 16 : n;
	if (!enc && fake_p11_opened != NULL)
		fake_p11_opened(out, n);
	return ok ? CKR_OK : CKR_GENERAL_ERROR;     /* as SoftHSM2 reports a bad tag */
}

static CK_RV encrypt(CK_SESSION_HANDLE s, CK_BYTE_PTR in, CK_ULONG n, CK_BYTE_PTR out,
		     CK_ULONG_PTR out_len)
{
	(void)s;
	return gcm_run(1, in, n, out, out_len);
}

static CK_RV decrypt(CK_SESSION_HANDLE s, CK_BYTE_PTR in, CK_ULONG n, CK_BYTE_PTR out,
		     CK_ULONG_PTR out_len)
{
	(void)s;
	return gcm_run(0, in, n, out, out_len);
}

CK_FUNCTION_LIST_PTR fake_p11(void)
{
	static CK_FUNCTION_LIST f;

	f.C_OpenSession = open_session;
	f.C_CloseSession = close_session;
	f.C_GetTokenInfo = token_info;
	f.C_FindObjectsInit = find_init;
	f.C_FindObjects = find;
	f.C_FindObjectsFinal = find_final;
	f.C_GetAttributeValue = get_attr;
	f.C_CreateObject = create;
	f.C_DestroyObject = destroy;
	f.C_EncryptInit = crypt_init;
	f.C_Encrypt = encrypt;
	f.C_DecryptInit = crypt_init;
	f.C_Decrypt = decrypt;
	return &f;
}
