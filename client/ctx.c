/* client/ctx.c - open a token and find community and user keys in it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/ctx.h"

ms_rc ms_ctx_open(struct ms_ctx **c, const char *module, const char *token_label, const char *pin)
{
	struct ms_ctx *n;
	ms_rc rc;

	if (!c)
		return MS_ERR_ARGS;
	n = calloc(1, sizeof(*n));
	if (!n)
		return MS_ERR_NOMEM;
	rc = ms_p11_open(&n->p, module, token_label, pin);
	if (rc != MS_OK) {
		free(n);
		return rc;
	}
	*c = n;
	return MS_OK;
}

void ms_ctx_close(struct ms_ctx *c)
{
	if (!c)
		return;
	ms_p11_close(&c->p);
	free(c);
}

const char *ms_ctx_error(const struct ms_ctx *c)
{
	return c ? c->err : "";
}

void ctx_note_p11(struct ms_ctx *c)
{
	snprintf(c->err, sizeof(c->err), "%s: CKR 0x%lx", c->p.last_call, (unsigned long)c->p.last_rv);
}

static ms_rc read_text(struct ms_ctx *c, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE a, char *out, size_t cap)
{
	size_t len = 0;
	ms_rc rc = ms_p11_attr(&c->p, o, a, out, cap - 1, &len);

	if (rc == MS_OK)
		out[len] = '\0';
	return rc;
}

/* Public keys of one type and, when kms_uri is given, that KMS. */
static ms_rc find_public(struct ms_ctx *c, CK_KEY_TYPE type, const char *kms_uri,
			 CK_OBJECT_HANDLE *out, CK_ULONG cap, CK_ULONG *n)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_MSTOKEN_KMS_URI, (void *)(uintptr_t)kms_uri, kms_uri ? strlen(kms_uri) : 0 },
	};

	return ms_p11_find(&c->p, t, kms_uri ? 3 : 2, out, cap, n);
}

ms_rc ctx_community(struct ms_ctx *c, const char *kms_uri, struct ms_community *out)
{
	CK_OBJECT_HANDLE h[4];
	CK_ULONG n = 0, v;
	ms_rc rc;

	memset(out, 0, sizeof(*out));
	rc = find_public(c, CKK_MSTOKEN_ECCSI, kms_uri, h, 4, &n);
	if (rc != MS_OK)
		return rc;
	if (n != 1)
		return MS_ERR_UNKNOWN_SIGNER;
	out->kpak = h[0];
	rc = read_text(c, out->kpak, CKA_MSTOKEN_KMS_URI, out->kms_uri, sizeof(out->kms_uri));
	if (rc == MS_OK)
		rc = find_public(c, CKK_MSTOKEN_SAKKE, out->kms_uri, h, 4, &n);
	if (rc != MS_OK)
		return rc;
	if (n != 1)
		return MS_ERR_UNKNOWN_SIGNER;
	out->z = h[0];
	out->id.kms_uri = out->kms_uri;
	rc = ms_p11_attr_ulong(&c->p, out->kpak, CKA_MSTOKEN_USER_ID_FORMAT, &v);
	if (rc != MS_OK)
		return rc;
	out->id.format = (int)v;
	if (out->id.format == 2) {
		rc = ms_p11_attr_ulong(&c->p, out->kpak, CKA_MSTOKEN_KEY_PERIOD, &v);
		out->id.key_period = v;
		if (rc == MS_OK)
			rc = ms_p11_attr_ulong(&c->p, out->kpak, CKA_MSTOKEN_KEY_OFFSET, &v);
		out->id.key_offset = v;
	}
	return rc;
}

ms_rc ctx_user_kms(struct ms_ctx *c, const char *uri, char *kms, size_t cap)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type = CKK_MSTOKEN_ECCSI;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_MSTOKEN_USER_URI, (void *)(uintptr_t)uri, strlen(uri) },
	};
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;
	ms_rc rc = ms_p11_find(&c->p, t, 3, &h, 1, &n);

	if (rc != MS_OK)
		return rc;
	if (n == 0)
		return MS_ERR_NOT_FOUND;
	return read_text(c, h, CKA_MSTOKEN_KMS_URI, kms, cap);
}

ms_rc ctx_private_key(struct ms_ctx *c, const uint8_t *id, size_t id_len, uint8_t suffix,
		      CK_OBJECT_HANDLE *key)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	uint8_t ckaid[MS_ID_MAX_LEN + 1];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, ckaid, id_len + 1 },
	};
	CK_ULONG n = 0;
	ms_rc rc;

	if (id_len > MS_ID_MAX_LEN)
		return MS_ERR_ARGS;
	memcpy(ckaid, id, id_len);
	ckaid[id_len] = suffix;
	rc = ms_p11_find(&c->p, t, 2, key, 1, &n);
	if (rc == MS_OK && n == 0)
		rc = MS_ERR_NOT_FOUND;
	return rc;
}
