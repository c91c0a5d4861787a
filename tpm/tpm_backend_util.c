/* tpm/tpm_backend_util.c - locking, messages and the sealed store secret. */
#include "config.h"
#include "tpm/tpm_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "token/secmem.h"

mst_rc tb_fail(tpm_backend *b, mst_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return rc;
}

mst_rc tb_begin(tpm_backend *b, int exclusive, tpm_conn *c)
{
	mst_rc rc;

	b->err[0] = '\0';
	if (tpm_store_lock(&b->st, exclusive) != MST_OK)
		return tb_fail(b, MST_ERR_IO, "cannot lock the store %s", b->cfg.tpm_store);
	if (c == NULL)
		return MST_OK;
	rc = tpm_conn_open(c, b->cfg.tpm_tcti, b->cfg.tpm_primary, b->err, sizeof(b->err));
	if (rc != MST_OK)
		tpm_store_unlock(&b->st);
	return rc;
}

void tb_end(tpm_backend *b, tpm_conn *c)
{
	if (c)
		tpm_conn_close(c);
	tpm_store_unlock(&b->st);
}

mst_rc tb_initialized(tpm_backend *b, tpm_meta *m)
{
	uint8_t *buf;
	size_t len;
	mst_rc rc;

	rc = tpm_store_read(&b->st, TPM_FILE_META, &buf, &len);
	if (rc == MST_ERR_NOT_FOUND)
		return tb_fail(b, MST_ERR_NOT_INITIALIZED, "store %s has no meta file", b->cfg.tpm_store);
	if (rc != MST_OK)
		return tb_fail(b, rc, "cannot read %s/" TPM_FILE_META, b->cfg.tpm_store);
	rc = tpm_meta_decode(buf, len, m);
	free(buf);
	if (rc != MST_OK)
		return tb_fail(b, rc, "store file %s/" TPM_FILE_META " is damaged or of another version",
			       b->cfg.tpm_store);
	if (!m->initialized)
		return tb_fail(b, MST_ERR_NOT_INITIALIZED, "token not initialised (run init_token)");
	return MST_OK;
}

mst_rc tb_write(tpm_backend *b, const char *file, tpm_wbuf *w)
{
	mst_rc rc;

	if (w->err)
		rc = tb_fail(b, MST_ERR_NOMEM, "cannot encode store file %s", file);
	else if ((rc = tpm_store_write(&b->st, file, w->buf, w->len)) != MST_OK)
		tb_fail(b, rc, "cannot write store file %s/%s", b->cfg.tpm_store, file);
	wbuf_free(w);
	return rc;
}

mst_rc tb_pin_ok(tpm_backend *b, const char *pin, size_t len)
{
	if (pin == NULL || len < TPM_PIN_MIN || len > TPM_PIN_MAX)
		return tb_fail(b, MST_ERR_PIN_INVALID, "PIN must be %d to %d bytes long",
			       TPM_PIN_MIN, TPM_PIN_MAX);
	return MST_OK;
}

static const char *who_file(keystore_who who)
{
	return who == KEYSTORE_SO ? TPM_FILE_SO : TPM_FILE_USER;
}

mst_rc tb_unseal_secret(tpm_backend *b, tpm_conn *c, keystore_who who, const char *pin,
			size_t pin_len, uint8_t *secret)
{
	const char *file = who_file(who);
	uint8_t auth[TPM_AUTH_LEN], payload[TPM_SEAL_MAX];
	tpm_auth_file af;
	uint8_t *buf;
	size_t len, plen = 0;
	uint32_t so_tries = who == KEYSTORE_SO ? tb_so_tries(b) : 0;
	mst_rc rc;

	if (so_tries >= TPM_SO_MAX_TRIES)
		return tb_fail(b, MST_ERR_PIN_LOCKED, "SO PIN locked after %u wrong tries (%s)",
			       (unsigned)TPM_SO_MAX_TRIES, TPM_FILE_SO_TRIES);
	rc = tpm_store_read(&b->st, file, &buf, &len);
	if (rc == MST_ERR_NOT_FOUND)
		return tb_fail(b, MST_ERR_NOT_INITIALIZED, "%s PIN not set (no %s)",
			       who == KEYSTORE_SO ? "SO" : "user", file);
	if (rc != MST_OK)
		return tb_fail(b, rc, "cannot read store file %s", file);
	rc = tpm_auth_decode(buf, len, &af);
	free(buf);
	if (rc == MST_OK && af.who != who)
		rc = MST_ERR_TAMPERED;
	if (rc != MST_OK)
		return tb_fail(b, rc, "store file %s is damaged, swapped or of another version", file);
	rc = tpm_pin_auth(pin, pin_len, af.salt, af.iterations, auth);
	if (rc == MST_OK)
		rc = tpm_unseal(c, &af.sealed, auth, payload, &plen);
	secure_wipe(auth, sizeof(auth));
	if (rc == MST_OK) {
		rc = tpm_payload_secret_check(who, payload, plen, secret);
		if (rc != MST_OK)
			tb_fail(b, rc, "sealed content of %s does not belong there", file);
	} else if (b->err[0] == '\0') {
		tb_fail(b, rc, "cannot derive the %s auth", file);
	}
	secure_wipe(payload, sizeof(payload));
	if (who == KEYSTORE_SO && rc == MST_ERR_PIN_INCORRECT)
		tb_so_tries_set(b, so_tries + 1);
	else if (who == KEYSTORE_SO && rc == MST_OK && so_tries > 0)
		tb_so_tries_set(b, 0);
	return rc;
}

mst_rc tb_seal_secret(tpm_backend *b, tpm_conn *c, keystore_who who, const char *pin,
		      size_t pin_len, const uint8_t *secret)
{
	uint8_t auth[TPM_AUTH_LEN], payload[TPM_SEAL_MAX];
	tpm_auth_file af = { .who = who, .iterations = TPM_KDF_ITERATIONS };
	tpm_wbuf w = { 0 };
	size_t plen;
	mst_rc rc;

	if (RAND_bytes(af.salt, TPM_SALT_LEN) != 1)
		return tb_fail(b, MST_ERR_CRYPTO, "random generator failed");
	plen = tpm_payload_secret(who, secret, payload);
	rc = tpm_pin_auth(pin, pin_len, af.salt, af.iterations, auth);
	if (rc == MST_OK && plen == 0)
		rc = MST_ERR_NOMEM;
	/* the SO object is noDA: the SO must be able to recover while the
	 * TPM is in lockout (doc/tpm.md) */
	if (rc == MST_OK)
		rc = tpm_seal(c, auth, who == KEYSTORE_SO, payload, plen, &af.sealed);
	secure_wipe(auth, sizeof(auth));
	secure_wipe(payload, sizeof(payload));
	if (rc != MST_OK)
		return b->err[0] ? rc : tb_fail(b, rc, "cannot seal the store secret");
	tpm_auth_encode(&af, &w);
	return tb_write(b, who_file(who), &w);
}
