/* pkcs11/kmskey.c - TrK and InK objects (see kmskey.h). */
#include "config.h"
#include "pkcs11/kmskey.h"

#include <string.h>

#include "pkcs11/attrs.h"
#include "pkcs11/debug.h"
#include "pkcs11/importobj.h"
#include "pkcs11/object.h"
#include "pkcs11/objops.h"
#include "token/kmsxml.h"
#include "token/secmem.h"

#define LAST_TIME_LEN 8
#define LAST_MACS_MAX 4   /* responses accepted within one second */

static CK_KEY_TYPE type_of(kmssec_use use)
{
	return use == KMSSEC_TRK ? CKK_MSTOKEN_KMS_TRK : CKK_MSTOKEN_KMS_INK;
}

int kmskey_requested(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE kt;

	return attrs_ulong(t, n, CKA_CLASS, &cls) == CKR_OK && cls == CKO_SECRET_KEY &&
	       attrs_ulong(t, n, CKA_KEY_TYPE, &kt) == CKR_OK &&
	       (kt == CKK_MSTOKEN_KMS_TRK || kt == CKK_MSTOKEN_KMS_INK);
}

/* Printable ASCII: the ID travels as the text of ds:KeyName. */
static int id_ok(const CK_ATTRIBUTE *a)
{
	CK_ULONG i;

	if (a == NULL || a->pValue == NULL || a->ulValueLen == 0 || a->ulValueLen >= KMSSEC_ID_MAX)
		return 0;
	for (i = 0; i < a->ulValueLen; i++) {
		uint8_t c = ((const uint8_t *)a->pValue)[i];
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&')
			return 0;
	}
	return 1;
}

static int text_ok(const CK_ATTRIBUTE *a, size_t max)
{
	CK_ULONG i;

	if (a == NULL || a->pValue == NULL || a->ulValueLen == 0 || a->ulValueLen >= max)
		return 0;
	for (i = 0; i < a->ulValueLen; i++)
		if (((const uint8_t *)a->pValue)[i] < 0x20)
			return 0;
	return 1;
}

/* Never usable for anything but opening KMS responses, never readable. */
static CK_RV check_policy(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	static const CK_ATTRIBUTE_TYPE usage[] = { CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY,
						   CKA_WRAP, CKA_UNWRAP, CKA_DERIVE,
						   CKA_WRAP_WITH_TRUSTED, CKA_MODIFIABLE,
						   CKA_COPYABLE, CKA_EXTRACTABLE };
	size_t i;

	for (i = 0; i < sizeof usage / sizeof usage[0]; i++)
		if (attrs_bool(t, n, usage[i], 0))
			return CKR_TEMPLATE_INCONSISTENT;
	if (!attrs_bool(t, n, CKA_SENSITIVE, 1))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

/* Who may make it, and whether it is private: token objects only by the
 * user (private records), session objects by the user (private) or the
 * SO (public: the SO sees no private object). */
static CK_RV check_role(const p11_session *s, int token, const CK_ATTRIBUTE *t, CK_ULONG n,
			int *priv)
{
	CK_USER_TYPE who = s->slot->login;

	if (who == CKU_SO) {
		if (token)
			return CKR_USER_NOT_LOGGED_IN;
		if (attrs_bool(t, n, CKA_PRIVATE, 0))
			return CKR_TEMPLATE_INCONSISTENT;
		*priv = 0;
		return CKR_OK;
	}
	if (!attrs_bool(t, n, CKA_PRIVATE, 1))
		return CKR_TEMPLATE_INCONSISTENT;
	*priv = 1;
	return objops_may_write(s, token, 1);
}

static CK_RV fixed_attrs(p11_object *o, CK_KEY_TYPE type, int token, int priv)
{
	static const CK_ATTRIBUTE_TYPE on[] = { CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE,
						CKA_NEVER_EXTRACTABLE };
	static const CK_ATTRIBUTE_TYPE off[] = { CKA_EXTRACTABLE, CKA_MODIFIABLE, CKA_COPYABLE };
	size_t i;
	CK_RV rv = obj_set_ulong(o, CKA_KEY_TYPE, type);

	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_TOKEN, token);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_PRIVATE, priv);
	for (i = 0; i < sizeof on / sizeof on[0] && rv == CKR_OK; i++)
		rv = obj_set_bool(o, on[i], 1);
	for (i = 0; i < sizeof off / sizeof off[0] && rv == CKR_OK; i++)
		rv = obj_set_bool(o, off[i], 0);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_VALUE_LEN, KMSSEC_KEY_LEN);
	return rv;
}

/* Build the object; label and user are text attributes (not NUL-terminated). */
static CK_RV build(p11_session *s, CK_KEY_TYPE type, int token, int priv, const void *id,
		   size_t id_len, const void *label, size_t label_len, const void *user,
		   size_t user_len, const uint8_t *value, p11_object **out)
{
	p11_object *o = object_new(s->slot, CKO_SECRET_KEY);
	CK_RV rv;

	if (o == NULL)
		return CKR_HOST_MEMORY;
	rv = fixed_attrs(o, type, token, priv);
	if (rv == CKR_OK)
		rv = obj_set(o, CKA_ID, id, id_len);
	if (rv == CKR_OK)
		rv = obj_set(o, CKA_LABEL, label, label_len);
	if (rv == CKR_OK)
		rv = obj_set(o, CKA_MSTOKEN_USER_URI, user, user_len);
	if (rv == CKR_OK)
		rv = obj_set_secret(o, value, KMSSEC_KEY_LEN);
	return importobj_finish(o, rv, out);
}

CK_RV kmskey_create(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	const CK_ATTRIBUTE *id = attrs_find(t, n, CKA_ID), *value = attrs_find(t, n, CKA_VALUE);
	const CK_ATTRIBUTE *user = attrs_find(t, n, CKA_MSTOKEN_USER_URI);
	const CK_ATTRIBUTE *label = attrs_find(t, n, CKA_LABEL);
	char idtext[KMSSEC_ID_MAX];
	int token = attrs_bool(t, n, CKA_TOKEN, 0), priv = 1;
	CK_KEY_TYPE type;
	p11_object *o = NULL;
	CK_RV rv;

	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = attrs_check(CKO_SECRET_KEY, t, n, ACTX_CREATE, NULL);
	if (rv == CKR_OK)
		rv = attrs_ulong(t, n, CKA_KEY_TYPE, &type);
	if (rv == CKR_OK)
		rv = check_policy(t, n);
	if (rv == CKR_OK && (id == NULL || value == NULL || user == NULL))
		rv = CKR_TEMPLATE_INCOMPLETE;
	if (rv == CKR_OK && (!id_ok(id) || value->pValue == NULL ||
			     value->ulValueLen != KMSSEC_KEY_LEN ||
			     !text_ok(user, KMSXML_URI_MAX) ||
			     (label != NULL && label->ulValueLen > 0 && label->pValue == NULL)))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (rv == CKR_OK)
		rv = check_role(s, token, t, n, &priv);
	if (rv != CKR_OK)
		return rv;
	memcpy(idtext, id->pValue, id->ulValueLen);
	idtext[id->ulValueLen] = '\0';
	if (kmskey_find(s, type == CKK_MSTOKEN_KMS_TRK ? KMSSEC_TRK : KMSSEC_INK, idtext) != NULL) {
		p11_debug("%s '%s' is already in the token",
			  type == CKK_MSTOKEN_KMS_TRK ? "TrK" : "InK", idtext);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = build(s, type, token, priv, id->pValue, id->ulValueLen,
		   label != NULL ? label->pValue : id->pValue,
		   label != NULL ? label->ulValueLen : id->ulValueLen, user->pValue, user->ulValueLen,
		   value->pValue, &o);
	if (rv != CKR_OK)
		return rv;
	return objops_commit(s, o, out);
}

p11_object *kmskey_find(const p11_session *s, kmssec_use use, const char *id)
{
	CK_KEY_TYPE type = type_of(use);
	size_t l = strlen(id);
	p11_object *o;

	for (o = s->slot->objects; o != NULL; o = o->next) {
		const p11_attr *a;
		if (o->cls != CKO_SECRET_KEY || !object_visible(s, o) ||
		    obj_ulong(o, CKA_KEY_TYPE, 0) != type)
			continue;
		if ((a = obj_attr(o, CKA_ID)) != NULL && a->len == l && memcmp(a->value, id, l) == 0)
			return o;
	}
	return NULL;
}

mst_rc kmskey_lookup(void *ctx, kmssec_use use, const char *id, uint8_t key[KMSSEC_KEY_LEN])
{
	p11_object *o = kmskey_find(ctx, use, id);
	const uint8_t *v;
	size_t len;

	if (o == NULL)
		return MST_ERR_UNKNOWN_KEY;
	if (obj_secret(o, &v, &len) != CKR_OK || len != KMSSEC_KEY_LEN)
		return MST_ERR_TAMPERED;
	memcpy(key, v, KMSSEC_KEY_LEN);
	return MST_OK;
}

CK_RV kmskey_new_from(p11_session *s, const p11_object *ink, kmssec_use use, const char *id,
		      const uint8_t key[KMSSEC_KEY_LEN], p11_object **out)
{
	const p11_attr *user = obj_attr(ink, CKA_MSTOKEN_USER_URI);
	const p11_attr *label = obj_attr(ink, CKA_LABEL);
	CK_RV rv;

	if (user == NULL)
		return CKR_GENERAL_ERROR;
	rv = build(s, type_of(use), obj_is_token(ink), obj_is_private(ink), id, strlen(id),
		   label != NULL ? label->value : NULL, label != NULL ? label->len : 0,
		   user->value, user->len, key, out);
	if (rv == CKR_OK && use == KMSSEC_INK)
		rv = kmskey_copy_record(*out, ink);
	if (rv == CKR_OK && !obj_is_token(*out))
		(*out)->owner = ink->owner;
	return rv;
}

/* ---- replay record ------------------------------------------------------- */

static int64_t get_time(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < LAST_TIME_LEN; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static void put_time(uint8_t *p, int64_t t)
{
	uint64_t v = (uint64_t)t;
	int i;

	for (i = LAST_TIME_LEN - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The record, or NULL when the InK has accepted nothing yet. */
static const p11_attr *record_of(const p11_object *ink, size_t *n_macs)
{
	const p11_attr *a = obj_attr(ink, CKA_MSTOKEN_KMS_LAST);

	if (a == NULL || a->len < LAST_TIME_LEN ||
	    (a->len - LAST_TIME_LEN) % KMSSEC_MAC_LEN != 0)
		return NULL;
	*n_macs = (a->len - LAST_TIME_LEN) / KMSSEC_MAC_LEN;
	return a;
}

CK_RV kmskey_check_fresh(const p11_object *ink, int64_t time, const uint8_t mac[KMSSEC_MAC_LEN])
{
	size_t n = 0, i;
	const p11_attr *a = record_of(ink, &n);
	int64_t last;

	if (a == NULL)
		return CKR_OK;
	last = get_time(a->value);
	if (time > last)
		return CKR_OK;
	if (time < last || n >= LAST_MACS_MAX)
		return CKR_MSTOKEN_KMS_REPLAY;
	for (i = 0; i < n; i++)
		if (memcmp(a->value + LAST_TIME_LEN + i * KMSSEC_MAC_LEN, mac, KMSSEC_MAC_LEN) == 0)
			return CKR_MSTOKEN_KMS_REPLAY;
	return CKR_OK;
}

CK_RV kmskey_note_accepted(p11_object *ink, int64_t time, const uint8_t mac[KMSSEC_MAC_LEN])
{
	uint8_t rec[LAST_TIME_LEN + LAST_MACS_MAX * KMSSEC_MAC_LEN];
	size_t n = 0, keep = 0;
	const p11_attr *a = record_of(ink, &n);
	CK_RV rv;

	if (a != NULL && get_time(a->value) == time && n < LAST_MACS_MAX) {
		keep = n;
		memcpy(rec + LAST_TIME_LEN, a->value + LAST_TIME_LEN, n * KMSSEC_MAC_LEN);
	}
	put_time(rec, time);
	memcpy(rec + LAST_TIME_LEN + keep * KMSSEC_MAC_LEN, mac, KMSSEC_MAC_LEN);
	rv = obj_set(ink, CKA_MSTOKEN_KMS_LAST, rec, LAST_TIME_LEN + (keep + 1) * KMSSEC_MAC_LEN);
	if (rv == CKR_OK && obj_is_token(ink))
		rv = object_store(ink);
	return rv;
}

CK_RV kmskey_copy_record(p11_object *o, const p11_object *ink)
{
	size_t n = 0;
	const p11_attr *a = record_of(ink, &n);

	return a == NULL ? CKR_OK : obj_set(o, CKA_MSTOKEN_KMS_LAST, a->value, a->len);
}
