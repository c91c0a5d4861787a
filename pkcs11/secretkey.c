/* pkcs11/secretkey.c - secret key objects born in the token.
 *
 * Key isolation (DESIGN.md): a secret the token makes by generation or
 * unwrapping (an SSV, a GMK) is sensitive and never extractable, whatever
 * the template asks (CKR_TEMPLATE_INCONSISTENT otherwise), and by default
 * CKA_WRAP_WITH_TRUSTED, so its only way out is SAKKE encapsulation under
 * a trusted community key (see wrap.c) - and what that encapsulation
 * carries comes back unreadable when unwrapped, even by its own sender.
 * Only the outputs of CKM_MSTOKEN_MIKEY_PRF (SRTP master keys and salts,
 * which the media engine must hold) may be readable.
 */
#include "config.h"
#include "pkcs11/secretkey.h"

#include "pkcs11/attrs.h"
#include "pkcs11/object.h"
#include "pkcs11/objops.h"

/* Only a MIKEY PRF output may be non-sensitive or extractable. */
static int may_be_readable(secret_origin origin, CK_MECHANISM_TYPE mech)
{
	return origin == SECRET_DERIVED && mech == CKM_MSTOKEN_MIKEY_PRF;
}

CK_RV secret_template_check(const CK_ATTRIBUTE *t, CK_ULONG n, size_t len, secret_origin origin,
			    CK_MECHANISM_TYPE mech)
{
	CK_ULONG v;
	CK_RV rv = attrs_check(CKO_SECRET_KEY, t, n, ACTX_GENERATE, NULL);

	if (rv != CKR_OK)
		return rv;
	rv = attrs_ulong(t, n, CKA_CLASS, &v);
	if (rv == CKR_OK && v != CKO_SECRET_KEY)
		return CKR_TEMPLATE_INCONSISTENT;
	rv = attrs_ulong(t, n, CKA_KEY_TYPE, &v);
	if (rv == CKR_OK && v != CKK_GENERIC_SECRET)
		return CKR_TEMPLATE_INCONSISTENT;
	rv = attrs_ulong(t, n, CKA_VALUE_LEN, &v);
	if (rv == CKR_OK && v != len)
		return CKR_TEMPLATE_INCONSISTENT;
	if (!attrs_bool(t, n, CKA_PRIVATE, 1))
		return CKR_TEMPLATE_INCONSISTENT;
	if (!may_be_readable(origin, mech) &&
	    (!attrs_bool(t, n, CKA_SENSITIVE, 1) || attrs_bool(t, n, CKA_EXTRACTABLE, 0)))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

static CK_RV set_origin(p11_object *o, secret_origin origin, CK_MECHANISM_TYPE mech,
			const p11_object *base)
{
	int sens = obj_bool(o, CKA_SENSITIVE), extr = obj_bool(o, CKA_EXTRACTABLE);
	int always = 0, never = 0;
	CK_RV rv;

	switch (origin) {
	case SECRET_GENERATED:
		always = sens;
		never = !extr;
		break;
	case SECRET_DERIVED:
		always = sens && obj_bool(base, CKA_ALWAYS_SENSITIVE);
		never = !extr && obj_bool(base, CKA_NEVER_EXTRACTABLE);
		break;
	case SECRET_UNWRAPPED:  /* it existed outside the token */
		break;
	}
	rv = obj_set_bool(o, CKA_ALWAYS_SENSITIVE, always);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_NEVER_EXTRACTABLE, never);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_LOCAL, origin == SECRET_GENERATED);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_KEY_GEN_MECHANISM,
				   origin == SECRET_GENERATED ? mech : CK_UNAVAILABLE_INFORMATION);
	return rv;
}

CK_RV secret_key_create(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			const uint8_t *value, size_t len, secret_origin origin,
			CK_MECHANISM_TYPE mech, const p11_object *base, CK_OBJECT_HANDLE_PTR out)
{
	p11_object *o;
	CK_RV rv;

	rv = objops_may_write(s, attrs_bool(t, n, CKA_TOKEN, 0), 1);
	if (rv != CKR_OK)
		return rv;
	o = object_new(s->slot, CKO_SECRET_KEY);
	if (o == NULL)
		return CKR_HOST_MEMORY;
	rv = obj_set_ulong(o, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_DERIVE, 1);
	if (rv == CKR_OK)
		rv = obj_set_bool(o, CKA_WRAP_WITH_TRUSTED, 1);
	if (rv == CKR_OK)
		rv = attrs_apply(o, t, n);
	if (rv == CKR_OK)
		rv = obj_set_ulong(o, CKA_VALUE_LEN, len);
	if (rv == CKR_OK)
		rv = obj_set_secret(o, value, len);
	if (rv == CKR_OK)
		rv = attrs_defaults(o);
	if (rv == CKR_OK)
		rv = set_origin(o, origin, mech, base);
	/* the rule above, on the object as made, whatever path led here */
	if (rv == CKR_OK && !may_be_readable(origin, mech) &&
	    (!obj_bool(o, CKA_SENSITIVE) || obj_bool(o, CKA_EXTRACTABLE)))
		rv = CKR_TEMPLATE_INCONSISTENT;
	if (rv != CKR_OK) {
		object_free(o);
		return rv;
	}
	return objops_commit(s, o, out);
}
