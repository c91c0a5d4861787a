/* pkcs11/importobj.c - building the objects of a KMS import. */
#include "config.h"
#include "pkcs11/importobj.h"

#include <string.h>

#include "pkcs11/attrs.h"
#include "pkcs11/object.h"

#define KEY_SUFFIX_ECCSI 0x01
#define KEY_SUFFIX_SAKKE 0x02

static int text_is(const p11_attr *a, const char *text)
{
	size_t l = strlen(text);

	return a != NULL && a->len == l && memcmp(a->value, text, l) == 0;
}

p11_object *community_find(const p11_session *s, const char *kms_uri, CK_KEY_TYPE type)
{
	p11_object *o;

	for (o = s->slot->objects; o != NULL; o = o->next)
		if (o->cls == CKO_PUBLIC_KEY && object_visible(s, o) &&
		    obj_ulong(o, CKA_KEY_TYPE, 0) == type &&
		    text_is(obj_attr(o, CKA_MSTOKEN_KMS_URI), kms_uri))
			return o;
	return NULL;
}

const p11_object *user_key_find(const p11_session *s, const kms_keyset *ks)
{
	const p11_object *o;

	for (o = s->slot->objects; o != NULL; o = o->next) {
		const p11_attr *id;

		if (o->cls != CKO_PRIVATE_KEY || !object_visible(s, o) ||
		    !text_is(obj_attr(o, CKA_MSTOKEN_KMS_URI), ks->kms_uri))
			continue;
		id = obj_attr(o, CKA_MSTOKEN_USER_ID);
		if (id != NULL && id->len == ks->user_id_len &&
		    memcmp(id->value, ks->user_id, id->len) == 0)
			return o;
	}
	return NULL;
}

/* Defaults for the rest, then hand the object over (or free it). */
static CK_RV finish(p11_object *o, CK_RV rv, p11_object **out)
{
	if (rv == CKR_OK)
		rv = attrs_defaults(o);
	if (rv != CKR_OK) {
		object_free(o);
		return rv;
	}
	*out = o;
	return CKR_OK;
}

CK_RV importobj_data(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n, const uint8_t *value,
		     size_t len, p11_object **out)
{
	p11_object *o;
	CK_ULONG i;
	CK_RV rv = CKR_OK;

	/* the kept XML is the record of what was imported: never changed */
	if (attrs_bool(t, n, CKA_MODIFIABLE, 0) || attrs_bool(t, n, CKA_COPYABLE, 0))
		return CKR_TEMPLATE_INCONSISTENT;
	o = object_new(s->slot, CKO_DATA);
	if (o == NULL)
		return CKR_HOST_MEMORY;
	/* With a value of its own (a key set's redacted text), the template's
	 * CKA_VALUE (the XML with the SSK and RSK in hex) is never copied
	 * into the heap, where it would wait for a free. */
	for (i = 0; i < n && rv == CKR_OK; i++)
		if (value == NULL || t[i].type != CKA_VALUE)
			rv = attrs_apply(o, &t[i], 1);
	if (rv == CKR_OK && value != NULL)
		rv = obj_set(o, CKA_VALUE, value, len);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_MODIFIABLE, 0);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_COPYABLE, 0);
	return finish(o, rv, out);
}

static CK_RV set_text(p11_object *o, CK_ATTRIBUTE_TYPE type, const char *text)
{
	return obj_set(o, type, text, strlen(text));
}

/* Attributes every imported key shares: made here, fixed for life. */
static CK_RV common_key_attrs(p11_object *o, CK_KEY_TYPE type, int token)
{
	CK_RV rv = obj_set_ulong(o, CKA_KEY_TYPE, type);

	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_TOKEN, token);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_MODIFIABLE, 0);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_COPYABLE, 0);
	return rv;
}

CK_RV importobj_community(p11_session *s, const kms_certificate *c, CK_KEY_TYPE type,
			  int token, p11_object **out)
{
	p11_object *o = object_new(s->slot, CKO_PUBLIC_KEY);
	int eccsi = type == CKK_MSTOKEN_ECCSI;
	CK_RV rv;

	if (o == NULL)
		return CKR_HOST_MEMORY;
	rv = common_key_attrs(o, type, token);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_PRIVATE, 0);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_LABEL, c->kms_uri);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_MSTOKEN_KMS_URI, c->kms_uri);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_MSTOKEN_USER_ID_FORMAT, c->user_id_format);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_MSTOKEN_KEY_PERIOD, (CK_ULONG)c->user_key_period);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_MSTOKEN_KEY_OFFSET, (CK_ULONG)c->user_key_offset);
	if (rv == CKR_OK)
		rv = obj_set(o, CKA_MSTOKEN_POINT, eccsi ? c->pub_auth_key : c->pub_enc_key,
			     eccsi ? ECCSI_POINT_LEN : SAKKE_POINT_LEN);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, eccsi ? CKA_VERIFY : CKA_WRAP, 1);
	/* the KMS vouches for Z_T: SAKKE may encapsulate unextractable keys to it */
	if (rv == CKR_OK && !eccsi)
		rv = obj_set_bool(o, CKA_TRUSTED, 1);
	/* the token's own copy proves the token imported the point (the
	 * clear record in the backing store cannot): kept in memory, and for
	 * a token object as the SO's endorsement (objstore.c) */
	if (rv == CKR_OK)
		rv = obj_set_secret(o, eccsi ? c->pub_auth_key : c->pub_enc_key,
				    eccsi ? ECCSI_POINT_LEN : SAKKE_POINT_LEN);
	return finish(o, rv, out);
}

static CK_RV user_attrs(p11_object *o, const kms_keyset *ks, CK_KEY_TYPE type)
{
	uint8_t id[IDENTITY_MAX_LEN + 1];
	CK_RV rv;

	memcpy(id, ks->user_id, ks->user_id_len);
	id[ks->user_id_len] = type == CKK_MSTOKEN_ECCSI ? KEY_SUFFIX_ECCSI : KEY_SUFFIX_SAKKE;
	rv = obj_set(o, CKA_ID, id, ks->user_id_len + 1);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_LABEL, ks->user_uri);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_MSTOKEN_USER_URI, ks->user_uri);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_MSTOKEN_KMS_URI, ks->kms_uri);
	if (rv == CKR_OK)
		rv = obj_set(o, CKA_MSTOKEN_USER_ID, ks->user_id, ks->user_id_len);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_MSTOKEN_KEY_PERIOD_NO, (CK_ULONG)ks->key_period_no);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_MSTOKEN_VALID_FROM, ks->valid_from);
	if (rv == CKR_OK)
		rv = set_text(o, CKA_MSTOKEN_VALID_TO, ks->valid_to);
	return rv;
}

/* An identity key never leaves and never changes. */
static CK_RV isolation_attrs(p11_object *o)
{
	static const CK_ATTRIBUTE_TYPE on[] = { CKA_PRIVATE, CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE,
						CKA_NEVER_EXTRACTABLE };
	size_t i;
	CK_RV rv = obj_set_bool(o, CKA_EXTRACTABLE, 0);

	for (i = 0; i < sizeof(on) / sizeof(on[0]) && rv == CKR_OK; i++)
		rv = obj_set_bool(o, on[i], 1);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_DERIVE, 0);
	return rv;
}

CK_RV importobj_user_key(p11_session *s, const kms_keyset *ks, CK_KEY_TYPE type,
			 const uint8_t *point, int token, p11_object **out)
{
	p11_object *o = object_new(s->slot, CKO_PRIVATE_KEY);
	int eccsi = type == CKK_MSTOKEN_ECCSI;
	CK_RV rv;

	if (o == NULL)
		return CKR_HOST_MEMORY;
	rv = common_key_attrs(o, type, token);
	if (rv == CKR_OK)
		rv = user_attrs(o, ks, type);
	if (rv == CKR_OK)
		rv = isolation_attrs(o);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, eccsi ? CKA_SIGN : CKA_UNWRAP, 1);
	if (rv == CKR_OK && eccsi)
		rv = obj_set(o, CKA_MSTOKEN_PVT, ks->pvt, ECCSI_POINT_LEN);
	if (rv == CKR_OK)
		rv = obj_set(o, eccsi ? CKA_MSTOKEN_KPAK : CKA_MSTOKEN_Z, point,
			     eccsi ? ECCSI_POINT_LEN : SAKKE_POINT_LEN);
	if (rv == CKR_OK)
		rv = obj_set_secret(o, eccsi ? ks->ssk : ks->rsk, eccsi ? ECCSI_N : SAKKE_POINT_LEN);
	return finish(o, rv, out);
}
