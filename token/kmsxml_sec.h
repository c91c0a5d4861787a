/* token/kmsxml_sec.h - the security of the TS 33.180 Annex D KMS interface:
 * the XML Signature of a SignedKmsResponse (HMAC-SHA-256 under the InK) and
 * the XML Encryption EncryptedKey of each secret element (AES-256 key wrap
 * under the TrK).  One module for both ends: the KMS server (mstoken-kms
 * serve) signs and wraps, the token verifies and unwraps.  The exact wire
 * form is fixed in doc/kms.md, "KMS interface (TS 33.180 Annex D)".
 *
 * Canonicalisation is libxml2's exclusive C14N 1.0 (xmlC14NExecute, the
 * engine behind xmlC14NDocSaveTo, with a visibility callback selecting the
 * referenced subtree); digests, HMAC and key wrap are OpenSSL's.  No global
 * state beyond libxml2's parser initialisation, so the token (a PKCS#11
 * module) can use it.
 *
 * Against signature wrapping: the verifier accepts exactly the shape
 * SignedKmsResponse{ KmsResponse[Id], ds:Signature } and nothing else at the
 * top, a single Reference whose URI names that KmsResponse's Id (unique in
 * the document), fixed algorithms (no HMACOutputLength truncation), and it
 * returns the verified KmsResponse node: the caller reads only from it.
 */
#ifndef MST_KMSXML_SEC_H
#define MST_KMSXML_SEC_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

/* libxml2's xmlDoc / xmlNode, named without its headers so that callers
 * that only need the constants and kmssec_key_fn (the PKCS#11 module) do
 * not depend on libxml2. */
struct _xmlDoc;
struct _xmlNode;

#define KMSSEC_KEY_LEN 32        /* TrK, InK: AES-256 / HMAC-SHA-256 keys */
#define KMSSEC_ID_MAX 128        /* key IDs (ds:KeyName), NUL included */
#define KMSSEC_WRAPPED_MAX 512   /* longest key we unwrap (RSK: 257 octets) */

#define KMSSEC_NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define KMSSEC_NS_XENC "http://www.w3.org/2001/04/xmlenc#"
#define KMSSEC_ALG_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define KMSSEC_ALG_SHA256 "http://www.w3.org/2001/04/xmlenc#sha256"
#define KMSSEC_ALG_HMAC "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
#define KMSSEC_ALG_KW "http://www.w3.org/2001/04/xmlenc#kw-aes256"
#define KMSSEC_ALG_KW_PAD "http://www.w3.org/2009/xmlenc11#kw-aes-256-pad"

typedef enum { KMSSEC_TRK = 1, KMSSEC_INK = 2 } kmssec_use;

/* The key the caller holds for (use, id): copy KMSSEC_KEY_LEN octets into
 * key and answer MST_OK, or MST_ERR_UNKNOWN_KEY.  key is locked memory. */
typedef mst_rc (*kmssec_key_fn)(void *ctx, kmssec_use use, const char *id,
				uint8_t key[KMSSEC_KEY_LEN]);

/* AES key wrap, RFC 3394 (pad == 0: len a multiple of 8, >= 16) or RFC 5649
 * (pad != 0: any len >= 1); kek_len 16, 24 or 32.  out: len + 8 octets
 * (RFC 3394) or len rounded up to 8, + 8 (RFC 5649). */
mst_rc kmssec_aes_wrap(const uint8_t *kek, size_t kek_len, int pad, const uint8_t *in,
		       size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* The inverse; MST_ERR_BAD_KEY when the integrity check fails. */
mst_rc kmssec_aes_unwrap(const uint8_t *kek, size_t kek_len, int pad, const uint8_t *in,
			 size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Server: append <xenc:EncryptedKey> holding key (len octets) wrapped under
 * trk to the element parent (e.g. UserDecryptKey), ds:KeyName trk_id; with
 * carried_name != NULL also <xenc:CarriedKeyName> (the ID of a
 * NewTransportKey / NewIntegrityKey). */
mst_rc kmssec_wrap_into(struct _xmlNode *parent, const uint8_t trk[KMSSEC_KEY_LEN], const char *trk_id,
			const uint8_t *key, size_t len, const char *carried_name,
			char *err, size_t err_len);

/* Server: the document's root is SignedKmsResponse holding one KmsResponse
 * with an Id attribute; append its ds:Signature. */
mst_rc kmssec_sign(struct _xmlDoc *doc, const uint8_t ink[KMSSEC_KEY_LEN], const char *ink_id,
		   char *err, size_t err_len);
/* The same on text: *out is malloc'd NUL-terminated XML (free it). */
mst_rc kmssec_sign_text(const uint8_t *xml, size_t len, const uint8_t ink[KMSSEC_KEY_LEN],
			const char *ink_id, char **out, size_t *out_len, char *err, size_t err_len);

#define KMSSEC_MAC_LEN 32

/* Token / client: check the signature of a SignedKmsResponse with the InK
 * named by its ds:KeyName (asked of key_fn).  On success *response is the
 * verified KmsResponse element, ink_id (KMSSEC_ID_MAX) its InK's ID and
 * mac (KMSSEC_MAC_LEN, may be NULL) the signature value (to tell apart
 * responses of the same second when refusing replays).
 * MST_ERR_PARSE: not this shape; MST_ERR_UNKNOWN_KEY: no such InK;
 * MST_ERR_BAD_SIGNATURE: digest or HMAC mismatch; MST_ERR_UNSUPPORTED: an
 * algorithm other than the fixed ones. */
mst_rc kmssec_verify(struct _xmlDoc *doc, kmssec_key_fn key_fn, void *ctx, struct _xmlNode **response,
		     char ink_id[KMSSEC_ID_MAX], uint8_t *mac_out, char *err, size_t err_len);

/* Nonzero when element n holds an xenc:EncryptedKey child. */
int kmssec_is_encrypted(const struct _xmlNode *n);

/* Token: open the single xenc:EncryptedKey child of element n with the TrK
 * named by its ds:KeyName.  out (cap octets, locked memory) receives the
 * key; carried (KMSSEC_ID_MAX, may be NULL) its CarriedKeyName or "".
 * MST_ERR_UNKNOWN_KEY: no such TrK; MST_ERR_BAD_KEY: unwrap integrity check
 * failed; MST_ERR_PARSE / MST_ERR_UNSUPPORTED: shape or algorithm. */
mst_rc kmssec_unwrap_from(const struct _xmlNode *n, kmssec_key_fn key_fn, void *ctx, uint8_t *out,
			  size_t cap, size_t *out_len, char *carried, char *err, size_t err_len);

#endif
