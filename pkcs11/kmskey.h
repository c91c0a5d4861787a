/* pkcs11/kmskey.h - the KMS transport and integrity keys (TrK, InK; TS 33.180
 * Annex D) as token objects.
 *
 * CKO_SECRET_KEY of key type CKK_MSTOKEN_KMS_TRK / CKK_MSTOKEN_KMS_INK,
 * CKA_ID = the key's ID (the ds:KeyName the KMS uses), CKA_VALUE = 32
 * octets, CKA_MSTOKEN_USER_URI = the user it was enrolled for.  Made by
 * C_CreateObject only; always sensitive, never extractable, not modifiable,
 * not copyable, no usage attribute: no mechanism takes them, only the
 * import of a SignedKmsResponse reads them (import_kms.c).
 *  - token object: in a user R/W session (a private record: on both
 *    backends only the user can seal one);
 *  - session object: in a user or SO session; in an SO session it is not
 *    private (the SO sees no private object), lives in the module's locked
 *    memory until the session closes, and lets the SO open a KmsInit.
 * The InK keeps the replay record of its KMS (CKA_MSTOKEN_KMS_LAST: the
 * Time of the last response accepted and the signature values accepted in
 * that second), sealed with the object.
 */
#ifndef MST_P11_KMSKEY_H
#define MST_P11_KMSKEY_H

#include "pkcs11/p11.h"
#include "token/kmsxml_sec.h"

/* A C_CreateObject template for a TrK or InK. */
int kmskey_requested(const CK_ATTRIBUTE *t, CK_ULONG n);
CK_RV kmskey_create(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out);

/* The TrK / InK with this ID that the session sees, or NULL. */
p11_object *kmskey_find(const p11_session *s, kmssec_use use, const char *id);
/* kmssec_key_fn over a session's keys (ctx: the p11_session). */
mst_rc kmskey_lookup(void *ctx, kmssec_use use, const char *id, uint8_t key[KMSSEC_KEY_LEN]);

/* A new key from a verified response (NewTransportKey / NewIntegrityKey),
 * same user, token and privacy as the InK that verified it; not linked. */
CK_RV kmskey_new_from(p11_session *s, const p11_object *ink, kmssec_use use, const char *id,
		      const uint8_t key[KMSSEC_KEY_LEN], p11_object **out);

/* Replay: CKR_MSTOKEN_KMS_REPLAY unless time is after the InK's last
 * accepted Time, or that second with a signature value not seen yet. */
CK_RV kmskey_check_fresh(const p11_object *ink, int64_t time, const uint8_t mac[KMSSEC_MAC_LEN]);
/* Record an accepted response in the InK (stored when a token object). */
CK_RV kmskey_note_accepted(p11_object *ink, int64_t time, const uint8_t mac[KMSSEC_MAC_LEN]);
/* Copy ink's replay record into o (a new InK of the same KMS). */
CK_RV kmskey_copy_record(p11_object *o, const p11_object *ink);

#endif
