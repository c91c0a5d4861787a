/* token/backend_pkcs11_util.c - sessions, objects and errors of the backing token. */
#include "token/backend_pkcs11_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/rand.h>

/* The backing module's CKR value is kept for MSTOKEN_DEBUG messages; our
 * caller only sees MST_ERR_BACKEND, as it cannot act on HSM internals. */
mst_rc p11_fail(struct p11_store *st, const char *call, CK_RV rv)
{
	snprintf(st->last_error, sizeof st->last_error, "%s: CKR 0x%08lx", call,
		 (unsigned long)rv);
	/* The backing token went away or was re-initialised by someone else:
	 * forget the session, so that the next call looks the token up again
	 * (and needs a new login) instead of failing for ever. */
	if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
	    rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_REMOVED) {
		st->have_session = 0;
		st->have_slot = 0;
		st->who = 0;
		st->seal_key = CK_INVALID_HANDLE;
		p11_endorse_forget(st);
	}
	return MST_ERR_BACKEND;
}

mst_rc p11_fail_msg(struct p11_store *st, mst_rc rc, const char *msg)
{
	snprintf(st->last_error, sizeof st->last_error, "%s", msg);
	return rc;
}

/* The CKR values a caller can act on; everything else is a backend fault.
 * The call and CKR value are kept in every case. */
mst_rc p11_map(struct p11_store *st, const char *call, CK_RV rv)
{
	if (rv == CKR_OK)
		return MST_OK;
	p11_fail(st, call, rv);
	switch (rv) {
	case CKR_PIN_INCORRECT:
		return MST_ERR_PIN_INCORRECT;
	case CKR_PIN_LOCKED:
		return MST_ERR_PIN_LOCKED;
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_INVALID:
		return MST_ERR_PIN_INVALID;
	case CKR_USER_NOT_LOGGED_IN:
		return MST_ERR_NOT_LOGGED_IN;
	case CKR_USER_PIN_NOT_INITIALIZED:
	case CKR_TOKEN_NOT_RECOGNIZED:
		return MST_ERR_NOT_INITIALIZED;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		return MST_ERR_NOMEM;
	default:
		return MST_ERR_BACKEND;
	}
}

static int label_is(const CK_UTF8CHAR label[32], const char *want)
{
	size_t n = strlen(want), i;

	if (n > 32 || memcmp(label, want, n) != 0)
		return 0;
	for (i = n; i < 32; i++)
		if (label[i] != ' ')
			return 0;
	return 1;
}

/* SoftHSM2 moves a token to a new slot id when it is initialised, so the
 * backing token is always looked up by its label. */
mst_rc p11_find_slot(struct p11_store *st)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0, i;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	st->have_slot = 0;
	rv = st->f->C_GetSlotList(CK_TRUE, NULL, &n);
	if (rv == CKR_OK && n > 0) {
		slots = calloc(n, sizeof *slots);
		if (slots == NULL)
			return MST_ERR_NOMEM;
		rv = st->f->C_GetSlotList(CK_TRUE, slots, &n);
	}
	for (i = 0; rv == CKR_OK && i < n && !st->have_slot; i++) {
		if (st->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if ((ti.flags & CKF_TOKEN_INITIALIZED) && label_is(ti.label, st->token_label)) {
			st->slot = slots[i];
			st->have_slot = 1;
		}
	}
	free(slots);
	return rv == CKR_OK ? MST_OK : p11_fail(st, "C_GetSlotList", rv);
}

mst_rc p11_need_session(struct p11_store *st)
{
	CK_RV rv;

	if (st->pid != getpid())
		return p11_fail_msg(st, MST_ERR_BACKEND,
				    "keystore opened before fork(): open it again in this process");
	if (st->have_session)
		return MST_OK;
	if (!st->have_slot) {
		mst_rc rc = p11_find_slot(st);
		if (rc != MST_OK)
			return rc;
		if (!st->have_slot)
			return MST_ERR_NOT_INITIALIZED;
	}
	rv = st->f->C_OpenSession(st->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				  &st->session);
	if (rv != CKR_OK)
		return p11_fail(st, "C_OpenSession", rv);
	st->have_session = 1;
	return MST_OK;
}

void p11_drop_session(struct p11_store *st)
{
	if (st->have_session)
		st->f->C_CloseSession(st->session);
	st->have_session = 0;
	st->who = 0;
	st->seal_key = CK_INVALID_HANDLE;
	p11_endorse_forget(st);
}

mst_rc p11_find(struct p11_store *st, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		CK_OBJECT_HANDLE **objs, size_t *count)
{
	CK_OBJECT_HANDLE *all = NULL, *grown;
	CK_ULONG got;
	size_t have = 0, cap = 0;
	CK_RV rv;

	*objs = NULL;
	*count = 0;
	rv = st->f->C_FindObjectsInit(st->session, tmpl, n);
	if (rv != CKR_OK)
		return p11_fail(st, "C_FindObjectsInit", rv);
	do {
		if (have == cap) {
			cap = cap ? 2 * cap : 32;
			grown = realloc(all, cap * sizeof *all);
			if (grown == NULL) {
				rv = CKR_HOST_MEMORY;
				break;
			}
			all = grown;
		}
		rv = st->f->C_FindObjects(st->session, all + have, (CK_ULONG)(cap - have), &got);
		if (rv == CKR_OK)
			have += got;
	} while (rv == CKR_OK && have == cap);
	st->f->C_FindObjectsFinal(st->session);
	if (rv != CKR_OK) {
		free(all);
		return p11_map(st, "C_FindObjects", rv);
	}
	*objs = all;
	*count = have;
	return MST_OK;
}

mst_rc p11_get_attr(struct p11_store *st, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		    uint8_t **val, size_t *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	rv = st->f->C_GetAttributeValue(st->session, obj, &a, 1);
	if (rv != CKR_OK)
		return p11_fail(st, "C_GetAttributeValue", rv);
	/* One spare byte so text attributes can be NUL-terminated. */
	a.pValue = malloc(a.ulValueLen + 1);
	if (a.pValue == NULL)
		return MST_ERR_NOMEM;
	rv = st->f->C_GetAttributeValue(st->session, obj, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return p11_fail(st, "C_GetAttributeValue", rv);
	}
	((uint8_t *)a.pValue)[a.ulValueLen] = 0;
	*val = a.pValue;
	*len = a.ulValueLen;
	return MST_OK;
}

/* PKCS#11 templates take non-const pointers even for input data. */
static void *unconst(const void *p)
{
	return (void *)(uintptr_t)p;
}

mst_rc p11_create_data(struct p11_store *st, const char *application, const char *label,
		       int is_private, const uint8_t *val, size_t len, CK_OBJECT_HANDLE *obj)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, priv = is_private ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &priv, sizeof priv },
		{ CKA_APPLICATION, unconst(application), strlen(application) },
		{ CKA_LABEL, unconst(label), strlen(label) },
		{ CKA_VALUE, unconst(val), len },
	};
	CK_RV rv = st->f->C_CreateObject(st->session, t, sizeof t / sizeof t[0], obj);

	return rv == CKR_OK ? MST_OK : p11_map(st, "C_CreateObject", rv);
}

mst_rc p11_destroy(struct p11_store *st, CK_OBJECT_HANDLE obj)
{
	CK_RV rv = st->f->C_DestroyObject(st->session, obj);

	return rv == CKR_OK ? MST_OK : p11_map(st, "C_DestroyObject", rv);
}

/* IVs and serial numbers: unique, not secret. */
mst_rc p11_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? MST_OK : MST_ERR_CRYPTO;
}
