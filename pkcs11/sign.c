/* pkcs11/sign.c - ECCSI signing and verification (RFC 6507).
 *
 * Signing needs no mechanism parameter (pkcs11-tool passes none); the key
 * carries the signer's identifier, PVT and its community's KPAK.
 * Verification takes the community's KPAK public object as the key and the
 * signer's identifier in CK_MSTOKEN_ECCSI_VERIFY_PARAMS.
 */
#include "config.h"
#include "pkcs11/sign.h"

#include <stdlib.h>
#include <string.h>

#include "pkcs11/debug.h"
#include "pkcs11/msgbuf.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"
#include "pkcs11/state.h"
#include "token/eccsi.h"
#include "token/identity.h"

struct signer_ref {
	eccsi_signer *signer;
	unsigned refs;          /* changed under the module lock only */
};

void signer_ref_put(signer_ref *r)
{
	if (r != NULL && --r->refs == 0) {
		eccsi_signer_free(r->signer);
		free(r);
	}
}

static const uint8_t *attr_bytes(const p11_object *o, CK_ATTRIBUTE_TYPE t, size_t want,
				 size_t *len)
{
	const p11_attr *a = obj_attr(o, t);

	if (a == NULL || (want && a->len != want))
		return NULL;
	if (len != NULL)
		*len = a->len;
	return a->value;
}

/* The key's signer, made (and validated) on first use. */
static CK_RV key_signer(p11_object *o, signer_ref **out)
{
	const uint8_t *ssk, *pvt, *kpak, *id;
	size_t ssk_len, id_len;
	eccsi_signer *es;
	signer_ref *r;
	CK_RV rv;
	mst_rc rc;

	if (o->signer == NULL) {
		rv = obj_secret(o, &ssk, &ssk_len);
		if (rv != CKR_OK)
			return rv;
		pvt = attr_bytes(o, CKA_MSTOKEN_PVT, ECCSI_POINT_LEN, NULL);
		kpak = attr_bytes(o, CKA_MSTOKEN_KPAK, ECCSI_POINT_LEN, NULL);
		id = attr_bytes(o, CKA_MSTOKEN_USER_ID, 0, &id_len);
		if (pvt == NULL || kpak == NULL || id == NULL || ssk_len != ECCSI_N)
			return CKR_KEY_TYPE_INCONSISTENT;
		rc = eccsi_signer_new(kpak, id, id_len, ssk, pvt, &es);
		if (rc != MST_OK) {
			p11_debug("ECCSI key %lu unusable: %s", (unsigned long)o->handle,
				  mst_strerror(rc));
			return rc == MST_ERR_NOMEM ? CKR_HOST_MEMORY : CKR_DEVICE_ERROR;
		}
		r = calloc(1, sizeof(*r));
		if (r == NULL) {
			eccsi_signer_free(es);
			return CKR_HOST_MEMORY;
		}
		r->signer = es;
		r->refs = 1;
		o->signer = r;
	}
	o->signer->refs++;
	*out = o->signer;
	return CKR_OK;
}

static CK_RV check_mech(CK_MECHANISM_PTR mech, int want_param)
{
	if (mech == NULL)
		return CKR_ARGUMENTS_BAD;
	if (mech->mechanism != CKM_MSTOKEN_ECCSI)
		return CKR_MECHANISM_INVALID;
	if (!want_param && (mech->pParameter != NULL || mech->ulParameterLen != 0))
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

CK_RV sign_init(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	p11_object *o;
	CK_RV rv;

	if (s->sign.active)
		return CKR_OPERATION_ACTIVE;
	rv = check_mech(mech, 0);
	if (rv == CKR_OK)
		rv = key_for_use(s, key, CKO_PRIVATE_KEY, CKK_MSTOKEN_ECCSI, CKA_SIGN, &o);
	if (rv == CKR_OK)
		rv = key_signer(o, &s->sign.signer);
	if (rv != CKR_OK)
		return rv;
	s->sign.active = 1;
	return CKR_OK;
}

void sign_op_end(p11_session *s)
{
	signer_ref_put(s->sign.signer);
	msgbuf_free(&s->sign.msg, &s->sign.len, &s->sign.cap);
	memset(&s->sign, 0, sizeof(s->sign));
}

/* A signature needs the user logged in at every step, not only at
 * C_SignInit (C_Logout also ends the operation: see login.c). */
static CK_RV sign_still_allowed(p11_session *s)
{
	if (!s->sign.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (s->slot->login != CKU_USER) {
		sign_op_end(s);
		return CKR_USER_NOT_LOGGED_IN;
	}
	return CKR_OK;
}

CK_RV sign_update(p11_session *s, CK_BYTE_PTR part, CK_ULONG len)
{
	CK_RV rv = sign_still_allowed(s);

	if (rv != CKR_OK)
		return rv;
	if (part == NULL && len != 0) {
		sign_op_end(s);
		return CKR_ARGUMENTS_BAD;
	}
	if (msgbuf_append(&s->sign.msg, &s->sign.len, &s->sign.cap, part, len,
			  SIGN_MAX_MESSAGE) != 0) {
		sign_op_end(s);
		return CKR_DATA_LEN_RANGE;
	}
	return CKR_OK;
}

CK_RV sign_final(p11_session *s, int single, CK_BYTE_PTR data, CK_ULONG data_len,
		 CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	p11_sign_op op;
	const uint8_t *msg;
	size_t msg_len;
	mst_rc rc;
	CK_RV rv = sign_still_allowed(s);

	if (rv != CKR_OK)
		return rv;
	if (sig_len == NULL || (single && data == NULL && data_len != 0)) {
		sign_op_end(s);
		return CKR_ARGUMENTS_BAD;
	}
	if (single && data_len > SIGN_MAX_MESSAGE) {
		sign_op_end(s);
		return CKR_DATA_LEN_RANGE;
	}
	/* PKCS#11 5.2: a length query or a short buffer keeps the operation */
	if (sig == NULL) {
		*sig_len = ECCSI_SIG_LEN;
		return CKR_OK;
	}
	if (*sig_len < ECCSI_SIG_LEN) {
		*sig_len = ECCSI_SIG_LEN;
		return CKR_BUFFER_TOO_SMALL;
	}
	/* Take the operation out of the session, then sign without the lock. */
	op = s->sign;
	memset(&s->sign, 0, sizeof(s->sign));
	msg = single ? data : op.msg;
	msg_len = single ? data_len : op.len;
	state_unlock();
	rc = eccsi_sign(op.signer->signer, msg ? msg : (const uint8_t *)"", msg_len, sig);
	state_lock();
	signer_ref_put(op.signer);
	msgbuf_free(&op.msg, &op.len, &op.cap);
	if (rc != MST_OK)
		return rv_from_mst(rc);
	*sig_len = ECCSI_SIG_LEN;
	return CKR_OK;
}

CK_RV verify_init(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	const CK_MSTOKEN_ECCSI_VERIFY_PARAMS *p;
	const p11_attr *kpak;
	const uint8_t *point;
	p11_object *o;
	CK_RV rv;

	if (s->verify.active)
		return CKR_OPERATION_ACTIVE;
	rv = check_mech(mech, 1);
	if (rv != CKR_OK)
		return rv;
	p = mech->pParameter;
	if (p == NULL || mech->ulParameterLen != sizeof(*p) || p->pIdentifier == NULL ||
	    p->ulIdentifierLen == 0 || p->ulIdentifierLen > IDENTITY_MAX_LEN)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = key_for_use(s, key, CKO_PUBLIC_KEY, CKK_MSTOKEN_ECCSI, CKA_VERIFY, &o);
	if (rv != CKR_OK)
		return rv;
	kpak = obj_attr(o, CKA_MSTOKEN_POINT);
	if (kpak == NULL || kpak->len != ECCSI_POINT_LEN)
		return CKR_KEY_TYPE_INCONSISTENT;
	point = kpak->value;
	/* with the user logged in, the sealed copy must vouch for the KPAK;
	 * before login only the clear record is there to read */
	if (s->slot->login == CKU_USER && (rv = obj_sealed_point(o, ECCSI_POINT_LEN, &point)) != CKR_OK)
		return rv;
	s->verify.id = malloc(p->ulIdentifierLen);
	if (s->verify.id == NULL)
		return CKR_HOST_MEMORY;
	memcpy(s->verify.id, p->pIdentifier, p->ulIdentifierLen);
	s->verify.id_len = p->ulIdentifierLen;
	memcpy(s->verify.kpak, point, ECCSI_POINT_LEN);
	s->verify.active = 1;
	return CKR_OK;
}

void verify_op_end(p11_session *s)
{
	free(s->verify.id);
	msgbuf_free(&s->verify.msg, &s->verify.len, &s->verify.cap);
	memset(&s->verify, 0, sizeof(s->verify));
}

CK_RV verify_update(p11_session *s, CK_BYTE_PTR part, CK_ULONG len)
{
	if (!s->verify.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	if ((part == NULL && len != 0) ||
	    msgbuf_append(&s->verify.msg, &s->verify.len, &s->verify.cap, part, len,
			  SIGN_MAX_MESSAGE) != 0) {
		verify_op_end(s);
		return part == NULL ? CKR_ARGUMENTS_BAD : CKR_DATA_LEN_RANGE;
	}
	return CKR_OK;
}

CK_RV verify_final(p11_session *s, int single, CK_BYTE_PTR data, CK_ULONG data_len,
		   CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	p11_verify_op op;
	const uint8_t *msg;
	size_t msg_len;
	mst_rc rc;

	if (!s->verify.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	op = s->verify;
	memset(&s->verify, 0, sizeof(s->verify));
	if (sig == NULL || (single && data == NULL && data_len != 0)) {
		rc = MST_ERR_ARGS;
	} else if (sig_len != ECCSI_SIG_LEN) {
		free(op.id);
		msgbuf_free(&op.msg, &op.len, &op.cap);
		return CKR_SIGNATURE_LEN_RANGE;
	} else {
		msg = single ? data : op.msg;
		msg_len = single ? data_len : op.len;
		state_unlock();
		rc = eccsi_verify(op.kpak, op.id, op.id_len, msg ? msg : (const uint8_t *)"",
				  msg_len, sig);
		state_lock();
	}
	free(op.id);
	msgbuf_free(&op.msg, &op.len, &op.cap);
	switch (rc) {
	case MST_OK:
		return CKR_OK;
	case MST_ERR_ARGS:
		return CKR_ARGUMENTS_BAD;
	case MST_ERR_BAD_SIGNATURE:
	case MST_ERR_BAD_POINT:
	case MST_ERR_BAD_SCALAR:
		return CKR_SIGNATURE_INVALID;
	default:
		return rv_from_mst(rc);
	}
}
