/* pkcs11/objops.c - object management entry points. */
#include "config.h"
#include "pkcs11/objops.h"

#include <string.h>

#include "pkcs11/attrs.h"
#include "pkcs11/import.h"
#include "pkcs11/object.h"
#include "pkcs11/session.h"

#define MAX_SECRET_LEN 64   /* longest generic secret one may create */

CK_RV objops_may_write(const p11_session *s, int token, int priv)
{
	if (token && !session_rw(s))
		return CKR_SESSION_READ_ONLY;
	if (priv && s->slot->login != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

CK_RV objops_commit(p11_session *s, p11_object *o, CK_OBJECT_HANDLE_PTR out)
{
	CK_RV rv;

	if (obj_is_token(o)) {
		rv = object_store(o);
		if (rv != CKR_OK) {
			object_free(o);
			return rv;
		}
	} else {
		o->owner = s->handle;
	}
	object_link(s->slot, o);
	if (out != NULL)
		*out = o->handle;
	return CKR_OK;
}

/* The rules a C_CreateObject template of a generic secret must follow. */
static CK_RV check_secret_template(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	const CK_ATTRIBUTE *v = attrs_find(t, n, CKA_VALUE);
	CK_ULONG kt;
	CK_RV rv = attrs_ulong(t, n, CKA_KEY_TYPE, &kt);

	if (rv != CKR_OK)
		return rv;
	if (kt != CKK_GENERIC_SECRET)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (v == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (v->ulValueLen == 0 || v->ulValueLen > MAX_SECRET_LEN)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!attrs_bool(t, n, CKA_PRIVATE, 1))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

CK_RV objops_create(p11_session *s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	CK_OBJECT_CLASS cls;
	p11_object *o;
	CK_RV rv;

	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = attrs_template_ok(t, n);
	if (rv == CKR_OK)
		rv = attrs_ulong(t, n, CKA_CLASS, &cls);
	if (rv != CKR_OK)
		return rv;
	if (cls == CKO_DATA && import_requested(t, n))
		return import_create(s, t, n, out);
	/* public and private keys come only from a KMS import */
	if (cls != CKO_DATA && cls != CKO_SECRET_KEY)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	rv = attrs_check(cls, t, n, ACTX_CREATE, NULL);
	if (rv == CKR_OK && cls == CKO_SECRET_KEY)
		rv = check_secret_template(t, n);
	if (rv == CKR_OK)
		rv = objops_may_write(s, attrs_bool(t, n, CKA_TOKEN, 0),
				      attrs_bool(t, n, CKA_PRIVATE, cls == CKO_SECRET_KEY));
	if (rv != CKR_OK)
		return rv;
	o = object_new(s->slot, cls);
	if (o == NULL)
		return CKR_HOST_MEMORY;
	rv = attrs_apply(o, t, n);
	if (rv == CKR_OK && cls == CKO_SECRET_KEY)
		rv = obj_set_ulong(o, CKA_VALUE_LEN, o->secret_len);
	if (rv == CKR_OK)
		rv = attrs_defaults(o);
	if (rv != CKR_OK) {
		object_free(o);
		return rv;
	}
	return objops_commit(s, o, out);
}

CK_RV objops_copy(p11_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		  CK_OBJECT_HANDLE_PTR out)
{
	p11_object *o, *c;
	int priv_key;
	CK_RV rv;

	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = attrs_template_ok(t, n);
	if (rv == CKR_OK)
		rv = object_lookup(s, h, &o);
	if (rv != CKR_OK)
		return rv;
	if (!obj_bool(o, CKA_COPYABLE))
		return CKR_ACTION_PROHIBITED;
	rv = attrs_check(o->cls, t, n, ACTX_COPY, o);
	if (rv != CKR_OK)
		return rv;
	priv_key = o->cls == CKO_SECRET_KEY || o->cls == CKO_PRIVATE_KEY;
	if (priv_key && !attrs_bool(t, n, CKA_PRIVATE, 1))
		return CKR_TEMPLATE_INCONSISTENT;
	rv = objops_may_write(s, attrs_bool(t, n, CKA_TOKEN, obj_is_token(o)),
			      attrs_bool(t, n, CKA_PRIVATE, obj_is_private(o)));
	if (rv == CKR_OK)
		rv = object_clone(o, &c);
	if (rv != CKR_OK)
		return rv;
	rv = attrs_apply(c, t, n);
	if (rv != CKR_OK) {
		object_free(c);
		return rv;
	}
	return objops_commit(s, c, out);
}

CK_RV objops_destroy(p11_session *s, CK_OBJECT_HANDLE h)
{
	p11_object *o;
	CK_RV rv = object_lookup(s, h, &o);

	if (rv != CKR_OK)
		return rv;
	if (!obj_bool(o, CKA_DESTROYABLE))
		return CKR_ACTION_PROHIBITED;
	if (obj_is_token(o)) {
		if (!session_rw(s))
			return CKR_SESSION_READ_ONLY;
		object_unstore(o);
	}
	object_unlink(o);
	object_free(o);
	return CKR_OK;
}

CK_RV objops_get(p11_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	p11_object *o;
	CK_RV rv = object_lookup(s, h, &o);

	return rv != CKR_OK ? rv : attrs_read(o, t, n);
}

CK_RV objops_set(p11_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	p11_object *o, *c;
	p11_attr *attrs;
	size_t n_attrs;
	CK_RV rv = attrs_template_ok(t, n);

	if (rv == CKR_OK)
		rv = object_lookup(s, h, &o);
	if (rv != CKR_OK)
		return rv;
	if (!obj_bool(o, CKA_MODIFIABLE))
		return CKR_ACTION_PROHIBITED;
	rv = attrs_check(o->cls, t, n, ACTX_MODIFY, o);
	if (rv == CKR_OK && obj_is_token(o) && !session_rw(s))
		rv = CKR_SESSION_READ_ONLY;
	/* change a copy, store it, then take its attributes: all or nothing */
	if (rv == CKR_OK)
		rv = object_clone(o, &c);
	if (rv != CKR_OK)
		return rv;
	rv = attrs_apply(c, t, n);
	if (rv == CKR_OK && obj_is_token(o)) {
		memcpy(c->record, o->record, sizeof(c->record));
		rv = object_store(c);
	}
	if (rv == CKR_OK) {
		attrs = o->attrs;
		n_attrs = o->n_attrs;
		o->attrs = c->attrs;
		o->n_attrs = c->n_attrs;
		c->attrs = attrs;
		c->n_attrs = n_attrs;
	}
	object_free(c);
	return rv;
}

CK_RV objops_size(p11_session *s, CK_OBJECT_HANDLE h, CK_ULONG_PTR size)
{
	p11_object *o;
	CK_ULONG total;
	size_t i;
	CK_RV rv;

	if (size == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = object_lookup(s, h, &o);
	if (rv != CKR_OK)
		return rv;
	total = o->secret_len;
	for (i = 0; i < o->n_attrs; i++)
		total += o->attrs[i].len;
	*size = total;
	return CKR_OK;
}
