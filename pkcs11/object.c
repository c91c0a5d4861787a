/* pkcs11/object.c - the object store of a slot. */
#include "config.h"
#include "pkcs11/object.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/debug.h"
#include "pkcs11/objcodec.h"
#include "pkcs11/rv.h"
#include "pkcs11/sign.h"
#include "pkcs11/slot.h"
#include "pkcs11/state.h"
#include "token/hex.h"
#include "token/secmem.h"

#define KIND_ATTRS 1u
#define KIND_VALUE 2u
#define MAX_RECORDS 4096

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
	for (i = 0; i < o->n_attrs; i++)
		free(o->attrs[i].value);
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

CK_RV obj_sealed_point(p11_object *o, size_t len, const uint8_t **point)
{
	const p11_attr *clear = obj_attr(o, CKA_MSTOKEN_POINT);
	const uint8_t *sealed;
	size_t slen;
	CK_RV rv = obj_secret(o, &sealed, &slen);

	if (rv == CKR_OK && (slen != len || clear == NULL || clear->len != len ||
			     memcmp(sealed, clear->value, len) != 0))
		rv = CKR_DEVICE_ERROR;
	if (rv != CKR_OK) {
		p11_debug("slot \"%s\": community key %lu has no valid sealed copy",
			  o->slot->cfg.label, (unsigned long)o->handle);
		return rv == CKR_KEY_HANDLE_INVALID ? CKR_DEVICE_ERROR : rv;
	}
	*point = sealed;
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

static void record_name(char *out, const char *base, const char *suffix)
{
	snprintf(out, KEYSTORE_NAME_MAX + 1, "%.48s%.2s", base, suffix);
}

CK_RV obj_secret(p11_object *o, const uint8_t **value, size_t *len)
{
	char name[KEYSTORE_NAME_MAX + 1];
	uint32_t kind = 0;
	uint8_t *data = NULL;
	size_t dlen = 0;
	mst_rc rc;

	if (o->secret == NULL && o->value_in_store) {
		p11_slot *sl = o->slot;

		record_name(name, o->record, ".v");
		rc = sl->ks->get(sl->be, name, &kind, &data, &dlen);
		if (rc == MST_OK && (kind != KIND_VALUE || dlen == 0))
			rc = MST_ERR_TAMPERED;
		if (rc != MST_OK) {
			p11_debug("slot \"%s\": key record %s unusable: %s", sl->cfg.label, name,
				  mst_strerror(rc));
			secmem_free(data);
			return rv_from_mst(rc);
		}
		o->secret = data;       /* secmem_alloc'd by the keystore */
		o->secret_len = dlen;
		o->value_in_store = 0;
	}
	if (o->secret == NULL)
		return CKR_KEY_HANDLE_INVALID;
	*value = o->secret;
	*len = o->secret_len;
	return CKR_OK;
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

static CK_RV new_record_base(char *base)
{
	uint8_t rnd[8];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return CKR_FUNCTION_FAILED;
	base[0] = 'o';
	hex_encode(rnd, sizeof(rnd), base + 1);
	return CKR_OK;
}

CK_RV object_store(p11_object *o)
{
	p11_slot *sl = o->slot;
	char name[KEYSTORE_NAME_MAX + 1];
	int priv = obj_is_private(o);
	int fresh = o->record[0] == '\0';
	uint8_t *buf = NULL;
	size_t len;
	CK_RV rv;
	mst_rc rc;

	if (fresh && (rv = new_record_base(o->record)) != CKR_OK)
		return rv;
	if (o->secret != NULL) {
		record_name(name, o->record, ".v");
		rc = sl->ks->put(sl->be, name, KIND_VALUE, 1, o->secret, o->secret_len);
		if (rc != MST_OK)
			goto fail;
	}
	rv = objcodec_encode(o, &buf, &len);
	if (rv != CKR_OK) {
		rc = MST_ERR_NOMEM;
		goto fail;
	}
	record_name(name, o->record, ".a");
	rc = sl->ks->put(sl->be, name, KIND_ATTRS, priv, buf, len);
	free(buf);
	if (rc != MST_OK)
		goto fail;
	return CKR_OK;
fail:
	slot_debug_fail(sl, "cannot store object", rc);
	if (fresh) {
		object_unstore(o);
		o->record[0] = '\0';
	}
	return rv_from_mst(rc);
}

void object_unstore(p11_object *o)
{
	char name[KEYSTORE_NAME_MAX + 1];

	if (o->record[0] == '\0')
		return;
	record_name(name, o->record, ".a");
	(void)o->slot->ks->remove(o->slot->be, name);
	record_name(name, o->record, ".v");
	(void)o->slot->ks->remove(o->slot->be, name);
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

static int record_known(const p11_slot *sl, const char *base)
{
	const p11_object *o;

	for (o = sl->objects; o != NULL; o = o->next)
		if (strcmp(o->record, base) == 0)
			return 1;
	return 0;
}

static int record_listed(const keystore_entry *e, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return 1;
	return 0;
}

/* One ".a" record into an object; a record that fails to open or decode
 * is reported and skipped, the others still load. */
static void load_one(p11_slot *sl, const keystore_entry *all, size_t n_all,
		     const keystore_entry *e)
{
	char base[KEYSTORE_NAME_MAX + 1], vname[KEYSTORE_NAME_MAX + 1];
	uint8_t *data = NULL;
	uint32_t kind = 0;
	size_t len = 0, blen = strlen(e->name) - 2;
	p11_object *o;
	mst_rc rc;

	memcpy(base, e->name, blen);
	base[blen] = '\0';
	if (record_known(sl, base))
		return;
	rc = sl->ks->get(sl->be, e->name, &kind, &data, &len);
	if (rc == MST_OK && kind != KIND_ATTRS)
		rc = MST_ERR_TAMPERED;
	o = rc == MST_OK ? object_new(sl, 0) : NULL;
	if (o == NULL || objcodec_decode(data, len, o) != CKR_OK ||
	    obj_is_private(o) != e->is_private || !obj_is_token(o)) {
		p11_debug("slot \"%s\": record %s skipped: %s", sl->cfg.label, e->name,
			  rc != MST_OK ? mst_strerror(rc) : "malformed object record");
		object_free(o);
	} else {
		memcpy(o->record, base, blen + 1);
		record_name(vname, base, ".v");
		o->value_in_store = record_listed(all, n_all, vname);
		object_link(sl, o);
	}
	if (e->is_private)      /* keystore.h: private records in secmem */
		secmem_free(data);
	else
		free(data);
}

static void mark_sealed_values(p11_slot *sl, const keystore_entry *all, size_t n_all)
{
	char vname[KEYSTORE_NAME_MAX + 1];
	p11_object *o;

	for (o = sl->objects; o != NULL; o = o->next) {
		if (o->record[0] == '\0' || o->secret != NULL)
			continue;
		record_name(vname, o->record, ".v");
		o->value_in_store = record_listed(all, n_all, vname);
	}
}

void object_load_records(p11_slot *sl, int private_pass)
{
	keystore_entry *entries;
	size_t n = MAX_RECORDS, i;
	mst_rc rc;

	entries = calloc(MAX_RECORDS, sizeof(*entries));
	if (entries == NULL)
		return;
	rc = sl->ks->list(sl->be, entries, &n);
	if (rc != MST_OK) {
		if (rc != MST_ERR_NOT_INITIALIZED)
			p11_debug("slot \"%s\": cannot list records: %s", sl->cfg.label,
				  mst_strerror(rc));
		n = 0;
	}
	for (i = 0; i < n; i++) {
		if (!has_suffix(entries[i].name, ".a") || entries[i].is_private != private_pass)
			continue;
		load_one(sl, entries, n, &entries[i]);
	}
	/* sealed values of public objects (a trusted Z_T) are listed only now */
	if (private_pass)
		mark_sealed_values(sl, entries, n);
	free(entries);
}

void object_drop(p11_slot *sl, int private_only)
{
	p11_object **pp = &sl->objects;

	while (*pp != NULL) {
		p11_object *o = *pp;

		if (!private_only || obj_is_private(o)) {
			*pp = o->next;
			object_free(o);
		} else {
			/* a public object's sealed value needs the next login */
			secmem_free(o->secret);
			o->secret = NULL;
			o->secret_len = 0;
			o->value_in_store = 0;
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
