/* token/backend_pkcs11.c - keystore backend: records inside another PKCS#11 token.
 *
 * The backing token (SoftHSM2 by default) is the one labelled
 * cfg->pkcs11_token in cfg->pkcs11_module.  Our SO PIN is its SO PIN; its
 * user PIN is a random secret R kept under our user PIN
 * (backend_pkcs11_pin.c), so a user PIN change never calls its C_SetPIN;
 * our wrong-PIN counting lives in its public state object
 * (backend_pkcs11_state.c) because SoftHSM2 has none.  Records are in
 * backend_pkcs11_records.c, sealing in backend_pkcs11_seal.c.
 */
#include "token/backend_pkcs11_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "token/secmem.h"

/* Why the last open() failed (there is no keystore to ask then). */
static _Thread_local char open_error[256];

static int stale(const struct p11_store *st)
{
	return st->pid != getpid();
}

static mst_rc p11_open(const mst_slot_config *cfg, void **be)
{
	struct p11_store *st;
	mst_rc rc;

	if (cfg == NULL || be == NULL || cfg->backend != MST_BACKEND_PKCS11)
		return MST_ERR_ARGS;
	*be = NULL;
	open_error[0] = '\0';
	st = calloc(1, sizeof *st);
	if (st == NULL)
		return MST_ERR_NOMEM;
	snprintf(st->token_label, sizeof st->token_label, "%s", cfg->pkcs11_token);
	rc = p11_module_acquire(cfg->pkcs11_module, &st->mod, open_error, sizeof open_error);
	if (rc != MST_OK) {
		free(st);
		return rc;
	}
	st->f = st->mod->f;
	st->pid = getpid();
	st->seal_key = CK_INVALID_HANDLE;
	/* No backing token yet is normal: it appears at init_token. */
	rc = p11_find_slot(st);
	if (rc != MST_OK) {
		snprintf(open_error, sizeof open_error, "%s", st->last_error);
		p11_module_release(st->mod);
		free(st);
		return rc;
	}
	*be = st;
	return MST_OK;
}

static void p11_close(void *be)
{
	struct p11_store *st = be;

	if (st == NULL)
		return;
	/* Opened by our parent before fork(): its sessions are not ours. */
	if (!stale(st)) {
		if (st->who)
			st->f->C_Logout(st->session);
		p11_drop_session(st);
		p11_module_release(st->mod);
	}
	p11_endorse_forget(st);
	secure_wipe(st, sizeof *st);
	free(st);
}

static const char *p11_last_error(void *be)
{
	const struct p11_store *st = be;

	return st != NULL ? st->last_error : open_error;
}

static mst_rc p11_info(void *be, keystore_info *info)
{
	struct p11_store *st = be;
	struct p11_state s;
	CK_TOKEN_INFO ti;
	mst_rc rc;
	CK_RV rv;

	if (info == NULL)
		return MST_ERR_ARGS;
	memset(info, 0, sizeof *info);
	rc = p11_need_session(st);
	if (rc == MST_ERR_NOT_INITIALIZED)
		return MST_OK;
	if (rc != MST_OK)
		return rc;
	rv = st->f->C_GetTokenInfo(st->slot, &ti);
	if (rv != CKR_OK)
		return p11_fail(st, "C_GetTokenInfo", rv);
	rc = p11_state_read(st, &s);
	/* A damaged state object: report both PINs locked (as login will
	 * behave) rather than fail the whole token information. */
	if (rc == MST_ERR_TAMPERED) {
		memset(&s, 0, sizeof s);
		s.user_fails = P11_USER_MAX_TRIES;
		s.so_fails = P11_SO_MAX_TRIES;
	} else if (rc != MST_OK) {
		return rc;
	}
	info->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
	info->user_pin_initialized = (ti.flags & CKF_USER_PIN_INITIALIZED) != 0;
	info->user_pin_count_low = s.user_fails > 0;
	info->user_pin_final_try = s.user_fails == P11_USER_MAX_TRIES - 1;
	info->user_pin_locked = s.user_fails >= P11_USER_MAX_TRIES;
	info->so_pin_count_low = s.so_fails > 0;
	info->so_pin_final_try = s.so_fails == P11_SO_MAX_TRIES - 1;
	info->so_pin_locked = s.so_fails >= P11_SO_MAX_TRIES;
	memcpy(info->label, s.label, sizeof info->label);
	memcpy(info->serial, s.serial, sizeof info->serial);
	return MST_OK;
}

/* The first slot of the module offering an uninitialised token (SoftHSM2
 * always keeps one free). */
static mst_rc free_slot(struct p11_store *st, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = sizeof slots / sizeof slots[0], i;
	CK_TOKEN_INFO ti;
	CK_RV rv = st->f->C_GetSlotList(CK_TRUE, slots, &n);

	if (rv != CKR_OK)
		return p11_fail(st, "C_GetSlotList", rv);
	for (i = 0; i < n; i++)
		if (st->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    !(ti.flags & CKF_TOKEN_INITIALIZED)) {
			*slot = slots[i];
			return MST_OK;
		}
	return p11_fail_msg(st, MST_ERR_BACKEND, "no uninitialised token left in the module");
}

/* PKCS#11 takes PINs through non-const pointers; the module does not
 * write to them. */
static CK_UTF8CHAR_PTR pin_ptr(const char *pin)
{
	return (CK_UTF8CHAR_PTR)(uintptr_t)pin;
}

/* A PIN the backing token could never accept is refused without trying
 * it, so it does not count as a wrong PIN (SoftHSM2 answers a too-short
 * PIN with CKR_PIN_INCORRECT). */
static mst_rc check_pin_len(struct p11_store *st, CK_SLOT_ID slot, size_t len)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = st->f->C_GetTokenInfo(slot, &ti);

	if (rv != CKR_OK)
		return p11_fail(st, "C_GetTokenInfo", rv);
	if (len < ti.ulMinPinLen || len > ti.ulMaxPinLen)
		return p11_fail_msg(st, MST_ERR_PIN_INVALID, "PIN length outside the backing "
				    "token's range");
	return MST_OK;
}

static mst_rc p11_init_token(void *be, const char *so_pin, size_t so_len, const char *label)
{
	struct p11_store *st = be;
	CK_UTF8CHAR padded[32];
	CK_SLOT_ID slot;
	mst_rc rc;
	CK_RV rv;

	if (so_pin == NULL || label == NULL || strlen(label) > MST_LABEL_MAX)
		return MST_ERR_ARGS;
	if (stale(st))
		return p11_need_session(st);
	memset(padded, ' ', sizeof padded);
	memcpy(padded, st->token_label, strlen(st->token_label));
	rc = p11_find_slot(st);
	if (rc == MST_OK && st->have_slot)
		rc = p11_state_check_locked(st, KEYSTORE_SO);
	/* A damaged state object must not stop the SO from starting afresh
	 * (whoever could damage it could as well have deleted it). */
	if (rc == MST_ERR_TAMPERED)
		rc = MST_OK;
	if (rc != MST_OK)
		return rc;
	if (st->have_slot)
		slot = st->slot;
	else if ((rc = free_slot(st, &slot)) != MST_OK)
		return rc;
	rc = check_pin_len(st, slot, so_len);
	if (rc != MST_OK)
		return rc;
	/* C_InitToken refuses while we hold a session on the token. */
	p11_drop_session(st);
	rv = st->f->C_InitToken(slot, pin_ptr(so_pin), so_len, padded);
	rc = p11_map(st, "C_InitToken", rv);
	if (rc == MST_ERR_PIN_INCORRECT)
		return p11_state_wrong_pin(st, KEYSTORE_SO);
	if (rc != MST_OK)
		return rc;
	/* The token may have moved to a new slot id. */
	st->have_slot = 0;
	rc = p11_need_session(st);
	if (rc == MST_OK)
		rc = p11_state_fresh(st, label);
	return rc == MST_OK ? p11_endorse_create(st, so_pin, so_len) : rc;
}

static mst_rc do_login(struct p11_store *st, CK_USER_TYPE type, const char *pin, size_t len)
{
	CK_RV rv = st->f->C_Login(st->session, type, pin_ptr(pin), len);

	/* Login state is per application in PKCS#11: another user of the
	 * module in this process may hold it.  Re-check the PIN anyway. */
	if (rv == CKR_USER_ALREADY_LOGGED_IN || rv == CKR_USER_ANOTHER_ALREADY_LOGGED_IN) {
		st->f->C_Logout(st->session);
		rv = st->f->C_Login(st->session, type, pin_ptr(pin), len);
	}
	return rv == CKR_OK ? MST_OK : p11_map(st, "C_Login", rv);
}

static mst_rc p11_login(void *be, keystore_who who, const char *pin, size_t pin_len)
{
	struct p11_store *st = be;
	char *secret = NULL;
	const char *use = pin;
	size_t use_len = pin_len;
	mst_rc rc;

	if (pin == NULL || (who != KEYSTORE_USER && who != KEYSTORE_SO))
		return MST_ERR_ARGS;
	rc = p11_state_check_locked(st, who);   /* opens the session too */
	if (rc == MST_ERR_TAMPERED)
		rc = MST_ERR_PIN_LOCKED;   /* fail closed; init_token repairs it */
	if (rc == MST_OK)
		rc = check_pin_len(st, st->slot, pin_len);
	/* the user logs in to the backing token with R (none: with the PIN) */
	if (rc == MST_OK && who == KEYSTORE_USER)
		rc = p11_pin_secret_hex(st, pin, pin_len, &secret);
	if (rc == MST_ERR_PIN_INCORRECT)
		return p11_state_wrong_pin(st, who);
	if (rc != MST_OK)
		return rc;
	if (secret != NULL) {
		use = secret;
		use_len = 2 * P11_PIN_SECRET_LEN;
	}
	if (st->who) {
		st->f->C_Logout(st->session);
		st->who = 0;
		st->seal_key = CK_INVALID_HANDLE;
	}
	rc = do_login(st, who == KEYSTORE_SO ? CKU_SO : CKU_USER, use, use_len);
	if (rc == MST_ERR_PIN_INCORRECT && secret != NULL)
		rc = p11_fail_msg(st, MST_ERR_TAMPERED, "the backing token refuses the user PIN's "
				  "secret (an init_pin cut short? the SO sets the user PIN again)");
	if (rc == MST_ERR_PIN_INCORRECT)
		return p11_state_wrong_pin(st, who);
	if (rc == MST_OK) {
		st->who = who;
		rc = p11_state_reset_pin(st, who);
	}
	/* The seal key is made at the first user login, inside the token. */
	if (rc == MST_OK && who == KEYSTORE_USER)
		rc = p11_seal_key_ensure(st);
	/* the user's hand-over copy of K is under R (the PIN without R) */
	if (rc == MST_OK)
		rc = p11_endorse_login(st, who, use, use_len);
	secmem_free(secret);
	if (rc != MST_OK && st->who) {
		st->f->C_Logout(st->session);
		st->who = 0;
		p11_endorse_forget(st);
	}
	return rc;
}

static void p11_logout(void *be)
{
	struct p11_store *st = be;

	if (st == NULL || stale(st) || !st->who)
		return;
	st->f->C_Logout(st->session);
	st->who = 0;
	st->seal_key = CK_INVALID_HANDLE;
	p11_endorse_forget(st);
}

static mst_rc p11_init_pin(void *be, const char *pin, size_t pin_len)
{
	struct p11_store *st = be;
	uint8_t *r = NULL;
	char *secret = NULL;
	mst_rc rc;
	CK_RV rv;

	if (pin == NULL)
		return MST_ERR_ARGS;
	if (stale(st) || st->who != KEYSTORE_SO)
		return MST_ERR_NOT_LOGGED_IN;
	rc = check_pin_len(st, st->slot, pin_len);
	if (rc == MST_OK)
		rc = p11_pin_secret_new(st, &r, &secret);
	if (rc != MST_OK)
		return rc;
	/* the backing token's user PIN is R; R goes under the user's PIN
	 * once the backing token took it (cut short in between: the SO sets
	 * the PIN again) */
	rv = st->f->C_InitPIN(st->session, pin_ptr(secret), 2 * P11_PIN_SECRET_LEN);
	rc = rv == CKR_OK ? p11_pin_secret_write(st, pin, pin_len, r) : p11_map(st, "C_InitPIN", rv);
	/* A new user PIN from the SO also unlocks it. */
	if (rc == MST_OK)
		rc = p11_state_reset_pin(st, KEYSTORE_USER);
	/* and carries the endorsement key to the user's next login */
	if (rc == MST_OK)
		rc = p11_endorse_new_pin(st, KEYSTORE_USER, secret, 2 * P11_PIN_SECRET_LEN);
	secmem_free(r);
	secmem_free(secret);
	return rc;
}

/* The user's PIN change on a token with R: R under the new PIN, one new
 * object, then the old one goes (backend_pkcs11_pin.c).  The backing
 * token is not asked: SoftHSM2's C_SetPIN rewrites its token file in
 * place, and a kill there loses the token.  MST_ERR_NOT_FOUND: no R. */
static mst_rc user_set_pin(struct p11_store *st, const char *old_pin, size_t old_len,
			   const char *new_pin, size_t new_len)
{
	uint8_t *r = secmem_alloc(P11_PIN_SECRET_LEN);
	mst_rc rc;

	if (r == NULL)
		return MST_ERR_NOMEM;
	rc = p11_pin_secret_open(st, old_pin, old_len, r);
	if (rc == MST_OK)
		rc = p11_pin_secret_write(st, new_pin, new_len, r);
	secmem_free(r);
	return rc;
}

static mst_rc p11_set_pin(void *be, keystore_who who, const char *old_pin, size_t old_len,
			  const char *new_pin, size_t new_len)
{
	struct p11_store *st = be;
	mst_rc rc;
	CK_RV rv;

	if (old_pin == NULL || new_pin == NULL)
		return MST_ERR_ARGS;
	/* the one logged in changes its own PIN; with nobody logged in, the
	 * user PIN (PKCS#11 C_SetPIN in a R/W public session: we check the
	 * old PIN, and count it if wrong) */
	if (stale(st) || who == 0 || (st->who != who && !(st->who == 0 && who == KEYSTORE_USER)))
		return MST_ERR_NOT_LOGGED_IN;
	rc = p11_state_check_locked(st, who);
	if (rc == MST_ERR_TAMPERED)
		rc = MST_ERR_PIN_LOCKED;
	if (rc == MST_OK)
		rc = check_pin_len(st, st->slot, old_len);
	if (rc == MST_OK)
		rc = check_pin_len(st, st->slot, new_len);
	if (rc != MST_OK)
		return rc;
	rc = who == KEYSTORE_USER ? user_set_pin(st, old_pin, old_len, new_pin, new_len)
				  : MST_ERR_NOT_FOUND;
	/* the SO, and a user whose PIN was set before R: the backing token's
	 * own C_SetPIN (not atomic in SoftHSM2) */
	if (rc == MST_ERR_NOT_FOUND) {
		rv = st->f->C_SetPIN(st->session, pin_ptr(old_pin), old_len, pin_ptr(new_pin),
				     new_len);
		rc = p11_map(st, "C_SetPIN", rv);
	}
	if (rc == MST_ERR_PIN_INCORRECT)
		return p11_state_wrong_pin(st, who);
	if (rc != MST_OK)
		return rc;
	rc = p11_state_reset_pin(st, who);
	/* the user's copy of K is sealed or under R; the SO's is under its PIN */
	if (rc == MST_OK && who == KEYSTORE_SO)
		rc = p11_endorse_new_pin(st, KEYSTORE_SO, new_pin, new_len);
	return rc;
}

const keystore_backend keystore_backend_pkcs11 = {
	.name = "pkcs11",
	.open = p11_open,
	.close = p11_close,
	.info = p11_info,
	.init_token = p11_init_token,
	.login = p11_login,
	.logout = p11_logout,
	.init_pin = p11_init_pin,
	.set_pin = p11_set_pin,
	.list = p11_list,
	.put = p11_put,
	.get = p11_get,
	.remove = p11_remove,
	.endorse = p11_endorse,
	.last_error = p11_last_error,
};
