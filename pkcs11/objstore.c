/* pkcs11/objstore.c - token objects as keystore records: ".a" (the
 * attributes, objcodec.c), ".v" (a private object's sealed key value,
 * read lazily so a bad sealed value shows at use) and ".e" (a community
 * key's SO endorsement: the tag keystore endorse() gives over what the
 * KmsCertificate fixed, which only a logged-in SO or user can make or
 * check; the SO cannot write sealed records in every backend). */
#include "config.h"
#include "pkcs11/object.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/debug.h"
#include "pkcs11/objcodec.h"
#include "pkcs11/rv.h"
#include "pkcs11/slot.h"
#include "token/hex.h"
#include "token/sakke.h"
#include "token/secmem.h"

#define KIND_ATTRS 1u
#define KIND_VALUE 2u
#define KIND_ENDORSEMENT 3u
#define MAX_RECORDS 4096

static void record_name(char *out, const char *base, const char *suffix)
{
	snprintf(out, KEYSTORE_NAME_MAX + 1, "%.48s%.2s", base, suffix);
}

CK_RV obj_secret(p11_object *o, const uint8_t **value, size_t *len)
{
	char name[KEYSTORE_NAME_MAX + 1];
	uint8_t *data = NULL;
	size_t dlen = 0;
	mst_rc rc;

	if (o->secret == NULL && o->value_in_store) {
		p11_slot *sl = o->slot;

		record_name(name, o->record, ".v");
		/* only a private record of the value kind: never a public
		 * copy planted under the name (keystore.h) */
		rc = sl->ks->get(sl->be, name, 1, KIND_VALUE, &data, &dlen);
		if (rc == MST_OK && dlen == 0)
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

/* What an endorsement vouches for: the record, the key type, the
 * community and the point (a record forged under the same name cannot
 * move a genuine tag to another community or key). */
static CK_RV endorsement_tag(p11_object *o, const uint8_t *point, size_t len,
			     uint8_t tag[KEYSTORE_TAG_LEN])
{
	const p11_attr *uri = obj_attr(o, CKA_MSTOKEN_KMS_URI);
	CK_ULONG type = obj_ulong(o, CKA_KEY_TYPE, 0);
	size_t blen = strlen(o->record) + 1, n = 0;
	uint8_t msg[KEYSTORE_NAME_MAX + 1 + 4 + 2 + 1024 + SAKKE_POINT_LEN];
	mst_rc rc;

	if (uri == NULL || uri->len > 1024 || len > SAKKE_POINT_LEN)
		return CKR_DEVICE_ERROR;
	memcpy(msg, o->record, blen);
	n = blen;
	msg[n++] = (uint8_t)(type >> 24);
	msg[n++] = (uint8_t)(type >> 16);
	msg[n++] = (uint8_t)(type >> 8);
	msg[n++] = (uint8_t)type;
	msg[n++] = (uint8_t)(uri->len >> 8);
	msg[n++] = (uint8_t)uri->len;
	memcpy(msg + n, uri->value, uri->len);
	n += uri->len;
	memcpy(msg + n, point, len);
	n += len;
	rc = o->slot->ks->endorse(o->slot->be, msg, n, tag);
	if (rc != MST_OK) {
		slot_debug_fail(o->slot, "cannot check or make an SO endorsement", rc);
		return rv_from_mst(rc);
	}
	return CKR_OK;
}

/* A public token object's endorsement record against its clear point;
 * on success the point is kept in o->secret until logout. */
static CK_RV check_endorsement(p11_object *o, const p11_attr *clear)
{
	char name[KEYSTORE_NAME_MAX + 1];
	uint8_t want[KEYSTORE_TAG_LEN];
	uint8_t *data = NULL;
	size_t dlen = 0;
	CK_RV rv;
	mst_rc rc;

	record_name(name, o->record, ".e");
	rc = o->slot->ks->get(o->slot->be, name, 0, KIND_ENDORSEMENT, &data, &dlen);
	if (rc != MST_OK)
		return CKR_DEVICE_ERROR;
	rv = endorsement_tag(o, clear->value, clear->len, want);
	if (rv == CKR_OK && (dlen != KEYSTORE_TAG_LEN ||
			     secure_memcmp(data, want, KEYSTORE_TAG_LEN) != 0))
		rv = CKR_DEVICE_ERROR;
	free(data);     /* a public record: malloc'd */
	return rv == CKR_OK ? obj_set_secret(o, clear->value, clear->len) : rv;
}

CK_RV obj_sealed_point(p11_object *o, size_t len, const uint8_t **point)
{
	const p11_attr *clear = obj_attr(o, CKA_MSTOKEN_POINT);
	const uint8_t *sealed;
	size_t slen;
	CK_RV rv = CKR_OK;

	if (clear == NULL || clear->len != len)
		rv = CKR_DEVICE_ERROR;
	else if (o->secret == NULL && o->record[0] != '\0' && !obj_is_private(o))
		rv = check_endorsement(o, clear);
	if (rv == CKR_OK)
		rv = obj_secret(o, &sealed, &slen);
	if (rv == CKR_OK && (slen != len || memcmp(sealed, clear->value, len) != 0))
		rv = CKR_DEVICE_ERROR;
	if (rv != CKR_OK) {
		p11_debug("slot \"%s\": community key %lu has no valid SO endorsement",
			  o->slot->cfg.label, (unsigned long)o->handle);
		return rv == CKR_KEY_HANDLE_INVALID ? CKR_DEVICE_ERROR : rv;
	}
	*point = sealed;
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

	/* key classes are kept in private records only (objcodec.h) */
	if (!priv && !objcodec_public_class(o->cls))
		return CKR_TEMPLATE_INCONSISTENT;
	if (fresh && (rv = new_record_base(o->record)) != CKR_OK)
		return rv;
	if (o->secret != NULL && (priv || o->cls != CKO_PUBLIC_KEY)) {
		record_name(name, o->record, ".v");
		rc = sl->ks->put(sl->be, name, KIND_VALUE, 1, o->secret, o->secret_len);
		if (rc != MST_OK)
			goto fail;
	} else if (o->secret != NULL) {
		/* a public object's value is a community key's point: the SO
		 * endorses it (import.c lets no one else import one) */
		uint8_t tag[KEYSTORE_TAG_LEN];

		rv = endorsement_tag(o, o->secret, o->secret_len, tag);
		if (rv != CKR_OK) {
			if (fresh)
				o->record[0] = '\0';
			return rv;
		}
		record_name(name, o->record, ".e");
		rc = sl->ks->put(sl->be, name, KIND_ENDORSEMENT, 0, tag, sizeof(tag));
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
	(void)o->slot->ks->remove(o->slot->be, name, obj_is_private(o));
	record_name(name, o->record, ".v");
	(void)o->slot->ks->remove(o->slot->be, name, 1);
	record_name(name, o->record, ".e");
	(void)o->slot->ks->remove(o->slot->be, name, 0);
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

static p11_object *record_known(const p11_slot *sl, const char *base)
{
	p11_object *o;

	for (o = sl->objects; o != NULL; o = o->next)
		if (strcmp(o->record, base) == 0)
			return o;
	return NULL;
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
	size_t len = 0, blen = strlen(e->name) - 2;
	p11_object *o, *known;
	mst_rc rc;

	memcpy(base, e->name, blen);
	base[blen] = '\0';
	known = record_known(sl, base);
	/* a public object loaded before login under a private record's name
	 * was planted there: the private record wins */
	if (known != NULL && e->is_private && !obj_is_private(known)) {
		p11_debug("slot \"%s\": public record %s.a shadowed a private one: dropped",
			  sl->cfg.label, base);
		object_unlink(known);
		object_free(known);
	} else if (known != NULL) {
		return;
	}
	rc = sl->ks->get(sl->be, e->name, e->is_private, KIND_ATTRS, &data, &len);
	o = rc == MST_OK ? object_new(sl, 0) : NULL;
	if (o == NULL || objcodec_decode(data, len, o) != CKR_OK ||
	    obj_is_private(o) != e->is_private || !obj_is_token(o) ||
	    (!e->is_private && !objcodec_public_class(o->cls))) {
		p11_debug("slot \"%s\": record %s skipped: %s", sl->cfg.label, e->name,
			  rc != MST_OK ? mst_strerror(rc) : "malformed object record");
		object_free(o);
	} else {
		memcpy(o->record, base, blen + 1);
		record_name(vname, base, ".v");
		/* only a private object has a sealed value; a public one's
		 * value (a community point) is in its attributes */
		o->value_in_store = e->is_private && record_listed(all, n_all, vname);
		object_link(sl, o);
	}
	if (e->is_private)      /* keystore.h: private records in secmem */
		secmem_free(data);
	else
		free(data);
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
	free(entries);
}

