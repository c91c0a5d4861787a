/* tpm/tpm_files.c - encode and parse the store folder's files. */
#include "config.h"
#include "tpm/tpm_files.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#define SEALED_BLOB_MAX (sizeof(tpm_sealed) + 8)

int tpm_name_valid(const char *name)
{
	size_t i, n;

	if (name == NULL)
		return 0;
	n = strnlen(name, KEYSTORE_NAME_MAX + 1);
	if (n == 0 || n > KEYSTORE_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

void tpm_record_file_name(const char *name, char out[TPM_FILE_NAME_MAX])
{
	snprintf(out, TPM_FILE_NAME_MAX, TPM_FILE_RECORD_PREFIX "%s", name);
}

static void put_head(tpm_wbuf *w, const char magic[4], uint8_t b)
{
	wbuf_bytes(w, magic, 4);
	wbuf_u8(w, TPM_FILE_VERSION);
	wbuf_u8(w, b);
	wbuf_u16(w, 0);
}

/* Magic and version; the byte after the version goes to *b. */
static mst_rc get_head(tpm_rbuf *r, const char magic[4], uint8_t *b)
{
	const uint8_t *m = rbuf_take(r, 4);
	uint8_t ver = rbuf_u8(r);

	*b = rbuf_u8(r);
	(void)rbuf_u16(r);
	if (m == NULL || r->err || memcmp(m, magic, 4) != 0)
		return MST_ERR_TAMPERED;
	return ver == TPM_FILE_VERSION ? MST_OK : MST_ERR_UNSUPPORTED;
}

static void put_checksum(tpm_wbuf *w)
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	if (w->err)
		return;
	SHA256(w->buf, w->len, md);
	wbuf_bytes(w, md, sizeof(md));
}

/* The last 32 bytes must be the SHA-256 of the rest; *len drops them. */
static mst_rc check_checksum(const uint8_t *buf, size_t *len)
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	if (*len < sizeof(md))
		return MST_ERR_TAMPERED;
	*len -= sizeof(md);
	SHA256(buf, *len, md);
	return CRYPTO_memcmp(md, buf + *len, sizeof(md)) == 0 ? MST_OK : MST_ERR_TAMPERED;
}

static void put_sealed(tpm_wbuf *w, const tpm_sealed *s)
{
	uint8_t blob[SEALED_BLOB_MAX];
	size_t n = 0;

	if (tpm_sealed_marshal(s, blob, sizeof(blob), &n) != MST_OK) {
		w->err = 1;
		return;
	}
	wbuf_u16(w, (uint16_t)n);
	wbuf_bytes(w, blob, n);
}

static mst_rc get_sealed(tpm_rbuf *r, tpm_sealed *s)
{
	uint16_t n = rbuf_u16(r);
	const uint8_t *blob = rbuf_take(r, n);
	size_t used = 0;

	if (blob == NULL || tpm_sealed_unmarshal(blob, n, &used, s) != MST_OK || used != n)
		return MST_ERR_TAMPERED;
	return MST_OK;
}

static void put_string(tpm_wbuf *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	wbuf_u8(w, (uint8_t)n);
	wbuf_bytes(w, s, n);
}

static mst_rc get_string(tpm_rbuf *r, char *out, size_t max)
{
	uint8_t n = rbuf_u8(r);
	const uint8_t *p = rbuf_take(r, n);

	if (p == NULL || n > max || memchr(p, 0, n) != NULL)
		return MST_ERR_TAMPERED;
	memcpy(out, p, n);
	out[n] = '\0';
	return MST_OK;
}

void tpm_meta_encode(const tpm_meta *m, tpm_wbuf *w)
{
	put_head(w, "MSTM", (uint8_t)(m->initialized != 0));
	wbuf_bytes(w, m->serial, 16);
	put_string(w, m->label, MST_LABEL_MAX);
	put_checksum(w);
}

mst_rc tpm_meta_decode(const uint8_t *buf, size_t len, tpm_meta *m)
{
	tpm_rbuf r;
	uint8_t init = 0;
	const uint8_t *serial;
	mst_rc rc;

	memset(m, 0, sizeof(*m));
	if ((rc = check_checksum(buf, &len)) != MST_OK)
		return rc;
	rbuf_init(&r, buf, len);
	if ((rc = get_head(&r, "MSTM", &init)) != MST_OK)
		return rc;
	m->initialized = init != 0;
	serial = rbuf_take(&r, 16);
	if (serial)
		memcpy(m->serial, serial, 16);
	if ((rc = get_string(&r, m->label, MST_LABEL_MAX)) != MST_OK)
		return rc;
	return rbuf_done(&r) ? MST_OK : MST_ERR_TAMPERED;
}

void tpm_auth_encode(const tpm_auth_file *a, tpm_wbuf *w)
{
	put_head(w, "MSTA", (uint8_t)a->who);
	wbuf_u32(w, a->iterations);
	wbuf_bytes(w, a->salt, TPM_SALT_LEN);
	put_sealed(w, &a->sealed);
	put_checksum(w);
}

mst_rc tpm_auth_decode(const uint8_t *buf, size_t len, tpm_auth_file *a)
{
	tpm_rbuf r;
	uint8_t who = 0;
	const uint8_t *salt;
	mst_rc rc;

	memset(a, 0, sizeof(*a));
	if ((rc = check_checksum(buf, &len)) != MST_OK)
		return rc;
	rbuf_init(&r, buf, len);
	if ((rc = get_head(&r, "MSTA", &who)) != MST_OK)
		return rc;
	a->who = (keystore_who)who;
	a->iterations = rbuf_u32(&r);
	salt = rbuf_take(&r, TPM_SALT_LEN);
	if (salt)
		memcpy(a->salt, salt, TPM_SALT_LEN);
	if ((rc = get_sealed(&r, &a->sealed)) != MST_OK)
		return rc;
	if (!rbuf_done(&r) || (who != KEYSTORE_USER && who != KEYSTORE_SO) ||
	    a->iterations == 0 || a->iterations > TPM_KDF_ITERATIONS_MAX)
		return MST_ERR_TAMPERED;
	return MST_OK;
}

void tpm_tries_encode(uint32_t tries, tpm_wbuf *w)
{
	put_head(w, "MSTC", 0);
	wbuf_u32(w, tries);
	put_checksum(w);
}

mst_rc tpm_tries_decode(const uint8_t *buf, size_t len, uint32_t *tries)
{
	tpm_rbuf r;
	uint8_t b = 0;
	mst_rc rc;

	if ((rc = check_checksum(buf, &len)) != MST_OK)
		return rc;
	rbuf_init(&r, buf, len);
	if ((rc = get_head(&r, "MSTC", &b)) != MST_OK)
		return rc;
	*tries = rbuf_u32(&r);
	return rbuf_done(&r) ? MST_OK : MST_ERR_TAMPERED;
}

static void put_record_head(tpm_wbuf *w, int is_private, const char *name, uint32_t kind)
{
	put_head(w, "MSTR", (uint8_t)(is_private != 0));
	wbuf_u32(w, kind);
	put_string(w, name, KEYSTORE_NAME_MAX);
}

void tpm_record_encode_public(const char *name, uint32_t kind, const uint8_t *data,
			      size_t len, tpm_wbuf *w)
{
	put_record_head(w, 0, name, kind);
	wbuf_u32(w, (uint32_t)len);
	wbuf_bytes(w, data, len);
	put_checksum(w);
}

void tpm_record_head_private(const char *name, uint32_t kind,
			     const uint8_t store_id[TPM_STORE_ID_LEN], const tpm_sealed *s,
			     const uint8_t iv[TPM_GCM_IV_LEN], tpm_wbuf *w)
{
	put_record_head(w, 1, name, kind);
	wbuf_bytes(w, store_id, TPM_STORE_ID_LEN);
	put_sealed(w, s);
	wbuf_bytes(w, iv, TPM_GCM_IV_LEN);
}

static mst_rc decode_private_tail(tpm_rbuf *r, tpm_record_file *rec)
{
	const uint8_t *iv, *id = rbuf_take(r, TPM_STORE_ID_LEN);
	mst_rc rc;

	if (id == NULL)
		return MST_ERR_TAMPERED;
	memcpy(rec->store_id, id, TPM_STORE_ID_LEN);
	if ((rc = get_sealed(r, &rec->sealed)) != MST_OK)
		return rc;
	iv = rbuf_take(r, TPM_GCM_IV_LEN);
	if (iv == NULL)
		return MST_ERR_TAMPERED;
	memcpy(rec->iv, iv, TPM_GCM_IV_LEN);
	rec->aad_len = r->pos;
	rec->body_len = rbuf_u32(r);
	rec->body = rbuf_take(r, rec->body_len);
	if (!rbuf_done(r) || rec->body_len < TPM_GCM_TAG_LEN)
		return MST_ERR_TAMPERED;
	return MST_OK;
}

mst_rc tpm_record_decode(const uint8_t *buf, size_t len, const char *name, tpm_record_file *rec)
{
	tpm_rbuf r;
	uint8_t priv = 0;
	mst_rc rc;

	memset(rec, 0, sizeof(*rec));
	rbuf_init(&r, buf, len);
	if ((rc = get_head(&r, "MSTR", &priv)) != MST_OK)
		return rc;
	if (priv > 1)
		return MST_ERR_TAMPERED;
	rec->is_private = priv;
	rec->kind = rbuf_u32(&r);
	if ((rc = get_string(&r, rec->name, KEYSTORE_NAME_MAX)) != MST_OK)
		return rc;
	/* a file copied or renamed to another record's name */
	if (strcmp(rec->name, name) != 0)
		return MST_ERR_TAMPERED;
	if (priv)
		return decode_private_tail(&r, rec);
	if ((rc = check_checksum(buf, &len)) != MST_OK)
		return rc;
	if (r.pos > len)
		return MST_ERR_TAMPERED;
	r.len = len;
	rec->body_len = rbuf_u32(&r);
	rec->body = rbuf_take(&r, rec->body_len);
	return rbuf_done(&r) ? MST_OK : MST_ERR_TAMPERED;
}

static void payload_head(tpm_wbuf *w, const char magic[4], uint8_t b)
{
	wbuf_bytes(w, magic, 4);
	wbuf_u8(w, TPM_FILE_VERSION);
	wbuf_u8(w, b);
}

/* Copy a small payload into the caller's fixed buffer and wipe the heap. */
static size_t payload_out(tpm_wbuf *w, uint8_t out[TPM_SEAL_MAX])
{
	size_t n = 0;

	if (!w->err && w->len <= TPM_SEAL_MAX) {
		memcpy(out, w->buf, w->len);
		n = w->len;
	}
	wbuf_free(w);
	return n;
}

size_t tpm_payload_secret(keystore_who who, const uint8_t secret[TPM_SECRET_LEN],
			  uint8_t out[TPM_SEAL_MAX])
{
	tpm_wbuf w = { 0 };

	payload_head(&w, "MSTK", (uint8_t)who);
	wbuf_bytes(&w, secret, TPM_SECRET_LEN);
	return payload_out(&w, out);
}

mst_rc tpm_payload_secret_check(keystore_who who, const uint8_t *p, size_t len,
				uint8_t secret[TPM_SECRET_LEN])
{
	uint8_t want[TPM_SEAL_MAX];
	uint8_t zero[TPM_SECRET_LEN] = { 0 };
	size_t n = tpm_payload_secret(who, zero, want);

	/* compare only the non-secret header; then copy the secret */
	if (n == 0 || len != n || memcmp(p, want, n - TPM_SECRET_LEN) != 0)
		return MST_ERR_TAMPERED;
	memcpy(secret, p + n - TPM_SECRET_LEN, TPM_SECRET_LEN);
	return MST_OK;
}

size_t tpm_payload_record(const char *name, uint32_t kind, const uint8_t key[TPM_SECRET_LEN],
			  uint8_t out[TPM_SEAL_MAX])
{
	tpm_wbuf w = { 0 };

	payload_head(&w, "MSTS", 0);
	wbuf_u32(&w, kind);
	put_string(&w, name, KEYSTORE_NAME_MAX);
	wbuf_bytes(&w, key, TPM_SECRET_LEN);
	return payload_out(&w, out);
}

mst_rc tpm_payload_record_check(const char *name, uint32_t kind, const uint8_t *p, size_t len,
				uint8_t key[TPM_SECRET_LEN])
{
	uint8_t want[TPM_SEAL_MAX];
	uint8_t zero[TPM_SECRET_LEN] = { 0 };
	size_t n = tpm_payload_record(name, kind, zero, want);

	/* the sealed header names the record: a sealed blob moved to
	 * another record (or kind) does not match */
	if (n == 0 || len != n || memcmp(p, want, n - TPM_SECRET_LEN) != 0)
		return MST_ERR_TAMPERED;
	memcpy(key, p + n - TPM_SECRET_LEN, TPM_SECRET_LEN);
	return MST_OK;
}
