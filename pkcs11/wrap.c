/* pkcs11/wrap.c - SAKKE encapsulation and decapsulation (RFC 6508 6.2).
 *
 * Wrap: the wrapping key is a community's SAKKE public key (Z_T), the
 * recipient's identifier is the mechanism parameter, the wrapped key a
 * 16-octet secret.  A non-extractable secret may be encapsulated only when
 * it is CKA_WRAP_WITH_TRUSTED and Z_T is CKA_TRUSTED (set by a
 * KmsCertificate import alone): SAKKE then leaves it readable by a
 * provisioned identity only.  Every other wrap of it is
 * CKR_KEY_UNEXTRACTABLE.  Trust is proven by Z_T's sealed copy of its
 * point (public records are kept in clear in the backing store).
 * Unwrap: the key is our SAKKE private key (RSK); b is its UserID and Z
 * the community key recorded with it.  The pairing runs without the
 * module lock, on a private copy of the RSK.  The new key is sensitive and
 * never extractable (secretkey.c): encapsulating a key to one's own
 * identity and unwrapping it cannot turn it readable.
 */
#include "config.h"
#include "pkcs11/wrap.h"

#include <string.h>

#include "pkcs11/attrs.h"
#include "pkcs11/debug.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"
#include "pkcs11/secretkey.h"
#include "pkcs11/session.h"
#include "pkcs11/state.h"
#include "token/identity.h"
#include "token/sakke.h"
#include "token/secmem.h"

static CK_RV wrap_params(CK_MECHANISM_PTR mech, const CK_MSTOKEN_SAKKE_WRAP_PARAMS **out)
{
	const CK_MSTOKEN_SAKKE_WRAP_PARAMS *p;

	if (mech == NULL)
		return CKR_ARGUMENTS_BAD;
	if (mech->mechanism != CKM_MSTOKEN_SAKKE)
		return CKR_MECHANISM_INVALID;
	p = mech->pParameter;
	if (p == NULL || mech->ulParameterLen != sizeof(*p) || p->pIdentifier == NULL ||
	    p->ulIdentifierLen == 0 || p->ulIdentifierLen > IDENTITY_MAX_LEN)
		return CKR_MECHANISM_PARAM_INVALID;
	*out = p;
	return CKR_OK;
}

/* Trusted: CKA_TRUSTED and a sealed copy of the point that opens and
 * equals the clear one (a record forged or edited in the backing store
 * has neither).  The point to encapsulate under is the sealed copy then. */
static int trusted_point(p11_object *z, const uint8_t **point)
{
	return obj_bool(z, CKA_TRUSTED) && obj_sealed_point(z, SAKKE_POINT_LEN, point) == CKR_OK;
}

/* The PKCS#11 wrapping rules, with the SAKKE exception above. */
static CK_RV may_wrap(int trusted, const p11_object *key)
{
	int wwt = obj_bool(key, CKA_WRAP_WITH_TRUSTED);

	if (key->cls != CKO_SECRET_KEY)
		return CKR_KEY_NOT_WRAPPABLE;
	if (wwt && !trusted)
		return CKR_KEY_NOT_WRAPPABLE;
	if (!obj_bool(key, CKA_EXTRACTABLE) && !(wwt && trusted))
		return CKR_KEY_UNEXTRACTABLE;
	return CKR_OK;
}

CK_RV wrap_wrap(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE wrapping,
		CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	const CK_MSTOKEN_SAKKE_WRAP_PARAMS *p;
	const p11_attr *zpub;
	const uint8_t *point;
	p11_object *z, *k;
	const uint8_t *ssv;
	size_t ssv_len;
	CK_RV rv;
	mst_rc rc;

	if (out_len == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = wrap_params(mech, &p);
	if (rv != CKR_OK)
		return rv;
	rv = key_for_use(s, wrapping, CKO_PUBLIC_KEY, CKK_MSTOKEN_SAKKE, CKA_WRAP, &z);
	if (rv == CKR_KEY_HANDLE_INVALID)
		return CKR_WRAPPING_KEY_HANDLE_INVALID;
	if (rv == CKR_KEY_TYPE_INCONSISTENT)
		return CKR_WRAPPING_KEY_TYPE_INCONSISTENT;
	if (rv != CKR_OK)
		return rv;
	zpub = obj_attr(z, CKA_MSTOKEN_POINT);
	if (zpub == NULL || zpub->len != SAKKE_POINT_LEN)
		return CKR_WRAPPING_KEY_TYPE_INCONSISTENT;
	if (object_lookup(s, key, &k) != CKR_OK)
		return CKR_KEY_HANDLE_INVALID;
	point = zpub->value;
	rv = may_wrap(trusted_point(z, &point), k);
	if (rv != CKR_OK)
		return rv;
	if (obj_ulong(k, CKA_VALUE_LEN, 0) != SAKKE_SSV_LEN)
		return CKR_KEY_SIZE_RANGE;
	if (out == NULL) {
		*out_len = SAKKE_ENCAP_LEN;
		return CKR_OK;
	}
	if (*out_len < SAKKE_ENCAP_LEN) {
		*out_len = SAKKE_ENCAP_LEN;
		return CKR_BUFFER_TOO_SMALL;
	}
	rv = obj_secret(k, &ssv, &ssv_len);
	if (rv != CKR_OK)
		return rv;
	if (ssv_len != SAKKE_SSV_LEN)
		return CKR_KEY_SIZE_RANGE;
	/* Encapsulation (milliseconds) runs without the module lock, so that
	 * the sessions of a group offer encapsulate on every core: the point
	 * and the SSV are copied first (another session may destroy the
	 * objects meanwhile), as decapsulation does below. */
	{
		uint8_t zcopy[SAKKE_POINT_LEN];
		uint8_t *ssv_copy = secmem_alloc(SAKKE_SSV_LEN);

		if (ssv_copy == NULL)
			return CKR_HOST_MEMORY;
		memcpy(zcopy, point, sizeof zcopy);
		memcpy(ssv_copy, ssv, SAKKE_SSV_LEN);
		state_unlock();
		rc = sakke_encapsulate(zcopy, p->pIdentifier, p->ulIdentifierLen, ssv_copy, out);
		state_lock();
		secmem_free(ssv_copy);
	}
	if (rc != MST_OK) {
		p11_debug("SAKKE encapsulation: %s", mst_strerror(rc));
		return rc == MST_ERR_BAD_POINT ? CKR_WRAPPING_KEY_TYPE_INCONSISTENT : rv_from_mst(rc);
	}
	*out_len = SAKKE_ENCAP_LEN;
	return CKR_OK;
}

/* What decapsulation needs, copied so the lock can be released. */
typedef struct {
	uint8_t z[SAKKE_POINT_LEN];
	uint8_t id[IDENTITY_MAX_LEN];
	size_t id_len;
	uint8_t rsk[SAKKE_POINT_LEN];
} decap_input;

static CK_RV gather(p11_object *k, decap_input *in)
{
	const p11_attr *z = obj_attr(k, CKA_MSTOKEN_Z), *id = obj_attr(k, CKA_MSTOKEN_USER_ID);
	const uint8_t *rsk;
	size_t rsk_len;
	CK_RV rv;

	if (z == NULL || z->len != SAKKE_POINT_LEN || id == NULL || id->len == 0 ||
	    id->len > IDENTITY_MAX_LEN)
		return CKR_KEY_TYPE_INCONSISTENT;
	rv = obj_secret(k, &rsk, &rsk_len);
	if (rv != CKR_OK)
		return rv;
	if (rsk_len != SAKKE_POINT_LEN)
		return CKR_DEVICE_ERROR;
	memcpy(in->z, z->value, SAKKE_POINT_LEN);
	memcpy(in->id, id->value, id->len);
	in->id_len = id->len;
	memcpy(in->rsk, rsk, SAKKE_POINT_LEN);
	return CKR_OK;
}

CK_RV wrap_unwrap(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE unwrapping,
		  CK_BYTE_PTR in, CK_ULONG in_len, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		  CK_OBJECT_HANDLE_PTR out)
{
	decap_input *di;
	uint8_t ssv[SAKKE_SSV_LEN];
	CK_SESSION_HANDLE sh = s->handle;
	p11_object *k;
	CK_RV rv;
	mst_rc rc;

	if (mech == NULL || out == NULL || (in == NULL && in_len != 0))
		return CKR_ARGUMENTS_BAD;
	rv = attrs_template_ok(t, n);
	if (rv != CKR_OK)
		return rv;
	if (mech->mechanism != CKM_MSTOKEN_SAKKE)
		return CKR_MECHANISM_INVALID;
	if (mech->pParameter != NULL || mech->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = key_for_use(s, unwrapping, CKO_PRIVATE_KEY, CKK_MSTOKEN_SAKKE, CKA_UNWRAP, &k);
	if (rv == CKR_KEY_HANDLE_INVALID)
		return CKR_UNWRAPPING_KEY_HANDLE_INVALID;
	if (rv == CKR_KEY_TYPE_INCONSISTENT)
		return CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT;
	if (rv != CKR_OK)
		return rv;
	if (in_len != SAKKE_ENCAP_LEN)
		return CKR_WRAPPED_KEY_LEN_RANGE;
	rv = secret_template_check(t, n, SAKKE_SSV_LEN, SECRET_UNWRAPPED, CKM_MSTOKEN_SAKKE);
	if (rv != CKR_OK)
		return rv;
	di = secmem_alloc(sizeof(*di));
	if (di == NULL)
		return CKR_HOST_MEMORY;
	rv = gather(k, di);
	if (rv != CKR_OK) {
		secmem_free(di);
		return rv;
	}
	state_unlock();
	rc = sakke_decapsulate(di->z, di->id, di->id_len, di->rsk, in, ssv);
	state_lock();
	secmem_free(di);
	if (rc != MST_OK) {
		secure_wipe(ssv, sizeof(ssv));
		p11_debug("SAKKE decapsulation: %s", mst_strerror(rc));
		if (rc == MST_ERR_DECAPSULATE || rc == MST_ERR_BAD_POINT)
			return CKR_WRAPPED_KEY_INVALID;
		return rv_from_mst(rc);
	}
	/* the session may have gone while the lock was released */
	if (session_find(sh, &s) == CKR_OK)
		rv = secret_key_create(s, t, n, ssv, sizeof(ssv), SECRET_UNWRAPPED, CKM_MSTOKEN_SAKKE,
				       NULL, out);
	else
		rv = CKR_SESSION_CLOSED;
	secure_wipe(ssv, sizeof(ssv));
	return rv;
}
