/* pkcs11/object.c - objects of a slot in memory: handles, attributes,
 * visibility; their keystore records are objstore.c's. */
#include "config.h"
#include "pkcs11/object.h"

#include <stdlib.h>
#include <string.h>

#include "pkcs11/sign.h"
#include "pkcs11/state.h"
#include "token/sakke.h"
#include "token/sakke_lines.h"
#include "token/secmem.h"


p11_object *object_new(p11_slot *sl, CK_OBJECT_CLASS cls)
{
	p11_object *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->slot = sl;
	o->cls = cls;
	o->handle = state_new_handle();
	return o;
}

void object_free(p11_object *o)
{
	size_t i;

	if (o == NULL)
		return;
	/* attribute values are public, but a template may have carried more
	 * than it should (a KMS document): wipe rather than guess */
	for (i = 0; i < o->n_attrs; i++) {
		secure_wipe(o->attrs[i].value, o->attrs[i].len);
		free(o->attrs[i].value);
	}
	free(o->attrs);
	secmem_free(o->secret);
	signer_ref_put(o->signer);
	free(o);
}

void object_link(p11_slot *sl, p11_object *o)
{
	o->slot = sl;
	o->next = sl->objects;
	sl->objects = o;
}

void object_unlink(p11_object *o)
{
	p11_object **pp;

	for (pp = &o->slot->objects; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			o->next = NULL;
			return;
		}
	}
}

p11_attr *obj_attr(const p11_object *o, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < o->n_attrs; i++)
		if (o->attrs[i].type == type)
			return &o->attrs[i];
	return NULL;
}

int obj_bool(const p11_object *o, CK_ATTRIBUTE_TYPE type)
{
	const p11_attr *a = obj_attr(o, type);

	return a != NULL && a->len == sizeof(CK_BBOOL) && *(const CK_BBOOL *)a->value == CK_TRUE;
}

CK_ULONG obj_ulong(const p11_object *o, CK_ATTRIBUTE_TYPE type, CK_ULONG dflt)
{
	const p11_attr *a = obj_attr(o, type);
	CK_ULONG v;

	if (a == NULL || a->len != sizeof(CK_ULONG))
		return dflt;
	memcpy(&v, a->value, sizeof(v));
	return v;
}

CK_RV obj_set(p11_object *o, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
	p11_attr *a = obj_attr(o, type);
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		return CKR_HOST_MEMORY;
	if (len)
		memcpy(copy, value, len);
	if (a == NULL) {
		p11_attr *n = realloc(o->attrs, (o->n_attrs + 1) * sizeof(*n));

		if (n == NULL) {
			free(copy);
			return CKR_HOST_MEMORY;
		}
		o->attrs = n;
		a = &o->attrs[o->n_attrs++];
		a->type = type;
	} else {
		secure_wipe(a->value, a->len);
		free(a->value);
	}
	a->value = copy;
	a->len = len;
	return CKR_OK;
}

CK_RV obj_set_bool(p11_object *o, CK_ATTRIBUTE_TYPE type, int v)
{
	CK_BBOOL b = v ? CK_TRUE : CK_FALSE;

	return obj_set(o, type, &b, sizeof(b));
}

CK_RV obj_set_ulong(p11_object *o, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	return obj_set(o, type, &v, sizeof(v));
}

CK_RV obj_set_secret(p11_object *o, const uint8_t *value, size_t len)
{
	uint8_t *copy = secmem_alloc(len);

	if (copy == NULL)
		return CKR_HOST_MEMORY;
	memcpy(copy, value, len);
	secmem_free(o->secret);
	o->secret = copy;
	o->secret_len = len;
	o->value_in_store = 0;
	return CKR_OK;
}

int obj_is_token(const p11_object *o)
{
	return obj_bool(o, CKA_TOKEN);
}

int obj_is_private(const p11_object *o)
{
	return obj_bool(o, CKA_PRIVATE);
}

int object_visible(const p11_session *s, const p11_object *o)
{
	if (o->slot != s->slot)
		return 0;
	if (obj_is_private(o) && s->slot->login != CKU_USER)
		return 0;
	return 1;
}

CK_RV object_lookup(const p11_session *s, CK_OBJECT_HANDLE h, p11_object **out)
{
	p11_object *o;

	for (o = s->slot->objects; o != NULL; o = o->next) {
		if (o->handle == h && object_visible(s, o)) {
			*out = o;
			return CKR_OK;
		}
	}
	return CKR_OBJECT_HANDLE_INVALID;
}

CK_RV object_clone(const p11_object *src, p11_object **out)
{
	p11_object *o = object_new(src->slot, src->cls);
	const uint8_t *v;
	size_t vlen, i;
	CK_RV rv = CKR_OK;

	if (o == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < src->n_attrs && rv == CKR_OK; i++)
		rv = obj_set(o, src->attrs[i].type, src->attrs[i].value, src->attrs[i].len);
	if (rv == CKR_OK && (src->secret != NULL || src->value_in_store)) {
		rv = obj_secret((p11_object *)(uintptr_t)src, &v, &vlen);
		if (rv == CKR_OK)
			rv = obj_set_secret(o, v, vlen);
	}
	if (rv != CKR_OK) {
		object_free(o);
		return rv;
	}
	*out = o;
	return CKR_OK;
}

void object_drop(p11_slot *sl, int private_only)
{
	p11_object **pp = &sl->objects;

	while (*pp != NULL) {
		p11_object *o = *pp;

		if (!private_only || obj_is_private(o)) {
			*pp = o->next;
			/* an RSK leaving memory takes its pairing table along */
			if (o->secret != NULL && o->secret_len == SAKKE_POINT_LEN &&
			    obj_ulong(o, CKA_KEY_TYPE, 0) == CKK_MSTOKEN_SAKKE &&
			    obj_ulong(o, CKA_CLASS, 0) == CKO_PRIVATE_KEY)
				sakke_lines_forget(o->secret);
			object_free(o);
		} else {
			/* a public token object's sealed value (a community key's
			 * copy) is read again after the next login; a session
			 * object has no other copy and keeps its own */
			if (o->record[0] != '\0') {
				secmem_free(o->secret);
				o->secret = NULL;
				o->secret_len = 0;
				o->value_in_store = 0;
			}
			pp = &o->next;
		}
	}
}

void object_drop_session(p11_slot *sl, CK_SESSION_HANDLE owner)
{
	p11_object **pp = &sl->objects;

	while (*pp != NULL) {
		p11_object *o = *pp;

		if (o->owner == owner && !obj_is_token(o)) {
			*pp = o->next;
			object_free(o);
		} else {
			pp = &o->next;
		}
	}
}

CK_RV key_for_use(const p11_session *s, CK_OBJECT_HANDLE h, CK_OBJECT_CLASS cls,
		  CK_KEY_TYPE type, CK_ATTRIBUTE_TYPE usage, p11_object **out)
{
	p11_object *o;

	if (object_lookup(s, h, &o) != CKR_OK)
		return CKR_KEY_HANDLE_INVALID;
	if (o->cls != cls || obj_ulong(o, CKA_KEY_TYPE, CK_UNAVAILABLE_INFORMATION) != type)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!obj_bool(o, usage))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	*out = o;
	return CKR_OK;
}
