/* token/backend_pkcs11_records.c - records as CKO_DATA objects of the backing token.
 *
 * One object per record: CKA_APPLICATION "mstoken", CKA_LABEL = the name,
 * CKA_PRIVATE = is_private.  put() creates the new object (generation + 1)
 * before destroying the old one, so a crash in between leaves two objects
 * of one name; readers take the higher generation and remove the other.
 * For private records that removal waits until the winner has opened
 * correctly, so a forged high generation cannot delete a good record.
 *
 * Anyone with a public session on the backing token can add public
 * objects under any name.  So the copies of a name are ranked by privacy
 * first: get() and remove() take only copies of the privacy the caller
 * expects (a public copy never stands in for, outranks or deletes a
 * private one), and list() reports a name as private when a private copy
 * exists.
 */
#include "token/backend_pkcs11_int.h"

#include <stdlib.h>
#include <string.h>
#include "token/secmem.h"

struct rec {
	CK_OBJECT_HANDLE h;
	char name[KEYSTORE_NAME_MAX + 1];
	int is_private;
	int header_ok;
	uint32_t kind;
	uint64_t gen;
	uint8_t *val;
	size_t len;
};

static int name_valid(const char *name)
{
	size_t n = 0;

	if (name == NULL)
		return 0;
	for (; name[n] != '\0'; n++) {
		char c = name[n];
		if (n == KEYSTORE_NAME_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n > 0;
}

static void free_recs(struct rec *r, size_t n)
{
	size_t i;

	for (i = 0; r != NULL && i < n; i++)
		free(r[i].val);
	free(r);
}

static mst_rc read_rec(struct p11_store *st, CK_OBJECT_HANDLE h, struct rec *r)
{
	CK_BBOOL priv = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_PRIVATE, &priv, sizeof priv };
	uint8_t *label;
	size_t len;
	mst_rc rc;
	CK_RV rv;

	memset(r, 0, sizeof *r);
	r->h = h;
	rc = p11_get_attr(st, h, CKA_LABEL, &label, &len);
	if (rc != MST_OK)
		return rc;
	/* A label that is no record name cannot be asked for: not ours. */
	if (len > KEYSTORE_NAME_MAX || strlen((char *)label) != len ||
	    !name_valid((char *)label)) {
		free(label);
		return MST_ERR_NOT_FOUND;
	}
	memcpy(r->name, label, len + 1);
	free(label);
	rv = st->f->C_GetAttributeValue(st->session, h, &a, 1);
	if (rv != CKR_OK)
		return p11_fail(st, "C_GetAttributeValue", rv);
	r->is_private = priv == CK_TRUE;
	rc = p11_get_attr(st, h, CKA_VALUE, &r->val, &r->len);
	if (rc == MST_OK)
		r->header_ok = p11_header_parse(r->val, r->len, &r->kind, &r->gen);
	return rc;
}

/* Sorted by name, then private copies first, then good headers first,
 * then newest generation first: the first object of each name and
 * privacy is the one that counts. */
static int rec_order(const void *pa, const void *pb)
{
	const struct rec *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	if (a->is_private != b->is_private)
		return b->is_private - a->is_private;
	if (a->header_ok != b->header_ok)
		return b->header_ok - a->header_ok;
	return a->gen < b->gen ? 1 : a->gen > b->gen ? -1 : 0;
}

static mst_rc load_recs(struct p11_store *st, const char *name, struct rec **out, size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char app[] = P11_APPLICATION;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_APPLICATION, app, sizeof app - 1 },
		{ CKA_LABEL, (void *)(uintptr_t)name, name ? strlen(name) : 0 },
	};
	CK_OBJECT_HANDLE *objs;
	struct rec *r;
	size_t count, i, kept = 0;
	mst_rc rc = p11_find(st, t, name ? 3 : 2, &objs, &count);

	if (rc != MST_OK)
		return rc;
	r = calloc(count ? count : 1, sizeof *r);
	if (r == NULL) {
		free(objs);
		return MST_ERR_NOMEM;
	}
	for (i = 0; i < count && rc == MST_OK; i++) {
		rc = read_rec(st, objs[i], &r[kept]);
		if (rc == MST_OK)
			kept++;
		else if (rc == MST_ERR_NOT_FOUND)
			rc = MST_OK;
		else
			free(r[kept].val);
	}
	free(objs);
	if (rc != MST_OK) {
		free_recs(r, kept);
		return rc;
	}
	qsort(r, kept, sizeof *r, rec_order);
	*out = r;
	*n = kept;
	return MST_OK;
}

/* The objects of one existing record of the given privacy, best first
 * (*first: index of the first, *count: how many).  Not finding a name
 * without a user login may mean it is private: the answer is then "log
 * in first".  Copies of the other privacy only are a record of another
 * privacy than the caller's: MST_ERR_TAMPERED. */
static mst_rc load_existing(struct p11_store *st, const char *name, int is_private,
			    struct rec **r, size_t *all, size_t *first, size_t *count)
{
	size_t i;
	mst_rc rc;

	if (is_private && st->who != KEYSTORE_USER)
		return MST_ERR_NOT_LOGGED_IN;
	rc = p11_need_session(st);
	if (rc == MST_OK)
		rc = load_recs(st, name, r, all);
	if (rc != MST_OK)
		return rc;
	for (i = 0; i < *all && r[0][i].is_private != !!is_private; i++)
		;
	*first = i;
	for (*count = 0; i < *all && r[0][i].is_private == !!is_private; i++)
		(*count)++;
	if (*count > 0)
		return MST_OK;
	rc = *all > 0 ? p11_fail_msg(st, MST_ERR_TAMPERED, is_private ?
				     "record expected private is public (forged?)" :
				     "record expected public is private") :
	     st->who == KEYSTORE_USER || is_private ? MST_ERR_NOT_FOUND : MST_ERR_NOT_LOGGED_IN;
	free_recs(*r, *all);
	return rc;
}

mst_rc p11_list(void *be, keystore_entry *entries, size_t *n)
{
	struct p11_store *st = be;
	struct rec *r;
	size_t count, i, j, out = 0;
	mst_rc rc;

	if (n == NULL)
		return MST_ERR_ARGS;
	rc = p11_need_session(st);
	if (rc == MST_ERR_NOT_INITIALIZED) {
		*n = 0;
		return MST_OK;
	}
	if (rc == MST_OK)
		rc = load_recs(st, NULL, &r, &count);
	if (rc != MST_OK)
		return rc;
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && strcmp(r[j].name, r[i].name) == 0; j++)
			/* Older public copies cannot be authenticated anyway. */
			if (!r[i].is_private && !r[j].is_private && r[j].header_ok)
				p11_destroy(st, r[j].h);
		if (entries != NULL && out < *n) {
			memcpy(entries[out].name, r[i].name, sizeof entries[out].name);
			entries[out].kind = r[i].header_ok ? r[i].kind : 0;
			entries[out].is_private = r[i].is_private;
		}
		out++;
	}
	free_recs(r, count);
	if (entries != NULL && out > *n)
		rc = MST_ERR_RANGE;
	*n = out;
	return rc;
}

mst_rc p11_get(void *be, const char *name, int is_private, uint32_t kind,
	       uint8_t **data, size_t *len)
{
	struct p11_store *st = be;
	struct rec *r, *best;
	size_t all, first, count, i;
	uint32_t got = 0;
	mst_rc rc;

	if (!name_valid(name) || data == NULL || len == NULL)
		return MST_ERR_ARGS;
	*data = NULL;
	*len = 0;
	rc = load_existing(st, name, is_private, &r, &all, &first, &count);
	if (rc != MST_OK)
		return rc;
	best = &r[first];
	if (!r[first + count - 1].header_ok)
		rc = p11_fail_msg(st, MST_ERR_TAMPERED, "record header missing or wrong version");
	else
		rc = p11_value_open(st, name, is_private, best->val, best->len, &got, data, len);
	/* the kind of a private record is authenticated (AAD); a public
	 * one's is as good as the backing store */
	if (rc == MST_OK && got != kind) {
		rc = p11_fail_msg(st, MST_ERR_TAMPERED, "record of another kind");
		if (is_private)
			secmem_free(*data);
		else
			free(*data);
		*data = NULL;
		*len = 0;
	}
	/* Only a winner that opened correctly may replace its older copies
	 * (of its own privacy). */
	for (i = 1; rc == MST_OK && i < count; i++)
		p11_destroy(st, r[first + i].h);
	free_recs(r, all);
	return rc;
}

mst_rc p11_put(void *be, const char *name, uint32_t kind, int is_private,
	       const uint8_t *data, size_t len)
{
	struct p11_store *st = be;
	struct rec *r;
	size_t count, i;
	uint64_t gen = 0;
	uint8_t *val;
	size_t val_len;
	CK_OBJECT_HANDLE obj;
	mst_rc rc;

	if (!name_valid(name) || data == NULL || len == 0)
		return MST_ERR_ARGS;
	if (len > P11_RECORD_MAX)
		return MST_ERR_RANGE;
	if (is_private && st->who != KEYSTORE_USER)
		return MST_ERR_NOT_LOGGED_IN;
	rc = p11_need_session(st);
	if (rc == MST_OK && is_private)
		rc = p11_seal_key_ensure(st);
	if (rc == MST_OK)
		rc = load_recs(st, name, &r, &count);
	if (rc != MST_OK)
		return rc;
	for (i = 0; i < count; i++)
		if (r[i].header_ok && r[i].gen >= gen)
			gen = r[i].gen + 1;
	rc = p11_value_build(st, name, kind, gen, is_private, data, len, &val, &val_len);
	if (rc == MST_OK) {
		rc = p11_create_data(st, P11_APPLICATION, name, is_private, val, val_len, &obj);
		free(val);
	}
	/* The new record is in place: old copies that fail to go are
	 * removed by the next get() or list(). */
	for (i = 0; rc == MST_OK && i < count; i++)
		p11_destroy(st, r[i].h);
	free_recs(r, count);
	return rc;
}

mst_rc p11_remove(void *be, const char *name, int is_private)
{
	struct p11_store *st = be;
	struct rec *r;
	size_t all, first, count, i;
	mst_rc rc;

	if (!name_valid(name))
		return MST_ERR_ARGS;
	rc = load_existing(st, name, is_private, &r, &all, &first, &count);
	if (rc != MST_OK)
		return rc;
	for (i = 0; rc == MST_OK && i < count; i++)
		rc = p11_destroy(st, r[first + i].h);
	free_recs(r, all);
	return rc;
}
