/* pkcs11/slot.c - slots and token information.
 *
 * Slot IDs are the positions of the [slot] sections in mstoken.conf.  Token
 * flags are read from the keystore every time, so the PIN counter flags
 * tell the truth right after a failed C_Login.
 */
#include "config.h"
#include "pkcs11/slot.h"

#include <stdio.h>
#include <string.h>

#include "pkcs11/debug.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"

#define MIN_PIN_LEN 4
#define MAX_PIN_LEN 255

void slot_pad(CK_UTF8CHAR *field, size_t n, const char *src)
{
	size_t l = strlen(src);

	memset(field, ' ', n);
	memcpy(field, src, l < n ? l : n);
}

void slot_debug_fail(const p11_slot *sl, const char *what, mst_rc rc)
{
	const char *why = keystore_last_error(sl->ks, sl->be);

	p11_debug("slot \"%s\": %s: %s%s%s%s", sl->cfg.label, what, mst_strerror(rc),
		  why[0] ? " (" : "", why, why[0] ? ")" : "");
}

CK_RV slot_open_all(p11_state *st)
{
	size_t i;

	for (i = 0; i < st->cfg.n_slots; i++) {
		p11_slot *sl = &st->slots[i];
		mst_rc rc;

		memset(sl, 0, sizeof(*sl));
		sl->id = i;
		sl->cfg = st->cfg.slots[i];
		sl->login = P11_NO_LOGIN;
		sl->ks = keystore_backend_for(&sl->cfg);
		if (sl->ks == NULL) {
			p11_report_config_error("%s:%u: slot \"%s\": no such backend", st->cfg.path,
				  sl->cfg.line, sl->cfg.label);
			st->n_slots = i;
			slot_close_all(st);
			return CKR_GENERAL_ERROR;
		}
		rc = sl->ks->open(&sl->cfg, &sl->be);
		if (rc == MST_ERR_CONFIG || rc == MST_ERR_IO) {
			p11_report_config_error("%s:%u: slot \"%s\": %s backend cannot open: %s (%s)",
				  st->cfg.path[0] ? st->cfg.path : "(default)", sl->cfg.line,
				  sl->cfg.label, sl->ks->name, mst_strerror(rc),
				  keystore_last_error(sl->ks, NULL));
			st->n_slots = i;
			slot_close_all(st);
			return CKR_GENERAL_ERROR;
		}
		if (rc != MST_OK) {
			p11_debug("slot \"%s\": %s backend unavailable (%s): no token",
				  sl->cfg.label, sl->ks->name, mst_strerror(rc));
			sl->be = NULL;
		} else {
			object_load_records(sl, 0);
		}
	}
	st->n_slots = st->cfg.n_slots;
	return CKR_OK;
}

void slot_close_all(p11_state *st)
{
	size_t i;

	for (i = 0; i < st->n_slots; i++) {
		p11_slot *sl = &st->slots[i];

		object_drop(sl, 0);
		if (sl->be != NULL) {
			if (sl->login != P11_NO_LOGIN)
				sl->ks->logout(sl->be);
			sl->ks->close(sl->be);
		}
		sl->be = NULL;
		sl->login = P11_NO_LOGIN;
	}
	st->n_slots = 0;
}

p11_slot *slot_find(CK_SLOT_ID id)
{
	p11_state *st = state_get();

	return id < st->n_slots ? &st->slots[id] : NULL;
}

CK_RV slot_with_token(CK_SLOT_ID id, p11_slot **out)
{
	p11_slot *sl = slot_find(id);

	if (sl == NULL)
		return CKR_SLOT_ID_INVALID;
	if (sl->be == NULL)
		return CKR_TOKEN_NOT_PRESENT;
	*out = sl;
	return CKR_OK;
}

CK_RV slot_get_list(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	p11_state *st = state_get();
	CK_ULONG n = 0, i;
	CK_RV rv = CKR_OK;

	if (count == NULL)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < st->n_slots; i++) {
		if (token_present && st->slots[i].be == NULL)
			continue;
		if (list != NULL && n < *count)
			list[n] = st->slots[i].id;
		else if (list != NULL)
			rv = CKR_BUFFER_TOO_SMALL;
		n++;
	}
	*count = n;
	return rv;
}

CK_RV slot_get_info(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	p11_slot *sl = slot_find(id);
	char desc[96];

	if (sl == NULL)
		return CKR_SLOT_ID_INVALID;
	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	snprintf(desc, sizeof(desc), "mstoken %s (%s backend)", sl->cfg.label, sl->ks->name);
	slot_pad(info->slotDescription, sizeof(info->slotDescription), desc);
	slot_pad(info->manufacturerID, sizeof(info->manufacturerID), "mstoken");
	info->flags = sl->be != NULL ? CKF_TOKEN_PRESENT : 0;
	info->hardwareVersion.major = 0;
	info->hardwareVersion.minor = 1;
	info->firmwareVersion = info->hardwareVersion;
	return CKR_OK;
}

static CK_FLAGS token_flags(const keystore_info *ki)
{
	CK_FLAGS f = CKF_RNG | CKF_LOGIN_REQUIRED;

	if (ki->initialized)
		f |= CKF_TOKEN_INITIALIZED;
	if (ki->user_pin_initialized)
		f |= CKF_USER_PIN_INITIALIZED;
	if (ki->user_pin_count_low)
		f |= CKF_USER_PIN_COUNT_LOW;
	if (ki->user_pin_final_try)
		f |= CKF_USER_PIN_FINAL_TRY;
	if (ki->user_pin_locked)
		f |= CKF_USER_PIN_LOCKED;
	if (ki->so_pin_count_low)
		f |= CKF_SO_PIN_COUNT_LOW;
	if (ki->so_pin_final_try)
		f |= CKF_SO_PIN_FINAL_TRY;
	if (ki->so_pin_locked)
		f |= CKF_SO_PIN_LOCKED;
	return f;
}

CK_RV slot_get_token_info(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	keystore_info ki;
	p11_slot *sl;
	char model[32];
	CK_RV rv;
	mst_rc rc;

	rv = slot_with_token(id, &sl);
	if (rv != CKR_OK)
		return rv;
	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(&ki, 0, sizeof(ki));
	rc = sl->ks->info(sl->be, &ki);
	if (rc != MST_OK) {
		slot_debug_fail(sl, "keystore info", rc);
		return rv_from_mst(rc);
	}
	memset(info, 0, sizeof(*info));
	slot_pad(info->label, sizeof(info->label), ki.label[0] ? ki.label : sl->cfg.label);
	slot_pad(info->manufacturerID, sizeof(info->manufacturerID), "mstoken");
	snprintf(model, sizeof(model), "mstoken/%s", sl->ks->name);
	slot_pad(info->model, sizeof(info->model), model);
	slot_pad(info->serialNumber, sizeof(info->serialNumber), ki.serial);
	info->flags = token_flags(&ki);
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = sl->n_sessions;
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulRwSessionCount = sl->n_rw_sessions;
	info->ulMaxPinLen = MAX_PIN_LEN;
	info->ulMinPinLen = MIN_PIN_LEN;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion.minor = 1;
	info->firmwareVersion.minor = 1;
	return CKR_OK;
}
