/* pkcs11/attrs.h - the attribute table: for each attribute of each object
 * class, who may set it at creation, who may change it later, whether it
 * can be read, and its default.  Every template goes through here. */
#ifndef MST_P11_ATTRS_H
#define MST_P11_ATTRS_H

#include "pkcs11/p11.h"

typedef enum {
	ACTX_CREATE,    /* C_CreateObject */
	ACTX_GENERATE,  /* C_GenerateKey, C_UnwrapKey, C_DeriveKey */
	ACTX_MODIFY,    /* C_SetAttributeValue */
	ACTX_COPY,      /* C_CopyObject */
} attr_ctx;

/* Every template a function takes goes through here first (attrs_check
 * does): a NULL template with n != 0 is CKR_ARGUMENTS_BAD, an attribute
 * with pValue NULL and a non-zero ulValueLen, or a ulValueLen of
 * CK_UNAVAILABLE_INFORMATION, CKR_ATTRIBUTE_VALUE_INVALID.
 * (C_GetAttributeValue is the exception: there a NULL pValue asks for the
 * length, PKCS#11 2.40 5.7.) */
CK_RV attrs_template_ok(const CK_ATTRIBUTE *t, CK_ULONG n);
/* Known for the class, allowed in the context, well formed, not repeated:
 * else CKR_ATTRIBUTE_TYPE_INVALID, CKR_ATTRIBUTE_READ_ONLY,
 * CKR_ATTRIBUTE_VALUE_INVALID or CKR_TEMPLATE_INCONSISTENT.  For
 * ACTX_MODIFY/COPY, o is the object (one-way attributes are checked
 * against it: CKA_SENSITIVE and CKA_WRAP_WITH_TRUSTED only become TRUE,
 * CKA_EXTRACTABLE and CKA_COPYABLE only FALSE). */
CK_RV attrs_check(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *t, CK_ULONG n, attr_ctx ctx,
		  const p11_object *o);
/* Copy the template into the object (CKA_VALUE of a key becomes its key
 * value); CKA_CLASS is skipped. */
CK_RV attrs_apply(p11_object *o, const CK_ATTRIBUTE *t, CK_ULONG n);
/* Add every missing attribute that has a default for the object's class. */
CK_RV attrs_defaults(p11_object *o);
/* C_GetAttributeValue semantics (PKCS#11 2.40 5.7). */
CK_RV attrs_read(p11_object *o, CK_ATTRIBUTE_PTR t, CK_ULONG n);
/* All template attributes equal the object's (C_FindObjects). */
int attrs_match(const p11_object *o, const CK_ATTRIBUTE *t, CK_ULONG n);

const CK_ATTRIBUTE *attrs_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type);
/* A CK_BBOOL of the template, dflt when absent. */
int attrs_bool(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, int dflt);
/* A CK_ULONG of the template: CKR_OK, or CKR_TEMPLATE_INCOMPLETE when absent. */
CK_RV attrs_ulong(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, CK_ULONG *v);

#endif
