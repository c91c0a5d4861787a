/* mstoken/pkcs11-mstoken.h - vendor constants of the mstoken PKCS#11 module.
 *
 * The mechanism numbers are fixed (DESIGN.md); key types, attributes and
 * parameter structures are defined here and documented in README.md.
 * Include after a PKCS#11 header (p11-kit's <p11-kit/pkcs11.h> or OASIS').
 */
#ifndef MSTOKEN_PKCS11_MSTOKEN_H
#define MSTOKEN_PKCS11_MSTOKEN_H

/* ---- mechanisms -------------------------------------------------------- */
/* C_Sign / C_Verify, RFC 6507: signature r || s || PVT (129 octets).
 * Sign: key = ECCSI private key, no parameter.
 * Verify: key = a community's ECCSI public key (KPAK), parameter
 * CK_MSTOKEN_ECCSI_VERIFY_PARAMS naming the signer's identifier. */
#define CKM_MSTOKEN_ECCSI      0xCD530001UL
/* C_WrapKey: encapsulate a secret key (16 octets) to an identifier under a
 * community's SAKKE public key Z_T, parameter CK_MSTOKEN_SAKKE_WRAP_PARAMS;
 * output R || H (273 octets).
 * C_UnwrapKey: key = SAKKE private key (RSK), no parameter; input the 273
 * octets; output a new CKK_GENERIC_SECRET object (the SSV). */
#define CKM_MSTOKEN_SAKKE      0xCD530002UL
/* C_DeriveKey, RFC 3830 4.1.2-4.1.3: base key = a secret key (TGK/SSV),
 * parameter CK_MSTOKEN_MIKEY_PRF_PARAMS, length from CKA_VALUE_LEN. */
#define CKM_MSTOKEN_MIKEY_PRF  0xCD530003UL
/* C_DeriveKey, TS 33.180 E.6 (KDF of TS 33.220 B.2): the DPCK that protects
 * the key parameters of MIKEY General Extension type 7,
 *   DPCK = 128 least significant bits of HMAC-SHA-256(SSV, 0x53 || DPPK-ID || 0x0004).
 * Base key = the SSV (GMK/PCK/CSK) object, CKK_GENERIC_SECRET with
 * CKA_DERIVE; parameter CK_MSTOKEN_DPCK_PARAMS.  The new key is CKK_AES,
 * 16 octets, CKA_DECRYPT TRUE, sensitive and not extractable (a template
 * asking otherwise is CKR_TEMPLATE_INCONSISTENT); use it with C_Decrypt and
 * CKM_AES_GCM (single part only). */
#define CKM_MSTOKEN_DPCK       0xCD530004UL

/* ---- key types --------------------------------------------------------- */
#define CKK_MSTOKEN_ECCSI      0xCD530101UL  /* private: SSK (+PVT); public: KPAK */
#define CKK_MSTOKEN_SAKKE      0xCD530102UL  /* private: RSK; public: Z_T */
/* KMS transport key (TrK) and integrity key (InK) of TS 33.180 Annex D:
 * CKO_SECRET_KEY, CKA_ID = the key's ID (ds:KeyName), CKA_VALUE 32 octets,
 * CKA_MSTOKEN_USER_URI = the enrolled user; made with C_CreateObject (token
 * objects by the user, session objects by the user or the SO), always
 * sensitive and never extractable, usable by no mechanism: the token reads
 * them only to verify (InK: HMAC-SHA-256) and open (TrK: AES-256 key wrap)
 * a SignedKmsResponse being imported.  See doc/pkcs11.md "KMS responses". */
#define CKK_MSTOKEN_KMS_TRK    0xCD530103UL
#define CKK_MSTOKEN_KMS_INK    0xCD530104UL

/* ---- attributes (vendor-defined range, all read-only after import) ----- */
#define CKA_MSTOKEN_KMS_URI        0xCD530201UL /* UTF-8 */
#define CKA_MSTOKEN_USER_URI       0xCD530202UL /* UTF-8 */
#define CKA_MSTOKEN_USER_ID        0xCD530203UL /* the identifier octets */
#define CKA_MSTOKEN_KEY_PERIOD_NO  0xCD530204UL /* CK_ULONG */
#define CKA_MSTOKEN_VALID_FROM     0xCD530205UL /* xsd:dateTime text */
#define CKA_MSTOKEN_VALID_TO       0xCD530206UL /* xsd:dateTime text */
#define CKA_MSTOKEN_USER_ID_FORMAT 0xCD530207UL /* CK_ULONG: 1 RFC 6509, 2 TS 33.180 */
#define CKA_MSTOKEN_KEY_PERIOD     0xCD530208UL /* CK_ULONG seconds */
#define CKA_MSTOKEN_KEY_OFFSET     0xCD530209UL /* CK_ULONG seconds */
#define CKA_MSTOKEN_PVT            0xCD53020AUL /* 04||x||y, ECCSI private keys */
#define CKA_MSTOKEN_POINT          0xCD53020BUL /* public keys: KPAK or Z_T, 04||x||y */
/* private keys: the community key they were validated against, so each
 * key is usable on its own (ECCSI: KPAK, 65 octets; SAKKE: Z_T, 257) */
#define CKA_MSTOKEN_KPAK           0xCD53020CUL
#define CKA_MSTOKEN_Z              0xCD53020DUL
/* InK: replay record of its KMS, Time (8 octets, big-endian Unix seconds)
 * of the last response accepted || the signature values (32 octets each,
 * at most 4) accepted in that second */
#define CKA_MSTOKEN_KMS_LAST       0xCD53020EUL

/* ---- return codes of a KMS response import (vendor-defined range) ------- */
/* C_CreateObject of a "3GPP KmsKeySet" / "3GPP KmsCertificate" data object
 * holding a SignedKmsResponse (doc/pkcs11.md "KMS responses"); each
 * refusal stores nothing.  A bad signature is CKR_SIGNATURE_INVALID, an
 * EncryptedKey that does not unwrap CKR_WRAPPED_KEY_INVALID. */
#define CKR_MSTOKEN_KMS_UNKNOWN_KEY   0xCD530301UL /* no TrK / InK of that ID */
#define CKR_MSTOKEN_KMS_REPLAY        0xCD530302UL /* Time not after the last accepted */
#define CKR_MSTOKEN_KMS_WRONG_USER    0xCD530303UL /* UserUri is not the InK's user */
#define CKR_MSTOKEN_KMS_PLAIN_REFUSED 0xCD530304UL /* plain key set, require_encrypted_keys */
#define CKR_MSTOKEN_KMS_NOTHING_NEW   0xCD530305UL /* verified, but every key set is there */

/* ---- values of CKA_APPLICATION that import KMS XML --------------------- */
#define MSTOKEN_APP_KMS_KEYSET      "3GPP KmsKeySet"
#define MSTOKEN_APP_KMS_CERTIFICATE "3GPP KmsCertificate"

/* ---- mechanism parameters ---------------------------------------------- */
typedef struct CK_MSTOKEN_ECCSI_VERIFY_PARAMS {
	unsigned char *pIdentifier;     /* signer's identifier octets */
	unsigned long ulIdentifierLen;
} CK_MSTOKEN_ECCSI_VERIFY_PARAMS;

typedef struct CK_MSTOKEN_SAKKE_WRAP_PARAMS {
	unsigned char *pIdentifier;     /* recipient's identifier octets */
	unsigned long ulIdentifierLen;
} CK_MSTOKEN_SAKKE_WRAP_PARAMS;

/* prf */
#define CK_MSTOKEN_PRF_HMAC_SHA1    0UL   /* MIKEY-1 */
#define CK_MSTOKEN_PRF_HMAC_SHA256  1UL   /* RFC 6043 */
/* keyKind */
#define CK_MSTOKEN_KEY_TEK   0UL
#define CK_MSTOKEN_KEY_SALT  1UL
#define CK_MSTOKEN_KEY_AUTH  2UL
#define CK_MSTOKEN_KEY_ENC   3UL

typedef struct CK_MSTOKEN_MIKEY_PRF_PARAMS {
	unsigned long prf;              /* CK_MSTOKEN_PRF_* */
	unsigned long keyKind;          /* CK_MSTOKEN_KEY_* */
	unsigned char csId;             /* crypto session id */
	unsigned long csbId;            /* crypto session bundle id (32 bits) */
	unsigned char *pRand;           /* RAND payload value */
	unsigned long ulRandLen;        /* 16..255 */
} CK_MSTOKEN_MIKEY_PRF_PARAMS;

typedef struct CK_MSTOKEN_DPCK_PARAMS {
	unsigned long dppkId;           /* DPPK-ID of the envelope (32 bits) */
} CK_MSTOKEN_DPCK_PARAMS;

#endif
