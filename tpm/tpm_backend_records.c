/* tpm/tpm_backend_records.c - list, put, get and remove records.
 *
 * Public records are checksummed files.  A private record is a TPM
 * sealed-data object (authValue from the store secret, so only a logged-in
 * user can unseal it) holding an AES-256-GCM key and the record's name and
 * kind; the data is encrypted with that key, the whole file head as AAD.
 */
#include "config.h"
#include "tpm/tpm_backend.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "token/secmem.h"

#define RECORD_DATA_MAX (64u * 1024u)   /* as the pkcs11 backend */

typedef struct {
	tpm_backend *b;
	keystore_entry *entries;
	size_t cap, n;
} list_ctx;

static int list_visit(void *ctx, const char *file)
{
	list_ctx *l = ctx;
	const char *name = file + strlen(TPM_FILE_RECORD_PREFIX);
	tpm_record_file rec;
	uint8_t *buf;
	size_t len;

	if (!tpm_name_valid(name) || tpm_store_read(&l->b->st, file, &buf, &len) != MST_OK)
		return 0;
	/* a file that does not parse is not listed; get() names the damage */
	if (tpm_record_decode(buf, len, name, &rec) == MST_OK &&
	    (!rec.is_private || l->b->who == KEYSTORE_USER)) {
		if (l->entries && l->n < l->cap) {
			keystore_entry *e = &l->entries[l->n];
			memcpy(e->name, rec.name, sizeof(e->name));
			e->kind = rec.kind;
			e->is_private = rec.is_private;
		}
		l->n++;
	}
	free(buf);
	return 0;
}

mst_rc tb_list(void *be, keystore_entry *entries, size_t *n)
{
	tpm_backend *b = be;
	list_ctx l = { .b = b, .entries = entries, .cap = entries ? *n : 0 };
	tpm_meta m;
	mst_rc rc;

	if (n == NULL)
		return tb_fail(b, MST_ERR_ARGS, "list needs a count");
	if ((rc = tb_begin(b, 0, NULL)) != MST_OK)
		return rc;
	rc = tb_initialized(b, &m);
	if (rc == MST_OK && tpm_store_each(&b->st, TPM_FILE_RECORD_PREFIX, list_visit, &l) != 0)
		rc = tb_fail(b, MST_ERR_IO, "cannot read the folder %s", b->cfg.tpm_store);
	tb_end(b, NULL);
	if (rc == MST_ERR_NOT_INITIALIZED) {
		*n = 0;
		return MST_OK;
	}
	if (rc != MST_OK)
		return rc;
	if (entries && l.n > l.cap) {
		*n = l.n;
		return tb_fail(b, MST_ERR_RANGE, "%zu records, room for %zu", l.n, l.cap);
	}
	*n = l.n;
	return MST_OK;
}

/* Encrypt data under a fresh key and seal the key (with the record's name
 * and kind) in the TPM; w receives the whole file. */
static mst_rc encode_private(tpm_backend *b, tpm_conn *c, const char *name, uint32_t kind,
			     const uint8_t *data, size_t len, tpm_wbuf *w)
{
	uint8_t key[TPM_SECRET_LEN], auth[TPM_AUTH_LEN], payload[TPM_SEAL_MAX];
	uint8_t iv[TPM_GCM_IV_LEN], id[TPM_STORE_ID_LEN];
	tpm_sealed sealed;
	uint8_t *ct = NULL;
	size_t plen = 0;
	mst_rc rc;

	if (RAND_priv_bytes(key, sizeof(key)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1)
		return tb_fail(b, MST_ERR_CRYPTO, "random generator failed");
	plen = tpm_payload_record(name, kind, key, payload);
	rc = plen ? tpm_record_auth(b->secret, auth) : MST_ERR_NOMEM;
	if (rc == MST_OK)
		rc = tpm_store_id(b->secret, id);
	if (rc == MST_OK)
		rc = tpm_seal(c, auth, 0, payload, plen, &sealed);
	secure_wipe(payload, sizeof(payload));
	secure_wipe(auth, sizeof(auth));
	if (rc == MST_OK) {
		tpm_record_head_private(name, kind, id, &sealed, iv, w);
		ct = malloc(len + TPM_GCM_TAG_LEN);
		rc = ct && !w->err ? MST_OK : MST_ERR_NOMEM;
	}
	if (rc == MST_OK)
		rc = tpm_gcm_seal(key, iv, w->buf, w->len, data, len, ct);
	if (rc == MST_OK) {
		wbuf_u32(w, (uint32_t)(len + TPM_GCM_TAG_LEN));
		wbuf_bytes(w, ct, len + TPM_GCM_TAG_LEN);
	}
	secure_wipe(key, sizeof(key));
	free(ct);
	if (rc != MST_OK && b->err[0] == '\0')
		tb_fail(b, rc, "cannot seal record %s", name);
	return rc;
}

/* Privacy of the record now stored under file: 1 private, 0 public or
 * none (*exists says which), -1 unreadable (treated as private: only a
 * user may replace or remove it). */
static int current_privacy(tpm_backend *b, const char *file, const char *name, int *exists)
{
	tpm_record_file rec;
	uint8_t *buf;
	size_t len;
	mst_rc rc;

	rc = tpm_store_read(&b->st, file, &buf, &len);
	*exists = rc != MST_ERR_NOT_FOUND;
	if (rc == MST_ERR_NOT_FOUND)
		return 0;
	if (rc != MST_OK)
		return -1;
	rc = tpm_record_decode(buf, len, name, &rec);
	free(buf);
	return rc != MST_OK ? -1 : rec.is_private;
}

mst_rc tb_put(void *be, const char *name, uint32_t kind, int is_private,
	      const uint8_t *data, size_t len)
{
	tpm_backend *b = be;
	char file[TPM_FILE_NAME_MAX];
	tpm_wbuf w = { 0 };
	tpm_meta m;
	tpm_conn c;
	int exists;
	mst_rc rc;

	b->err[0] = '\0';
	if (!tpm_name_valid(name))
		return tb_fail(b, MST_ERR_ARGS, "record name must be 1-64 of [A-Za-z0-9._-]");
	if (data == NULL || len == 0)
		return tb_fail(b, MST_ERR_ARGS, "record %s: no data", name);
	if (len > RECORD_DATA_MAX)
		return tb_fail(b, MST_ERR_RANGE, "record %s: data over %u bytes", name,
			       (unsigned)RECORD_DATA_MAX);
	if (is_private && b->who != KEYSTORE_USER)
		return tb_fail(b, MST_ERR_NOT_LOGGED_IN, "private record %s needs a user login", name);
	tpm_record_file_name(name, file);
	if ((rc = tb_begin(b, 1, is_private ? &c : NULL)) != MST_OK)
		return rc;
	rc = tb_initialized(b, &m);
	if (rc == MST_OK && b->who != KEYSTORE_USER && current_privacy(b, file, name, &exists) != 0)
		rc = tb_fail(b, MST_ERR_NOT_LOGGED_IN, "record %s is private: replacing it needs a user login", name);
	if (rc == MST_OK && is_private)
		rc = encode_private(b, &c, name, kind, data, len, &w);
	else if (rc == MST_OK)
		tpm_record_encode_public(name, kind, data, len, &w);
	if (rc == MST_OK)
		rc = tb_write(b, file, &w);
	wbuf_free(&w);
	tb_end(b, is_private ? &c : NULL);
	return rc;
}

static mst_rc open_private(tpm_backend *b, tpm_conn *c, const uint8_t *file_buf,
			   const tpm_record_file *rec, uint8_t **data, size_t *len)
{
	uint8_t key[TPM_SECRET_LEN], auth[TPM_AUTH_LEN], payload[TPM_SEAL_MAX];
	uint8_t id[TPM_STORE_ID_LEN];
	size_t plen = 0, n = rec->body_len - TPM_GCM_TAG_LEN;
	uint8_t *out;
	mst_rc rc;

	/* the id is public: a plain comparison is fine */
	rc = tpm_store_id(b->secret, id);
	if (rc == MST_OK && memcmp(id, rec->store_id, sizeof(id)) != 0)
		return tb_fail(b, MST_ERR_TAMPERED,
			       "record %s was sealed for another store (or before the token was re-initialised)",
			       rec->name);
	rc = tpm_record_auth(b->secret, auth);
	if (rc == MST_OK)
		rc = tpm_unseal(c, &rec->sealed, auth, payload, &plen);
	secure_wipe(auth, sizeof(auth));
	if (rc == MST_OK)
		rc = tpm_payload_record_check(rec->name, rec->kind, payload, plen, key);
	secure_wipe(payload, sizeof(payload));
	if (rc != MST_OK)
		return rc;
	/* secmem_alloc refuses 0 bytes: an empty record still gets a block */
	out = secmem_alloc(n ? n : 1);
	if (out == NULL)
		rc = MST_ERR_NOMEM;
	else
		rc = tpm_gcm_open(key, rec->iv, file_buf, rec->aad_len, rec->body, rec->body_len, out);
	secure_wipe(key, sizeof(key));
	if (rc != MST_OK) {
		secmem_free(out);
		return rc;
	}
	*data = out;
	*len = n;
	return MST_OK;
}

/* A name with no record: without a user login private records are
 * invisible, so "absent" answers like "private" (keystore.h). */
static mst_rc absent(tpm_backend *b, const char *name)
{
	if (b->who != KEYSTORE_USER)
		return tb_fail(b, MST_ERR_NOT_LOGGED_IN, "no public record %s (private ones need a login)", name);
	return tb_fail(b, MST_ERR_NOT_FOUND, "no record %s", name);
}

/* One file per name: a file of another privacy or kind than the caller
 * expects (a public file written over a private record's name, say) is
 * refused, never read as what it claims (keystore.h). */
static mst_rc get_locked(tpm_backend *b, const char *name, const char *file, int is_private,
			 uint32_t kind, uint8_t **data, size_t *len)
{
	tpm_record_file rec;
	tpm_conn c;
	uint8_t *buf;
	size_t blen;
	mst_rc rc;

	rc = tpm_store_read(&b->st, file, &buf, &blen);
	if (rc == MST_ERR_NOT_FOUND)
		return absent(b, name);
	if (rc != MST_OK)
		return tb_fail(b, rc, "cannot read record %s", name);
	rc = tpm_record_decode(buf, blen, name, &rec);
	if (rc != MST_OK) {
		free(buf);
		return tb_fail(b, rc, "record file %s is damaged, renamed or of another version", file);
	}
	if (rec.is_private != !!is_private || rec.kind != kind) {
		free(buf);
		return tb_fail(b, MST_ERR_TAMPERED, "record %s is %s of kind %u, not the %s of kind %u expected",
			       name, rec.is_private ? "private" : "public", (unsigned)rec.kind,
			       is_private ? "private" : "public", (unsigned)kind);
	}
	if (!rec.is_private) {
		*data = malloc(rec.body_len ? rec.body_len : 1);
		if (*data)
			memcpy(*data, rec.body, rec.body_len);
		*len = rec.body_len;
		free(buf);
		return *data ? MST_OK : MST_ERR_NOMEM;
	}
	rc = tpm_conn_open(&c, b->cfg.tpm_tcti, b->cfg.tpm_primary, b->err, sizeof(b->err));
	if (rc == MST_OK) {
		rc = open_private(b, &c, buf, &rec, data, len);
		tpm_conn_close(&c);
	}
	free(buf);
	if (rc == MST_ERR_TAMPERED && b->err[0] == '\0')
		tb_fail(b, rc, "record file %s failed authentication (edited, swapped or truncated)", file);
	return rc;
}

mst_rc tb_get(void *be, const char *name, int is_private, uint32_t kind, uint8_t **data,
	      size_t *len)
{
	tpm_backend *b = be;
	char file[TPM_FILE_NAME_MAX];
	tpm_meta m;
	mst_rc rc;

	if (data == NULL || len == NULL)
		return tb_fail(b, MST_ERR_ARGS, "get needs data and length outputs");
	*data = NULL;
	*len = 0;
	if (!tpm_name_valid(name))
		return tb_fail(b, MST_ERR_ARGS, "record name must be 1-64 of [A-Za-z0-9._-]");
	if (is_private && b->who != KEYSTORE_USER)
		return tb_fail(b, MST_ERR_NOT_LOGGED_IN, "record %s is private: log in first", name);
	tpm_record_file_name(name, file);
	if ((rc = tb_begin(b, 0, NULL)) != MST_OK)
		return rc;
	rc = tb_initialized(b, &m);
	if (rc == MST_OK)
		rc = get_locked(b, name, file, is_private, kind, data, len);
	tb_end(b, NULL);
	return rc;
}

mst_rc tb_remove(void *be, const char *name, int is_private)
{
	tpm_backend *b = be;
	char file[TPM_FILE_NAME_MAX];
	tpm_meta m;
	int privacy, exists;
	mst_rc rc;

	if (!tpm_name_valid(name))
		return tb_fail(b, MST_ERR_ARGS, "record name must be 1-64 of [A-Za-z0-9._-]");
	tpm_record_file_name(name, file);
	if ((rc = tb_begin(b, 1, NULL)) != MST_OK)
		return rc;
	rc = tb_initialized(b, &m);
	if (rc == MST_OK) {
		privacy = current_privacy(b, file, name, &exists);
		if (!exists)
			rc = absent(b, name);
		else if (privacy != 0 && b->who != KEYSTORE_USER)
			rc = tb_fail(b, MST_ERR_NOT_LOGGED_IN, "record %s is private: log in first", name);
		else if (privacy >= 0 && privacy != !!is_private)
			rc = tb_fail(b, MST_ERR_TAMPERED, "record %s is not %s: not removed", name,
				     is_private ? "private" : "public");
	}
	if (rc == MST_OK && (rc = tpm_store_unlink(&b->st, file)) != MST_OK)
		tb_fail(b, rc, "cannot remove %s", file);
	tb_end(b, NULL);
	return rc;
}

mst_rc tb_endorse(void *be, const uint8_t *msg, size_t len, uint8_t tag[KEYSTORE_TAG_LEN])
{
	tpm_backend *b = be;

	if (b->secret == NULL || !b->who)
		return tb_fail(b, MST_ERR_NOT_LOGGED_IN, "endorsements need the SO or the user logged in");
	return keystore_endorse_mac(b->secret, msg, len, tag);
}
