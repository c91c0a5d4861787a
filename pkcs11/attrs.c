/* pkcs11/attrs.c - the one attribute table and the rules built on it. */
#include "config.h"
#include "pkcs11/attrs.h"

#include <string.h>

#include "pkcs11/object.h"

/* object classes as bits */
#define D  1u   /* CKO_DATA */
#define K  2u   /* CKO_SECRET_KEY */
#define U  4u   /* CKO_PUBLIC_KEY */
#define P  8u   /* CKO_PRIVATE_KEY */
#define ALL (D | K | U | P)
#define KEYS (K | U | P)

/* who may set / change */
#define F_CREATE   0x01u  /* in a C_CreateObject template */
#define F_GEN      0x02u  /* in a C_GenerateKey/UnwrapKey/DeriveKey template */
#define F_MODIFY   0x04u  /* by C_SetAttributeValue and C_CopyObject */
#define F_COPY     0x08u  /* by C_CopyObject only */
#define F_SECRET   0x10u  /* the key value: kept apart, readable only if allowed */
#define F_UP_ONLY  0x20u  /* a bool that may change only FALSE -> TRUE */
#define F_DOWN_ONLY 0x40u /* a bool that may change only TRUE -> FALSE */
#define CG (F_CREATE | F_GEN)
#define CGM (F_CREATE | F_GEN | F_MODIFY)

typedef enum { T_BOOL, T_ULONG, T_BYTES } attr_kind;

#define NO_DEFAULT 0
#define HAS_DEFAULT 1

typedef struct {
	CK_ATTRIBUTE_TYPE type;
	unsigned classes;
	attr_kind kind;
	unsigned flags;
	int has_default;
	CK_ULONG dflt;     /* bool 0/1 or ulong; bytes default to empty */
} attr_rule;

static const attr_rule rules[] = {
	/* common to every object */
	{ CKA_CLASS, ALL, T_ULONG, CG, NO_DEFAULT, 0 },
	{ CKA_TOKEN, ALL, T_BOOL, CG | F_COPY, HAS_DEFAULT, CK_FALSE },
	{ CKA_PRIVATE, D | U, T_BOOL, CG | F_COPY, HAS_DEFAULT, CK_FALSE },
	/* key values are always private objects (see secretkey.c) */
	{ CKA_PRIVATE, K | P, T_BOOL, CG, HAS_DEFAULT, CK_TRUE },
	{ CKA_MODIFIABLE, ALL, T_BOOL, CG | F_COPY, HAS_DEFAULT, CK_TRUE },
	{ CKA_COPYABLE, ALL, T_BOOL, CGM | F_DOWN_ONLY, HAS_DEFAULT, CK_TRUE },
	{ CKA_DESTROYABLE, ALL, T_BOOL, CGM, HAS_DEFAULT, CK_TRUE },
	{ CKA_LABEL, ALL, T_BYTES, CGM, HAS_DEFAULT, 0 },
	/* data objects */
	{ CKA_APPLICATION, D, T_BYTES, CGM, HAS_DEFAULT, 0 },
	{ CKA_OBJECT_ID, D, T_BYTES, CGM, HAS_DEFAULT, 0 },
	{ CKA_VALUE, D, T_BYTES, CGM, HAS_DEFAULT, 0 },
	/* every key */
	{ CKA_KEY_TYPE, KEYS, T_ULONG, CG, NO_DEFAULT, 0 },
	{ CKA_ID, KEYS, T_BYTES, CGM, HAS_DEFAULT, 0 },
	{ CKA_START_DATE, KEYS, T_BYTES, CGM, HAS_DEFAULT, 0 },
	{ CKA_END_DATE, KEYS, T_BYTES, CGM, HAS_DEFAULT, 0 },
	{ CKA_DERIVE, KEYS, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	{ CKA_LOCAL, KEYS, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	{ CKA_KEY_GEN_MECHANISM, KEYS, T_ULONG, 0, HAS_DEFAULT, CK_UNAVAILABLE_INFORMATION },
	/* keys with a secret value */
	{ CKA_VALUE, K, T_BYTES, F_CREATE | F_SECRET, NO_DEFAULT, 0 },
	{ CKA_VALUE, P, T_BYTES, F_SECRET, NO_DEFAULT, 0 },
	{ CKA_VALUE_LEN, K, T_ULONG, F_GEN, NO_DEFAULT, 0 },
	{ CKA_SENSITIVE, K | P, T_BOOL, CGM | F_UP_ONLY, HAS_DEFAULT, CK_TRUE },
	{ CKA_EXTRACTABLE, K | P, T_BOOL, CGM | F_DOWN_ONLY, HAS_DEFAULT, CK_FALSE },
	{ CKA_ALWAYS_SENSITIVE, K | P, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	{ CKA_NEVER_EXTRACTABLE, K | P, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	{ CKA_WRAP_WITH_TRUSTED, K | P, T_BOOL, CGM | F_UP_ONLY, HAS_DEFAULT, CK_FALSE },
	{ CKA_DECRYPT, K | P, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	{ CKA_SIGN, K | P, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	{ CKA_UNWRAP, K | P, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	{ CKA_ENCRYPT, K | U, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	{ CKA_VERIFY, K | U, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	{ CKA_WRAP, K | U, T_BOOL, CGM, HAS_DEFAULT, CK_FALSE },
	/* only a KmsCertificate import makes a trusted key */
	{ CKA_TRUSTED, K | U, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	{ CKA_SUBJECT, U | P, T_BYTES, 0, HAS_DEFAULT, 0 },
	{ CKA_SIGN_RECOVER, P, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	{ CKA_ALWAYS_AUTHENTICATE, P, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	{ CKA_VERIFY_RECOVER, U, T_BOOL, 0, HAS_DEFAULT, CK_FALSE },
	/* vendor attributes, set by import only */
	{ CKA_MSTOKEN_KMS_URI, U | P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_USER_ID_FORMAT, U, T_ULONG, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_KEY_PERIOD, U, T_ULONG, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_KEY_OFFSET, U, T_ULONG, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_POINT, U, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_USER_URI, P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_USER_ID, P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_KEY_PERIOD_NO, P, T_ULONG, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_VALID_FROM, P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_VALID_TO, P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_PVT, P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_KPAK, P, T_BYTES, 0, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_Z, P, T_BYTES, 0, NO_DEFAULT, 0 },
	/* KMS transport and integrity keys (kmskey.c): their user is given */
	{ CKA_MSTOKEN_USER_URI, K, T_BYTES, F_CREATE, NO_DEFAULT, 0 },
	{ CKA_MSTOKEN_KMS_LAST, K, T_BYTES, 0, NO_DEFAULT, 0 },
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static unsigned class_bit(CK_OBJECT_CLASS cls)
{
	switch (cls) {
	case CKO_DATA: return D;
	case CKO_SECRET_KEY: return K;
	case CKO_PUBLIC_KEY: return U;
	case CKO_PRIVATE_KEY: return P;
	default: return 0;
	}
}

static const attr_rule *rule_for(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type)
{
	unsigned bit = class_bit(cls);
	size_t i;

	for (i = 0; i < N_RULES; i++)
		if (rules[i].type == type && (rules[i].classes & bit))
			return &rules[i];
	return NULL;
}

static int well_formed(const attr_rule *r, const CK_ATTRIBUTE *a)
{
	if (a->pValue == NULL && a->ulValueLen != 0)
		return 0;
	switch (r->kind) {
	case T_BOOL:
		return a->ulValueLen == sizeof(CK_BBOOL) &&
		       *(const CK_BBOOL *)a->pValue <= CK_TRUE;
	case T_ULONG:
		return a->ulValueLen == sizeof(CK_ULONG);
	default:
		return 1;
	}
}

static unsigned allowed_flags(attr_ctx ctx)
{
	switch (ctx) {
	case ACTX_CREATE: return F_CREATE;
	case ACTX_GENERATE: return F_GEN;
	case ACTX_MODIFY: return F_MODIFY;
	default: return F_MODIFY | F_COPY;
	}
}

/* A change of a one-way bool against the object's current value. */
static int one_way_ok(const attr_rule *r, const CK_ATTRIBUTE *a, const p11_object *o)
{
	int cur, want;

	/* only a one-way bool's value may be read here (well_formed made it
	 * one octet): other values may be empty, pValue NULL */
	if (o == NULL || !(r->flags & (F_UP_ONLY | F_DOWN_ONLY)))
		return 1;
	want = *(const CK_BBOOL *)a->pValue == CK_TRUE;
	cur = obj_bool(o, a->type);
	if (r->flags & F_UP_ONLY)
		return want || !cur;
	return !want || cur;
}

CK_RV attrs_template_ok(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;

	if (t == NULL && n != 0)
		return CKR_ARGUMENTS_BAD;
	/* (CK_ULONG)-1 is what a failed C_GetAttributeValue leaves in the
	 * length: a template reused after one must not make us copy that */
	for (i = 0; i < n; i++)
		if ((t[i].pValue == NULL && t[i].ulValueLen != 0) ||
		    t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
			return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

CK_RV attrs_check(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *t, CK_ULONG n, attr_ctx ctx,
		  const p11_object *o)
{
	unsigned allowed = allowed_flags(ctx);
	CK_ULONG i, j;
	CK_RV rv = attrs_template_ok(t, n);

	if (rv != CKR_OK)
		return rv;
	for (i = 0; i < n; i++) {
		const attr_rule *r = rule_for(cls, t[i].type);

		if (r == NULL)
			return CKR_ATTRIBUTE_TYPE_INVALID;
		for (j = 0; j < i; j++)
			if (t[j].type == t[i].type)
				return CKR_TEMPLATE_INCONSISTENT;
		if (!well_formed(r, &t[i]))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (t[i].type == CKA_CLASS && ctx != ACTX_MODIFY && ctx != ACTX_COPY)
			continue;
		if (!(r->flags & allowed))
			return CKR_ATTRIBUTE_READ_ONLY;
		if (!one_way_ok(r, &t[i], o))
			return CKR_ATTRIBUTE_READ_ONLY;
	}
	return CKR_OK;
}

CK_RV attrs_apply(p11_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < n && rv == CKR_OK; i++) {
		const attr_rule *r = rule_for(o->cls, t[i].type);

		if (t[i].type == CKA_CLASS || r == NULL)
			continue;
		if (r->flags & F_SECRET)
			rv = obj_set_secret(o, t[i].pValue, t[i].ulValueLen);
		else
			rv = obj_set(o, t[i].type, t[i].pValue, t[i].ulValueLen);
	}
	return rv;
}

CK_RV attrs_defaults(p11_object *o)
{
	unsigned bit = class_bit(o->cls);
	size_t i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < N_RULES && rv == CKR_OK; i++) {
		const attr_rule *r = &rules[i];

		if (!(r->classes & bit) || !r->has_default || obj_attr(o, r->type) != NULL)
			continue;
		if (r->kind == T_BOOL)
			rv = obj_set_bool(o, r->type, r->dflt == CK_TRUE);
		else if (r->kind == T_ULONG)
			rv = obj_set_ulong(o, r->type, r->dflt);
		else
			rv = obj_set(o, r->type, "", 0);
	}
	return rv;
}

/* The key value may be read only for a secret key that is neither
 * sensitive nor unextractable (PKCS#11 2.40 4.10); never for a private key. */
static int value_readable(const p11_object *o)
{
	return o->cls == CKO_SECRET_KEY && !obj_bool(o, CKA_SENSITIVE) &&
	       obj_bool(o, CKA_EXTRACTABLE);
}

static CK_RV read_one(p11_object *o, CK_ATTRIBUTE_PTR a)
{
	const attr_rule *r = rule_for(o->cls, a->type);
	const uint8_t *v;
	size_t len;
	CK_RV rv;

	if (a->type == CKA_CLASS) {
		v = (const uint8_t *)&o->cls;
		len = sizeof(o->cls);
	} else if (r == NULL) {
		a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		return CKR_ATTRIBUTE_TYPE_INVALID;
	} else if (r->flags & F_SECRET) {
		if (!value_readable(o)) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			return CKR_ATTRIBUTE_SENSITIVE;
		}
		rv = obj_secret(o, &v, &len);
		if (rv != CKR_OK) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			return rv;
		}
	} else {
		const p11_attr *s = obj_attr(o, a->type);

		if (s == NULL) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			return CKR_ATTRIBUTE_TYPE_INVALID;
		}
		v = s->value;
		len = s->len;
	}
	if (a->pValue == NULL) {
		a->ulValueLen = len;
		return CKR_OK;
	}
	if (a->ulValueLen < len) {
		a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (len)
		memcpy(a->pValue, v, len);
	a->ulValueLen = len;
	return CKR_OK;
}

CK_RV attrs_read(p11_object *o, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	CK_RV rv = CKR_OK;
	CK_ULONG i;

	if (t == NULL && n != 0)
		return CKR_ARGUMENTS_BAD;
	/* every attribute is processed; the answer names one failure, the
	 * hard ones (device) before those PKCS#11 lets pile up */
	for (i = 0; i < n; i++) {
		CK_RV r = read_one(o, &t[i]);

		if (r == CKR_OK)
			continue;
		if (r != CKR_ATTRIBUTE_SENSITIVE && r != CKR_ATTRIBUTE_TYPE_INVALID &&
		    r != CKR_BUFFER_TOO_SMALL)
			return r;
		if (rv == CKR_OK)
			rv = r;
	}
	return rv;
}

int attrs_match(const p11_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		const p11_attr *a;

		/* find_init refuses such a template; never compare with NULL */
		if (t[i].pValue == NULL && t[i].ulValueLen != 0)
			return 0;

		if (t[i].type == CKA_CLASS) {
			if (t[i].ulValueLen != sizeof(CK_OBJECT_CLASS) || t[i].pValue == NULL ||
			    *(const CK_OBJECT_CLASS *)t[i].pValue != o->cls)
				return 0;
			continue;
		}
		a = obj_attr(o, t[i].type);
		if (a == NULL || a->len != t[i].ulValueLen ||
		    (a->len && memcmp(a->value, t[i].pValue, a->len) != 0))
			return 0;
	}
	return 1;
}

const CK_ATTRIBUTE *attrs_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; t != NULL && i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

int attrs_bool(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, int dflt)
{
	const CK_ATTRIBUTE *a = attrs_find(t, n, type);

	if (a == NULL || a->pValue == NULL || a->ulValueLen != sizeof(CK_BBOOL))
		return dflt;
	return *(const CK_BBOOL *)a->pValue == CK_TRUE;
}

CK_RV attrs_ulong(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
	const CK_ATTRIBUTE *a = attrs_find(t, n, type);

	if (a == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	memcpy(v, a->pValue, sizeof(*v));
	return CKR_OK;
}
