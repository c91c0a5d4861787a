/* tpm/backend_tpm.c - TPM 2.0 keystore backend: open, info, token and PINs.
 *
 * Records are in tpm/tpm_backend_records.c; the design of what is sealed
 * under what is in tpm/tpm_backend.h and doc/tpm.md.
 */
#include "config.h"
#include "tpm/tpm_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "token/hex.h"
#include "token/secmem.h"

static _Thread_local char open_error[512];

const char *keystore_tpm_last_error(const void *be)
{
	return be ? ((const tpm_backend *)be)->err : open_error;
}

/* A store seen for the first time gets its meta file: not initialised,
 * with the serial number it keeps for life. */
static mst_rc ensure_meta(tpm_backend *b)
{
	uint8_t *buf, rnd[8];
	tpm_meta m = { 0 };
	tpm_wbuf w = { 0 };
	size_t len;
	mst_rc rc;

	rc = tpm_store_read(&b->st, TPM_FILE_META, &buf, &len);
	if (rc == MST_OK) {
		rc = tpm_meta_decode(buf, len, &m);
		free(buf);
		return rc == MST_OK ? MST_OK :
		       tb_fail(b, rc, "store file %s/meta is damaged or of another version", b->cfg.tpm_store);
	}
	if (rc != MST_ERR_NOT_FOUND)
		return tb_fail(b, rc, "cannot read %s/meta", b->cfg.tpm_store);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return tb_fail(b, MST_ERR_CRYPTO, "random generator failed");
	hex_encode(rnd, sizeof(rnd), m.serial);
	tpm_meta_encode(&m, &w);
	return tb_write(b, TPM_FILE_META, &w);
}

static mst_rc tpm_open(const mst_slot_config *cfg, void **be)
{
	char why[160];
	tpm_backend *b;
	tpm_conn c;
	mst_rc rc;

	*be = NULL;
	open_error[0] = '\0';
	if (cfg == NULL)
		return MST_ERR_ARGS;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return MST_ERR_NOMEM;
	b->cfg = *cfg;
	rc = tpm_store_open(&b->st, cfg->tpm_store, why, sizeof(why));
	if (rc != MST_OK) {
		snprintf(open_error, sizeof(open_error),
			 "cannot open the store folder \"%.200s\": %s (tpm.store must be a folder of this user that only its owner can write)",
			 cfg->tpm_store, why);
		free(b);
		return rc;
	}
	/* exclusive: this is where a killed writer's temporary files go */
	rc = tb_begin(b, 1, &c);
	if (rc == MST_OK) {
		tpm_store_clean_temp(&b->st);
		rc = ensure_meta(b);
		tb_end(b, &c);
	}
	if (rc != MST_OK) {
		snprintf(open_error, sizeof(open_error), "%s", b->err);
		tpm_store_close(&b->st);
		free(b);
		return rc;
	}
	*be = b;
	return MST_OK;
}

static void tpm_logout(void *be)
{
	tpm_backend *b = be;

	secmem_free(b->secret);
	b->secret = NULL;
	b->who = 0;
}

static void tpm_close(void *be)
{
	tpm_backend *b = be;

	if (b == NULL)
		return;
	tpm_logout(b);
	tpm_store_close(&b->st);
	free(b);
}

static void da_flags(const tpm_da_info *da, keystore_info *info)
{
	uint32_t max = da->max_tries;

	info->user_pin_count_low = da->counter > 0;
	info->user_pin_locked = da->in_lockout || (max > 0 && da->counter >= max);
	info->user_pin_final_try = !info->user_pin_locked && max > 0 && da->counter + 1 == max;
}

static mst_rc tpm_info(void *be, keystore_info *info)
{
	tpm_backend *b = be;
	tpm_meta m = { 0 };
	tpm_da_info da;
	tpm_conn c;
	uint8_t *buf;
	size_t len;
	mst_rc rc;

	memset(info, 0, sizeof(*info));
	rc = tb_begin(b, 0, NULL);
	if (rc != MST_OK)
		return rc;
	/* GetCapability carries no secret: no primary, no session */
	rc = tpm_conn_open_bare(&c, b->cfg.tpm_tcti, b->err, sizeof(b->err));
	if (rc != MST_OK) {
		tb_end(b, NULL);
		return rc;
	}
	rc = tb_initialized(b, &m);
	if (rc == MST_OK || rc == MST_ERR_NOT_INITIALIZED) {
		info->initialized = rc == MST_OK;
		snprintf(info->label, sizeof(info->label), "%s", m.label);
		snprintf(info->serial, sizeof(info->serial), "%s", m.serial);
		rc = MST_OK;
	}
	if (rc == MST_OK && info->initialized &&
	    tpm_store_read(&b->st, TPM_FILE_USER, &buf, &len) == MST_OK) {
		info->user_pin_initialized = 1;
		free(buf);
	}
	if (rc == MST_OK && (rc = tpm_conn_da_info(&c, &da)) == MST_OK)
		da_flags(&da, info);
	if (rc == MST_OK && info->initialized) {
		uint32_t so = tb_so_tries(b);

		info->so_pin_count_low = so > 0;
		info->so_pin_locked = so >= TPM_SO_MAX_TRIES;
		info->so_pin_final_try = so + 1 == TPM_SO_MAX_TRIES;
	}
	tb_end(b, &c);
	return rc;
}

/* Erase every record and the user PIN (exclusive lock held). */
static int erase_visit(void *ctx, const char *file)
{
	tpm_backend *b = ctx;

	return tpm_store_unlink(&b->st, file) == MST_OK ? 0 : -1;
}

static mst_rc reinit(tpm_backend *b, tpm_conn *c, tpm_meta *m, const char *so_pin, size_t so_len,
		     const char *label)
{
	tpm_wbuf w = { 0 };
	uint8_t *secret;
	mst_rc rc;

	/* not initialised first: a crash half-way leaves a token that asks
	 * for init_token again, never one with a mix of old and new */
	m->initialized = 0;
	tpm_meta_encode(m, &w);
	if ((rc = tb_write(b, TPM_FILE_META, &w)) != MST_OK)
		return rc;
	if (tpm_store_each(&b->st, TPM_FILE_RECORD_PREFIX, erase_visit, b) != 0 ||
	    tpm_store_unlink(&b->st, TPM_FILE_USER) != MST_OK ||
	    tpm_store_unlink(&b->st, TPM_FILE_SO_TRIES) != MST_OK)
		return tb_fail(b, MST_ERR_IO, "cannot erase the records of %s", b->cfg.tpm_store);
	secret = secmem_alloc(TPM_SECRET_LEN);
	if (secret == NULL)
		return tb_fail(b, MST_ERR_NOMEM, "no memory for the store secret");
	if (RAND_priv_bytes(secret, TPM_SECRET_LEN) != 1)
		rc = tb_fail(b, MST_ERR_CRYPTO, "random generator failed");
	else
		rc = tb_seal_secret(b, c, KEYSTORE_SO, so_pin, so_len, secret);
	secmem_free(secret);
	if (rc != MST_OK)
		return rc;
	m->initialized = 1;
	snprintf(m->label, sizeof(m->label), "%s", label ? label : "");
	tpm_meta_encode(m, &w);
	return tb_write(b, TPM_FILE_META, &w);
}

static mst_rc tpm_init_token(void *be, const char *so_pin, size_t so_len, const char *label)
{
	tpm_backend *b = be;
	uint8_t secret[TPM_SECRET_LEN];
	tpm_meta m;
	tpm_conn c;
	mst_rc rc;

	if ((rc = tb_pin_ok(b, so_pin, so_len)) != MST_OK)
		return rc;
	if (label && strlen(label) > MST_LABEL_MAX)
		return tb_fail(b, MST_ERR_RANGE, "label longer than %d bytes", MST_LABEL_MAX);
	tpm_logout(b);
	if ((rc = tb_begin(b, 1, &c)) != MST_OK)
		return rc;
	rc = tb_initialized(b, &m);
	if (rc == MST_OK) {
		/* re-initialising erases keys: only with the current SO PIN */
		rc = tb_unseal_secret(b, &c, KEYSTORE_SO, so_pin, so_len, secret);
		secure_wipe(secret, sizeof(secret));
	} else if (rc == MST_ERR_NOT_INITIALIZED) {
		rc = MST_OK;
	}
	if (rc == MST_OK)
		rc = reinit(b, &c, &m, so_pin, so_len, label);
	tb_end(b, &c);
	return rc;
}

static mst_rc tpm_login(void *be, keystore_who who, const char *pin, size_t pin_len)
{
	tpm_backend *b = be;
	tpm_meta m;
	tpm_conn c;
	uint8_t *secret;
	mst_rc rc;

	if (who != KEYSTORE_USER && who != KEYSTORE_SO)
		return tb_fail(b, MST_ERR_ARGS, "unknown user type");
	if (pin == NULL || pin_len > TPM_PIN_MAX)
		return tb_fail(b, MST_ERR_PIN_INCORRECT, "PIN of a length no PIN here has");
	secret = secmem_alloc(TPM_SECRET_LEN);
	if (secret == NULL)
		return tb_fail(b, MST_ERR_NOMEM, "no memory for the store secret");
	/* exclusive for the SO: a wrong SO PIN is counted in the store */
	rc = tb_begin(b, who == KEYSTORE_SO, &c);
	if (rc == MST_OK) {
		rc = tb_initialized(b, &m);
		if (rc == MST_OK)
			rc = tb_unseal_secret(b, &c, who, pin, pin_len, secret);
		tb_end(b, &c);
	}
	if (rc != MST_OK) {
		secmem_free(secret);
		return rc;
	}
	tpm_logout(b);
	b->secret = secret;
	b->who = who;
	return MST_OK;
}

static mst_rc tpm_init_pin(void *be, const char *pin, size_t pin_len)
{
	tpm_backend *b = be;
	tpm_meta m;
	tpm_conn c;
	mst_rc rc;

	if (b->who != KEYSTORE_SO)
		return tb_fail(b, MST_ERR_NOT_LOGGED_IN, "init_pin needs the SO logged in");
	if ((rc = tb_pin_ok(b, pin, pin_len)) != MST_OK)
		return rc;
	if ((rc = tb_begin(b, 1, &c)) != MST_OK)
		return rc;
	rc = tb_initialized(b, &m);
	if (rc == MST_OK)
		rc = tb_seal_secret(b, &c, KEYSTORE_USER, pin, pin_len, b->secret);
	/* Unlock: clear the TPM's lockout counter when the lockout auth is
	 * empty.  If it is set, the PIN is still reset and info() keeps
	 * saying "locked" until the TPM owner resets it or time heals it. */
	if (rc == MST_OK)
		(void)tpm_conn_da_reset(&c);   /* its message stays in b->err */
	tb_end(b, &c);
	return rc;
}

static mst_rc tpm_set_pin(void *be, keystore_who who, const char *old_pin, size_t old_len,
			  const char *new_pin, size_t new_len)
{
	tpm_backend *b = be;
	uint8_t secret[TPM_SECRET_LEN];
	tpm_meta m;
	tpm_conn c;
	mst_rc rc;

	if (who != KEYSTORE_USER && who != KEYSTORE_SO)
		return tb_fail(b, MST_ERR_ARGS, "unknown user type");
	if (old_pin == NULL || old_len > TPM_PIN_MAX)
		return tb_fail(b, MST_ERR_PIN_INCORRECT, "old PIN of a length no PIN here has");
	if ((rc = tb_pin_ok(b, new_pin, new_len)) != MST_OK)
		return rc;
	if ((rc = tb_begin(b, 1, &c)) != MST_OK)
		return rc;
	/* the TPM checks the old PIN (and counts it if wrong) */
	rc = tb_initialized(b, &m);
	if (rc == MST_OK)
		rc = tb_unseal_secret(b, &c, who, old_pin, old_len, secret);
	if (rc == MST_OK)
		rc = tb_seal_secret(b, &c, who, new_pin, new_len, secret);
	secure_wipe(secret, sizeof(secret));
	tb_end(b, &c);
	return rc;
}

static const char *tpm_last_error(void *be)
{
	return keystore_tpm_last_error(be);
}

const keystore_backend keystore_backend_tpm = {
	.name = "tpm",
	.open = tpm_open,
	.close = tpm_close,
	.info = tpm_info,
	.init_token = tpm_init_token,
	.login = tpm_login,
	.logout = tpm_logout,
	.init_pin = tpm_init_pin,
	.set_pin = tpm_set_pin,
	.list = tb_list,
	.put = tb_put,
	.get = tb_get,
	.remove = tb_remove,
	.endorse = tb_endorse,
	.last_error = tpm_last_error,
};
