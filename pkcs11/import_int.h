/* pkcs11/import_int.h - the parts of a KMS import shared by the plain
 * (import.c) and the signed-response (import_kms.c) paths. */
#ifndef MST_P11_IMPORT_INT_H
#define MST_P11_IMPORT_INT_H

#include "pkcs11/p11.h"
#include "token/kmsxml.h"

/* Store every object (token ones into the keystore) or none, then make
 * them visible; *out is objs[0]'s handle.  The objects are freed on
 * failure. */
CK_RV import_commit_all(p11_session *s, p11_object **objs, size_t n, CK_OBJECT_HANDLE_PTR out);
/* objs[0..2]: the data object (template) and the community's KPAK and Z_T
 * keys, after the certificate's checks; not linked (free them on failure). */
CK_RV import_community_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			       const kms_certificate *cert, p11_object **objs);
/* objs[0..2]: the data object (value kept), the ECCSI and SAKKE private
 * keys of a key set validated against its community; not linked. */
CK_RV import_keyset_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			    const kms_keyset *ks, const char *kept, size_t kept_len,
			    p11_object **objs);
/* A SignedKmsResponse (import_kms.c); keyset: the data object's
 * CKA_APPLICATION is "3GPP KmsKeySet" (else "3GPP KmsCertificate"). */
CK_RV import_kms_response(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			  const CK_ATTRIBUTE *xml, int keyset, CK_OBJECT_HANDLE_PTR out);

#endif
