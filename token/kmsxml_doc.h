/* token/kmsxml_doc.h - internals of the KMS XML reader (token/kmsxml*.c only).
 *
 * Loading a document safely, finding the KmsCertificate / KmsKeySet inside
 * the possible wrappers, reading typed element values with one-line error
 * reasons, and wiping every text node before the tree is freed.
 */
#ifndef MST_KMSXML_DOC_H
#define MST_KMSXML_DOC_H

#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include "token/kmsxml.h"

/* Longest element text we read: a 1024-octet UserID in hex, with room to
 * say "too long" rather than "text too long" for a few digits more. */
#define KX_TEXT_MAX (2 * IDENTITY_MAX_LEN + 64)

/* Write a one-line reason into err (may be NULL) and return rc. */
mst_rc kx_fail(char *err, size_t err_len, mst_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* libxml2's error printers, silenced for the calling thread between
 * kx_quiet_begin() and kx_quiet_end() (which puts the host's back): some
 * errors (a failed encoding conversion) go to stderr whatever the parser
 * options, quoting input octets, which in a KmsKeySet are secret key hex.
 * Reasons come from the parser context instead (xmlCtxtGetLastError). */
typedef struct {
	xmlGenericErrorFunc generic;
	void *generic_ctx;
	xmlStructuredErrorFunc structured;
	void *structured_ctx;
} kx_quiet_state;
void kx_quiet_begin(kx_quiet_state *q);
void kx_quiet_end(const kx_quiet_state *q);

/* Parse xml (at most KMSXML_MAX_INPUT octets) with the network, DTDs and
 * entities refused.  The caller releases *doc with kx_free_doc(). */
mst_rc kx_load(const uint8_t *xml, size_t len, xmlDocPtr *doc, char *err, size_t err_len);
/* Overwrite the content of one node (text, CDATA, comment).  Content
 * interned in the document dictionary (short strings only) is shared and
 * left alone. */
void kx_wipe_content(xmlNodePtr n);
/* Overwrite every text, CDATA and attribute value of the tree, then free it. */
void kx_free_doc(xmlDocPtr doc);

/* The KmsCertificate or KmsKeySet element of the document, bare or inside
 * SignedKmsCertificate / KmsResponse / SignedKmsResponse. */
mst_rc kx_find_payload(xmlDocPtr doc, kmsxml_kind *kind, xmlNodePtr *payload,
		       char *err, size_t err_len);

/* Nonzero when n is an element `name` in the KMS namespace. */
int kx_is(const xmlNode *n, const char *name);
/* The child element `name` (KMS namespace) of parent: *out NULL when absent
 * and not required; refused when required and absent, or present twice. */
mst_rc kx_child(const xmlNode *parent, const char *name, int required, xmlNodePtr *out,
		char *err, size_t err_len);
/* Refuse a child element in the KMS namespace whose name is not listed
 * (NULL-terminated); elements of other namespaces are extensions and pass. */
mst_rc kx_only_children(const xmlNode *parent, const char *const *allowed,
			char *err, size_t err_len);

/* Element text with XML white space trimmed at both ends, NUL-terminated in
 * buf (cap octets).  Child elements are refused.  buf may receive a secret:
 * the caller wipes it. */
mst_rc kx_text(const xmlNode *n, char *buf, size_t cap, size_t *len, char *err, size_t err_len);

/* Typed values; each names "<parent>/<element>" in its reasons. */
mst_rc kx_uint(const xmlNode *n, uint64_t *v, char *err, size_t err_len);
mst_rc kx_string(const xmlNode *n, char *out, size_t cap, int required, char *err, size_t err_len);
mst_rc kx_datetime(const xmlNode *n, char out[KMSXML_TIME_MAX], char *err, size_t err_len);
/* Exactly out_len octets; point != 0 also asks for the leading 0x04. */
mst_rc kx_hex_fixed(const xmlNode *n, uint8_t *out, size_t out_len, int point,
		    char *err, size_t err_len);
/* out_len octets, also accepted with extra leading zero octets (an SSK
 * printed as a wider integer). */
mst_rc kx_hex_scalar(const xmlNode *n, uint8_t *out, size_t out_len, char *err, size_t err_len);
/* min_len..cap octets. */
mst_rc kx_hex_var(const xmlNode *n, uint8_t *out, size_t min_len, size_t cap, size_t *out_len,
		  char *err, size_t err_len);

/* Opens an encrypted secret element (xenc:EncryptedKey child) of a key set
 * into exactly len octets of out. */
typedef struct {
	mst_rc (*fn)(void *ctx, const xmlNode *n, uint8_t *out, size_t len, char *err, size_t err_len);
	void *ctx;
} kx_opener;

/* The KmsCertificate / KmsKeySet element n into *out (the caller zeroes
 * it on refusal).  open == NULL refuses encrypted key content. */
mst_rc kx_read_certificate(const xmlNode *n, kms_certificate *out, char *err, size_t err_len);
mst_rc kx_read_keyset(const xmlNode *n, kms_keyset *out, const kx_opener *open,
		      char *err, size_t err_len);

/* The key set element ks as a document of its own (inherited namespaces
 * declared), its UserDecryptKey and UserSigningKeySSK emptied: malloc'd
 * NUL-terminated text. */
mst_rc kx_redacted_copy(const xmlNode *ks, char **out, size_t *out_len);

/* xsd:dateTime text (as kx_datetime accepts it) as Unix seconds (a
 * fraction is dropped, an offset applied). */
mst_rc kx_time_unix(const char *text, int64_t *unix_time);

#endif
