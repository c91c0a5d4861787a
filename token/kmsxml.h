/* token/kmsxml.h - 3GPP TS 33.180 KMS XML (namespace
 * urn:3gpp:ns:mcsecKMSInterface:1.0): KmsCertificate and KmsKeySet, bare or
 * wrapped in a KmsResponse (KmsMessage/KmsInit or KmsMessage/KmsKeyProv).
 *
 * Parsing uses libxml2 with network access and entity expansion disabled and
 * a size limit; each refusal writes a one-line reason into err (naming the
 * element, never a secret value).  Hex values may be upper or lower case.
 * Secret fields of kms_keyset must be wiped by kms_keyset_wipe().
 */
#ifndef MST_KMSXML_H
#define MST_KMSXML_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"
#include "token/eccsi.h"
#include "token/sakke.h"
#include "token/identity.h"

#define KMSXML_NS "urn:3gpp:ns:mcsecKMSInterface:1.0"
#define KMSXML_URI_MAX 512
#define KMSXML_TIME_MAX 40
#define KMSXML_MAX_INPUT (64 * 1024)

typedef struct {
	char kms_uri[KMSXML_URI_MAX];
	char cert_uri[KMSXML_URI_MAX];      /* optional, "" when absent */
	uint32_t user_id_format;            /* 1 = RFC 6509, 2 = TS 33.180 UID */
	uint64_t user_key_period;           /* seconds */
	uint64_t user_key_offset;           /* seconds */
	uint8_t pub_enc_key[SAKKE_POINT_LEN];  /* Z_T */
	uint8_t pub_auth_key[ECCSI_POINT_LEN]; /* KPAK */
} kms_certificate;

typedef struct {
	char kms_uri[KMSXML_URI_MAX];
	char user_uri[KMSXML_URI_MAX];
	uint8_t user_id[IDENTITY_MAX_LEN];  /* the identifier itself */
	size_t user_id_len;
	uint64_t key_period_no;
	char valid_from[KMSXML_TIME_MAX];   /* xsd:dateTime as given, "" if absent */
	char valid_to[KMSXML_TIME_MAX];
	/* secrets */
	uint8_t rsk[SAKKE_POINT_LEN];       /* UserDecryptKey */
	uint8_t ssk[ECCSI_N];               /* UserSigningKeySSK */
	/* public */
	uint8_t pvt[ECCSI_POINT_LEN];       /* UserPubTokenPVT */
	int encrypted;                      /* SSK and RSK came as EncryptedKey */
} kms_keyset;

typedef enum { KMSXML_NONE = 0, KMSXML_CERTIFICATE, KMSXML_KEYSET } kmsxml_kind;

/* What the document holds (bare or wrapped), without parsing values. */
kmsxml_kind kmsxml_detect(const uint8_t *xml, size_t len);

mst_rc kmsxml_parse_certificate(const uint8_t *xml, size_t len, kms_certificate *out,
				char *err, size_t err_len);
/* out should be in locked memory (secmem_alloc) since it holds secrets. */
mst_rc kmsxml_parse_keyset(const uint8_t *xml, size_t len, kms_keyset *out,
			   char *err, size_t err_len);
void kms_keyset_wipe(kms_keyset *ks);

/* The same key set document (wrappers kept) with the text of its secret
 * elements, UserDecryptKey and UserSigningKeySSK, removed: fit to be kept or
 * shown.  *out is malloc'd NUL-terminated text the caller frees. */
mst_rc kmsxml_redact_keyset(const uint8_t *xml, size_t len, char **out, size_t *out_len,
			    char *err, size_t err_len);

/* xsd:dateTime text (ValidFrom, ValidTo, Time) as Unix seconds: a missing
 * zone is UTC, an offset is applied, a fraction dropped. */
mst_rc kmsxml_time_unix(const char *text, int64_t *unix_time);

/* Serialise; *out is malloc'd NUL-terminated text the caller frees (for a
 * key set: wipe it first, it holds secrets).  wrapped != 0 puts the element
 * inside a KmsResponse (user_uri and the time fill its header). */
mst_rc kmsxml_write_certificate(const kms_certificate *c, int wrapped, char **out, size_t *out_len);
mst_rc kmsxml_write_keyset(const kms_keyset *k, int wrapped, char **out, size_t *out_len);

#endif
