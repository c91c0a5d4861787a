/* client/p11.c - load a PKCS#11 module by path, find the token by label,
 * log in; object search and attribute reads. */
#include <dlfcn.h>
#include <string.h>
#include <openssl/crypto.h>
#include "client/p11.h"

static ms_rc fail(struct ms_p11 *p, const char *call, CK_RV rv)
{
	p->last_rv = rv;
	strncpy(p->last_call, call, sizeof(p->last_call) - 1);
	p->last_call[sizeof(p->last_call) - 1] = '\0';
	return MS_ERR_PKCS11;
}

/* Token labels are 32 octets padded with spaces. */
static int label_is(const CK_UTF8CHAR label[32], const char *want)
{
	size_t n = strlen(want), i;

	if (n > 32 || memcmp(label, want, n) != 0)
		return 0;
	for (i = n; i < 32; i++)
		if (label[i] != ' ' && label[i] != '\0')
			return 0;
	return 1;
}

static ms_rc find_slot(struct ms_p11 *p, const char *token_label, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_RV rv = p->f->C_GetSlotList(CK_TRUE, slots, &n);

	if (rv != CKR_OK)
		return fail(p, "C_GetSlotList", rv);
	for (i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		if (p->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && label_is(ti.label, token_label)) {
			*slot = slots[i];
			return MS_OK;
		}
	}
	return MS_ERR_CONFIG;
}

ms_rc ms_p11_open(struct ms_p11 *p, const char *module, const char *token_label, const char *pin)
{
	return ms_p11_open_as(p, module, token_label, pin, CKU_USER);
}

ms_rc ms_p11_open_as(struct ms_p11 *p, const char *module, const char *token_label,
		     const char *pin, CK_USER_TYPE who)
{
	CK_C_GetFunctionList get;
	CK_SLOT_ID slot;
	CK_RV rv;
	ms_rc rc;

	memset(p, 0, sizeof(*p));
	if (!module || !token_label || !pin)
		return MS_ERR_ARGS;
	p->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	if (!p->dl)
		return MS_ERR_CONFIG;
	*(void **)&get = dlsym(p->dl, "C_GetFunctionList");
	if (!get || get(&p->f) != CKR_OK || !p->f) {
		ms_p11_close(p);
		return MS_ERR_CONFIG;
	}
	rv = p->f->C_Initialize(NULL);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		rc = fail(p, "C_Initialize", rv);
		ms_p11_close(p);
		return rc;
	}
	p->initialized = rv == CKR_OK;
	rc = find_slot(p, token_label, &slot);
	if (rc != MS_OK)
		goto err;
	rv = p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &p->s);
	if (rv != CKR_OK) {
		rc = fail(p, "C_OpenSession", rv);
		goto err;
	}
	p->have_session = 1;
	rv = p->f->C_Login(p->s, who, (CK_UTF8CHAR_PTR)(uintptr_t)pin, strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		rc = fail(p, "C_Login", rv);
		goto err;
	}
	return MS_OK;
err:
	ms_p11_close(p);
	return rc;
}

void ms_p11_close(struct ms_p11 *p)
{
	CK_RV keep_rv = p->last_rv;
	char keep_call[sizeof(p->last_call)];

	memcpy(keep_call, p->last_call, sizeof(keep_call));
	if (p->have_session) {
		p->f->C_Logout(p->s);
		p->f->C_CloseSession(p->s);
	}
	if (p->initialized)
		p->f->C_Finalize(NULL);
	if (p->dl)
		dlclose(p->dl);
	memset(p, 0, sizeof(*p));
	/* the reason of a failed open survives the cleanup */
	p->last_rv = keep_rv;
	memcpy(p->last_call, keep_call, sizeof(keep_call));
}

ms_rc ms_p11_find(struct ms_p11 *p, CK_ATTRIBUTE *t, CK_ULONG nt, CK_OBJECT_HANDLE *out,
		  CK_ULONG cap, CK_ULONG *n)
{
	CK_RV rv = p->f->C_FindObjectsInit(p->s, t, nt);

	if (rv != CKR_OK)
		return fail(p, "C_FindObjectsInit", rv);
	rv = p->f->C_FindObjects(p->s, out, cap, n);
	p->f->C_FindObjectsFinal(p->s);
	return rv == CKR_OK ? MS_OK : fail(p, "C_FindObjects", rv);
}

ms_rc ms_p11_attr(struct ms_p11 *p, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, void *buf,
		  size_t cap, size_t *len)
{
	CK_ATTRIBUTE a = { type, buf, cap };
	CK_RV rv = p->f->C_GetAttributeValue(p->s, o, &a, 1);

	if (rv == CKR_ATTRIBUTE_TYPE_INVALID)
		return MS_ERR_NOT_FOUND;
	if (rv == CKR_BUFFER_TOO_SMALL)
		return MS_ERR_BUFFER;
	if (rv != CKR_OK)
		return fail(p, "C_GetAttributeValue", rv);
	*len = a.ulValueLen;
	return MS_OK;
}

ms_rc ms_p11_attr_ulong(struct ms_p11 *p, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
	size_t len = 0;
	ms_rc rc = ms_p11_attr(p, o, type, v, sizeof(*v), &len);

	if (rc == MS_OK && len != sizeof(*v))
		return MS_ERR_PKCS11;
	return rc;
}

void ms_p11_destroy(struct ms_p11 *p, CK_OBJECT_HANDLE o)
{
	if (o != CK_INVALID_HANDLE)
		p->f->C_DestroyObject(p->s, o);
}

/* Operations with a mechanism, shared by the calls in p11_ops.c. */
ms_rc ms_p11_fail(struct ms_p11 *p, const char *call, CK_RV rv)
{
	return fail(p, call, rv);
}
