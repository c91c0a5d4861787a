/* pkcs11/import.h - KMS provisioning through C_CreateObject.
 *
 * A CKO_DATA object whose CKA_APPLICATION is "3GPP KmsCertificate" or
 * "3GPP KmsKeySet" and whose CKA_VALUE is the XML (bare or in a
 * KmsResponse) is imported.  Who may import what (DESIGN "Key isolation
 * rules": trust is the SO's):
 *  - a certificate makes a CKA_TRUSTED key, so it needs an SO session;
 *    any other session answers CKR_USER_NOT_LOGGED_IN (the appropriate
 *    user, the SO, is not logged in) and stores nothing;
 *  - a key set (private keys, sealed records) needs a user session
 *    (CKR_USER_NOT_LOGGED_IN otherwise).
 *  - certificate: the data object, plus two public key objects of the
 *    community: CKK_MSTOKEN_ECCSI (KPAK, CKA_VERIFY) and CKK_MSTOKEN_SAKKE
 *    (Z_T, CKA_WRAP, CKA_TRUSTED);
 *  - key set: validated against the community with the
 *    same KMS URI, then the data object (secret elements emptied), an ECCSI
 *    private key (CKA_ID UserID||01) and a SAKKE private key (UserID||02).
 * Return codes: CKR_ATTRIBUTE_VALUE_INVALID for XML that does not parse,
 * keys that do not validate, or a set/community already in the token;
 * CKR_DOMAIN_PARAMS_INVALID when the key set's community (KMS URI) is not
 * in the token.  Either everything is stored or nothing.
 */
#ifndef MST_P11_IMPORT_H
#define MST_P11_IMPORT_H

#include "pkcs11/p11.h"

int import_requested(const CK_ATTRIBUTE *t, CK_ULONG n);
CK_RV import_create(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out);

#endif
