/* token/kmsxml_resp.h - open a SignedKmsResponse of the TS 33.180 Annex D
 * interface inside the token: the signature checked with an InK, every
 * EncryptedKey opened with a TrK (keys asked of the caller by ID, see
 * kmsxml_sec.h), the KmsCertificate / KmsKeySets read and checked as
 * kmsxml.h does for plain documents.  The result holds secrets: keep it in
 * locked memory (secmem_alloc) and kms_response_clear() it.
 *
 * What is NOT decided here, because it needs the token's state: whether
 * UserUri is the InK's user, whether Time is newer than the last accepted
 * one (replay), whether the caller may import this kind.  The fields below
 * give the caller what it needs for those checks.
 */
#ifndef MST_KMSXML_RESP_H
#define MST_KMSXML_RESP_H

#include "token/kmsxml.h"
#include "token/kmsxml_sec.h"

#define KMSRESP_MAX_KEYSETS 2   /* current and next key period */
#define KMSRESP_MAX_NEW_KEYS 4  /* NewTransportKey / NewIntegrityKey */

typedef struct {
	kmssec_use use;                     /* KMSSEC_TRK or KMSSEC_INK */
	char id[KMSSEC_ID_MAX];             /* its xenc:CarriedKeyName */
	uint8_t key[KMSSEC_KEY_LEN];
} kms_new_key;

typedef struct {
	/* KmsResponse header, as verified */
	char user_uri[KMSXML_URI_MAX];
	char kms_uri[KMSXML_URI_MAX];
	char time[KMSXML_TIME_MAX];
	int64_t time_unix;
	char ink_id[KMSSEC_ID_MAX];         /* the InK that verified it */
	uint8_t mac[KMSSEC_MAC_LEN];        /* its signature value */
	/* KMSXML_CERTIFICATE: a KmsInit; KMSXML_KEYSET: a KmsKeyProv */
	kmsxml_kind kind;
	kms_certificate cert;
	size_t n_keysets;
	kms_keyset keysets[KMSRESP_MAX_KEYSETS];
	/* each key set's element as a document of its own with its secret
	 * elements emptied (malloc'd text, for the token's data object) */
	char *kept[KMSRESP_MAX_KEYSETS];
	size_t kept_len[KMSRESP_MAX_KEYSETS];
	size_t n_new;
	kms_new_key new_keys[KMSRESP_MAX_NEW_KEYS];
} kms_response;

/* Nonzero when the document's root is a SignedKmsResponse with a
 * ds:Signature (whether or not it holds).  Without a signature it is a
 * plain response (kmsxml.h). */
int kmsxml_is_signed_response(const uint8_t *xml, size_t len);

/* Verify and open; *out is cleared first and again on refusal.  Codes:
 * those of kmssec_verify / kmssec_unwrap_from (MST_ERR_UNKNOWN_KEY,
 * MST_ERR_BAD_SIGNATURE, MST_ERR_BAD_KEY, ...), and of kmsxml.h for the
 * content; MST_ERR_UNSUPPORTED for a KmsCertCache or a KmsError. */
mst_rc kmsxml_open_response(const uint8_t *xml, size_t len, kmssec_key_fn key_fn, void *ctx,
			    kms_response *out, char *err, size_t err_len);
/* Free the kept texts and wipe everything (the struct stays allocated). */
void kms_response_clear(kms_response *r);

#endif
