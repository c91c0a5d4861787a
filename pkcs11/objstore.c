/* pkcs11/objstore.c - token objects as keystore records: ".a" (the
 * attributes, objcodec.c), ".v" (a private object's sealed key value,
 * read lazily so a bad sealed value shows at use) and ".e" (a community
 * key's SO endorsement: the tag keystore endorse() gives over what the
 * KmsCertificate fixed, which only a logged-in SO or user can make or
 * check; the SO cannot write sealed records in every backend).
 *
 * Creating objects (one, or the several of an import) and deleting one
 * write several records, and a process can die between any two of them.
 * A pending marker "X.p" (kind KIND_PENDING, the writer's pid) is put
 * first and removed last: while it exists, the records of base X and
 * X-<n> do not exist for anyone (loads skip them), and once its writer is
 * gone the next load removes them with the marker.  So a creation killed
 * midway leaves nothing and a deletion killed midway has happened; the
 * marker's put (delete) or removal (create) is the commit point.  A
 * public marker never hides or removes a private record (anyone can write
 * public records into the backing token). */
#include "config.h"
#include "pkcs11/object.h"

#include <errno.h>
#include <openssl/rand.h>
#include <signal.h>
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

#include <unistd.h>

#define KIND_ATTRS 1u
#define KIND_VALUE 2u
#define KIND_ENDORSEMENT 3u
#define KIND_PENDING 4u
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

/* Put the pending marker of base X (see the top of this file). */
static mst_rc pending_put(p11_slot *sl, const char *x, int priv)
{
	char name[KEYSTORE_NAME_MAX + 1], pid[24];
	int n = snprintf(pid, sizeof pid, "%ld", (long)getpid());

	record_name(name, x, ".p");
	return sl->ks->put(sl->be, name, KIND_PENDING, priv, (const uint8_t *)pid, (size_t)n);
}

static mst_rc pending_remove(p11_slot *sl, const char *x, int priv)
{
	char name[KEYSTORE_NAME_MAX + 1];

	record_name(name, x, ".p");
	return sl->ks->remove(sl->be, name, priv);
}

static CK_RV store_records(p11_object *o);

CK_RV object_store_all(p11_object **objs, size_t n)
{
	char group[KEYSTORE_NAME_MAX + 1];
	p11_slot *sl = NULL;
	size_t i, stored;
	int priv = 0;
	CK_RV rv;
	mst_rc rc;

	for (i = 0; i < n; i++)
		if (obj_is_token(objs[i])) {
			sl = objs[i]->slot;
			priv |= obj_is_private(objs[i]);
		}
	if (sl == NULL)
		return CKR_OK;
	rv = new_record_base(group);
	if (rv != CKR_OK)
		return rv;
	group[0] = 'g';
	for (i = 0; i < n; i++)
		if (obj_is_token(objs[i]))
			snprintf(objs[i]->record, sizeof objs[i]->record, "%.17s-%zu", group, i);
	rc = pending_put(sl, group, priv);
	rv = rc == MST_OK ? CKR_OK : rv_from_mst(rc);
	for (stored = 0; stored < n && rv == CKR_OK; stored++)
		if (obj_is_token(objs[stored]))
			rv = store_records(objs[stored]);
	/* the commit point: the records exist once the marker is gone */
	if (rv == CKR_OK && (rc = pending_remove(sl, group, priv)) != MST_OK)
		rv = rv_from_mst(rc);
	if (rv != CKR_OK) {
		if (rc != MST_OK)
			slot_debug_fail(sl, "cannot store objects", rc);
		for (i = 0; i < stored; i++)
			if (obj_is_token(objs[i]))
				object_unstore(objs[i]);
		(void)pending_remove(sl, group, priv);
		for (i = 0; i < n; i++)
			objs[i]->record[0] = '\0';
	}
	return rv;
}

CK_RV object_store(p11_object *o)
{
	/* a new object: created whole or not at all */
	if (o->record[0] == '\0')
		return object_store_all(&o, 1);
	return store_records(o);
}

/* The ".v" (if any) then ".a" records of o, whose record base is set. */
static CK_RV store_records(p11_object *o)
{
	p11_slot *sl = o->slot;
	char name[KEYSTORE_NAME_MAX + 1];
	int priv = obj_is_private(o);
	uint8_t *buf = NULL;
	size_t len;
	CK_RV rv;
	mst_rc rc;

	/* key classes are kept in private records only (objcodec.h) */
	if (!priv && !objcodec_public_class(o->cls))
		return CKR_TEMPLATE_INCONSISTENT;
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
		if (rv != CKR_OK)
			return rv;
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
	return rv_from_mst(rc);
}

void object_unstore(p11_object *o)
{
	char name[KEYSTORE_NAME_MAX + 1];
	int marked;

	if (o->record[0] == '\0')
		return;
	/* deleted from the moment the marker is in place */
	marked = pending_put(o->slot, o->record, obj_is_private(o)) == MST_OK;
	record_name(name, o->record, ".a");
	(void)o->slot->ks->remove(o->slot->be, name, obj_is_private(o));
	record_name(name, o->record, ".v");
	(void)o->slot->ks->remove(o->slot->be, name, 1);
	record_name(name, o->record, ".e");
	(void)o->slot->ks->remove(o->slot->be, name, 0);
	if (marked)
		(void)pending_remove(o->slot, o->record, obj_is_private(o));
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

/* The marker (an entry "X.p") that hides record name, if any: base X or
 * X-<n>, and never a private record under a public marker. */
static const keystore_entry *pending_over(const keystore_entry *all, size_t n_all,
					  const char *name, int is_private)
{
	size_t i, l;

	for (i = 0; i < n_all; i++) {
		if (!has_suffix(all[i].name, ".p") || (is_private && !all[i].is_private))
			continue;
		l = strlen(all[i].name) - 2;
		if (strncmp(name, all[i].name, l) == 0 && (name[l] == '.' || name[l] == '-'))
			return &all[i];
	}
	return NULL;
}

/* A marker whose writer is gone: remove what it covers, then the marker.
 * Only what this pass may read: a private marker after the user login. */
static void pending_collect(p11_slot *sl, const keystore_entry *all, size_t n_all,
			    const keystore_entry *m, int private_pass)
{
	uint8_t *data = NULL;
	size_t len = 0, i;
	char pid[24];
	long writer = 0;

	if (m->is_private && !private_pass)
		return;
	if (sl->ks->get(sl->be, m->name, m->is_private, KIND_PENDING, &data, &len) != MST_OK)
		return;
	if (len > 0 && len < sizeof pid) {
		memcpy(pid, data, len);
		pid[len] = '\0';
		writer = strtol(pid, NULL, 10);
	}
	if (m->is_private)
		secmem_free(data);
	else
		free(data);
	if (writer <= 0 || writer == (long)getpid() ||
	    !(kill((pid_t)writer, 0) != 0 && errno == ESRCH))
		return;   /* still being written (or not ours to judge) */
	for (i = 0; i < n_all; i++)
		if (&all[i] != m && pending_over(m, 1, all[i].name, all[i].is_private) != NULL)
			(void)sl->ks->remove(sl->be, all[i].name, all[i].is_private);
	(void)sl->ks->remove(sl->be, m->name, m->is_private);
	p11_debug("slot \"%s\": removed the records of an interrupted change (%s)",
		  sl->cfg.label, m->name);
}

/* Objects already loaded (public pass) that a private marker now hides. */
static void drop_hidden(p11_slot *sl, const keystore_entry *all, size_t n_all)
{
	char aname[KEYSTORE_NAME_MAX + 1];
	p11_object *o, *next;

	for (o = sl->objects; o != NULL; o = next) {
		next = o->next;
		if (o->record[0] == '\0')
			continue;
		record_name(aname, o->record, ".a");
		if (pending_over(all, n_all, aname, obj_is_private(o)) != NULL) {
			object_unlink(o);
			object_free(o);
		}
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
	if (private_pass)
		drop_hidden(sl, entries, n);
	for (i = 0; i < n; i++) {
		if (!has_suffix(entries[i].name, ".a") || entries[i].is_private != private_pass ||
		    pending_over(entries, n, entries[i].name, entries[i].is_private) != NULL)
			continue;
		load_one(sl, entries, n, &entries[i]);
	}
	for (i = 0; i < n; i++)
		if (has_suffix(entries[i].name, ".p"))
			pending_collect(sl, entries, n, &entries[i], private_pass);
	free(entries);
}

