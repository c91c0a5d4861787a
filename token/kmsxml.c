/* token/kmsxml.c - read a KmsCertificate or KmsKeySet (TS 33.180 D.3).
 *
 * The element sets follow tests/vectors/kms-interface.xsd; the order of the
 * children is not enforced (KMSs in the field differ), but every required
 * element must be there exactly once and unknown elements of the KMS
 * namespace are refused, so a misspelt element cannot pass unnoticed.
 * On any refusal the output structure is zeroed: nothing half-filled.
 */
#include "config.h"
#include "token/kmsxml.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <string.h>

static const char *const cert_elements[] = {
	"CertUri", "KmsUri", "Issuer", "ValidFrom", "ValidTo", "Revoked", "UserIdFormat",
	"UserKeyPeriod", "UserKeyOffset", "PubEncKey", "PubAuthKey", "ParameterSet",
	"KmsDomainList", NULL
};

static const char *const keyset_elements[] = {
	"KmsUri", "CertUri", "Issuer", "UserUri", "UserID", "ValidFrom", "ValidTo",
	"KeyPeriodNo", "Revoked", "UserDecryptKey", "UserSigningKeySSK", "UserPubTokenPVT", NULL
};

/* Child `name` of parent (required), or MST_ERR_PARSE naming it. */
#define CHILD(parent, name, node) \
	if ((rc = kx_child((parent), (name), 1, &(node), err, err_len)) != MST_OK) \
		return rc

/* A Revoked element saying true: the KMS withdrew the certificate or keys. */
static mst_rc check_not_revoked(const xmlNode *parent, char *err, size_t err_len)
{
	xmlNodePtr n;
	char text[16];
	mst_rc rc;

	if ((rc = kx_child(parent, "Revoked", 0, &n, err, err_len)) != MST_OK || n == NULL)
		return rc;
	if ((rc = kx_string(n, text, sizeof text, 1, err, err_len)) != MST_OK)
		return rc;
	if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
		return MST_OK;
	if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
		return kx_fail(err, err_len, MST_ERR_RANGE, "%s/Revoked: the KMS has revoked it",
			       (const char *)parent->name);
	return kx_fail(err, err_len, MST_ERR_PARSE, "%s/Revoked: expected true or false",
		       (const char *)parent->name);
}

static mst_rc read_format(const xmlNode *n, uint32_t *format, char *err, size_t err_len)
{
	char text[16];
	mst_rc rc = kx_string(n, text, sizeof text, 1, err, err_len);

	if (rc != MST_OK)
		return kx_fail(err, err_len, MST_ERR_RANGE,
			       "KmsCertificate/UserIdFormat: expected 1 or 2");
	if (strcmp(text, "1") == 0 || strcmp(text, "2") == 0) {
		*format = (uint32_t)(text[0] - '0');
		return MST_OK;
	}
	return kx_fail(err, err_len, MST_ERR_RANGE,
		       "KmsCertificate/UserIdFormat: '%s' is not supported, expected 1 or 2", text);
}

/* Optional ParameterSet: SAKKE parameter set 1 is the only one defined. */
static mst_rc check_parameter_set(const xmlNode *cert, char *err, size_t err_len)
{
	xmlNodePtr n;
	uint64_t v;
	mst_rc rc;

	if ((rc = kx_child(cert, "ParameterSet", 0, &n, err, err_len)) != MST_OK || n == NULL)
		return rc;
	if ((rc = kx_uint(n, &v, err, err_len)) != MST_OK)
		return rc;
	if (v != 1)
		return kx_fail(err, err_len, MST_ERR_RANGE,
			       "KmsCertificate/ParameterSet: only SAKKE parameter set 1 is supported");
	return MST_OK;
}

mst_rc kx_read_certificate(const xmlNode *cert, kms_certificate *c, char *err, size_t err_len)
{
	xmlNodePtr n;
	mst_rc rc;

	if ((rc = kx_only_children(cert, cert_elements, err, err_len)) != MST_OK ||
	    (rc = check_not_revoked(cert, err, err_len)) != MST_OK ||
	    (rc = check_parameter_set(cert, err, err_len)) != MST_OK)
		return rc;
	CHILD(cert, "KmsUri", n);
	if ((rc = kx_string(n, c->kms_uri, sizeof c->kms_uri, 1, err, err_len)) != MST_OK)
		return rc;
	if ((rc = kx_child(cert, "CertUri", 0, &n, err, err_len)) != MST_OK)
		return rc;
	if (n != NULL && (rc = kx_string(n, c->cert_uri, sizeof c->cert_uri, 0, err, err_len)) != MST_OK)
		return rc;
	CHILD(cert, "UserIdFormat", n);
	if ((rc = read_format(n, &c->user_id_format, err, err_len)) != MST_OK)
		return rc;
	CHILD(cert, "UserKeyPeriod", n);
	if ((rc = kx_uint(n, &c->user_key_period, err, err_len)) != MST_OK)
		return rc;
	if (c->user_key_period == 0)
		return kx_fail(err, err_len, MST_ERR_RANGE, "KmsCertificate/UserKeyPeriod: must be positive");
	CHILD(cert, "UserKeyOffset", n);
	if ((rc = kx_uint(n, &c->user_key_offset, err, err_len)) != MST_OK)
		return rc;
	CHILD(cert, "PubEncKey", n);
	if ((rc = kx_hex_fixed(n, c->pub_enc_key, sizeof c->pub_enc_key, 1, err, err_len)) != MST_OK)
		return rc;
	CHILD(cert, "PubAuthKey", n);
	return kx_hex_fixed(n, c->pub_auth_key, sizeof c->pub_auth_key, 1, err, err_len);
}

/* The key elements are abstractKeyContentType: plain hex (KeyContentType)
 * is read here; an encrypted key (EncKeyContentType, xenc:EncryptedKey) is
 * opened by the caller's opener (a verified KmsResponse, kmsxml_resp.c) or,
 * without one, refused as such rather than as "not hexadecimal". */
static int has_encrypted_key(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->name != NULL &&
		    strcmp((const char *)c->name, "EncryptedKey") == 0)
			return 1;
	return 0;
}

static mst_rc check_plain_key(const xmlNode *n, char *err, size_t err_len)
{
	if (has_encrypted_key(n))
		return kx_fail(err, err_len, MST_ERR_UNSUPPORTED,
			       "KmsKeySet/%s: encrypted key content is not supported here "
			       "(only inside a signed KmsResponse)", (const char *)n->name);
	return MST_OK;
}

/* A secret key element: opened when encrypted (with an opener), hex when
 * plain; *encrypted counts the encrypted ones. */
static mst_rc read_secret(const xmlNode *n, uint8_t *out, size_t len, int scalar,
			  const kx_opener *open, int *encrypted, char *err, size_t err_len)
{
	mst_rc rc;

	if (open != NULL && has_encrypted_key(n)) {
		rc = open->fn(open->ctx, n, out, len, err, err_len);
		if (rc == MST_OK)
			(*encrypted)++;
		return rc;
	}
	if ((rc = check_plain_key(n, err, err_len)) != MST_OK)
		return rc;
	return scalar ? kx_hex_scalar(n, out, len, err, err_len)
		      : kx_hex_fixed(n, out, len, 1, err, err_len);
}

static mst_rc read_optional_time(const xmlNode *ks, const char *name, char out[KMSXML_TIME_MAX],
				 char *err, size_t err_len)
{
	xmlNodePtr n;
	mst_rc rc;

	out[0] = '\0';
	if ((rc = kx_child(ks, name, 0, &n, err, err_len)) != MST_OK || n == NULL)
		return rc;
	return kx_datetime(n, out, err, err_len);
}

mst_rc kx_read_keyset(const xmlNode *ks, kms_keyset *k, const kx_opener *open,
		      char *err, size_t err_len)
{
	xmlNodePtr n;
	int encrypted = 0;
	mst_rc rc;

	if ((rc = kx_only_children(ks, keyset_elements, err, err_len)) != MST_OK ||
	    (rc = check_not_revoked(ks, err, err_len)) != MST_OK)
		return rc;
	CHILD(ks, "KmsUri", n);
	if ((rc = kx_string(n, k->kms_uri, sizeof k->kms_uri, 1, err, err_len)) != MST_OK)
		return rc;
	CHILD(ks, "UserUri", n);
	if ((rc = kx_string(n, k->user_uri, sizeof k->user_uri, 1, err, err_len)) != MST_OK)
		return rc;
	CHILD(ks, "UserID", n);
	if ((rc = kx_hex_var(n, k->user_id, 1, sizeof k->user_id, &k->user_id_len, err, err_len)) != MST_OK)
		return rc;
	CHILD(ks, "KeyPeriodNo", n);
	if ((rc = kx_uint(n, &k->key_period_no, err, err_len)) != MST_OK)
		return rc;
	if ((rc = read_optional_time(ks, "ValidFrom", k->valid_from, err, err_len)) != MST_OK ||
	    (rc = read_optional_time(ks, "ValidTo", k->valid_to, err, err_len)) != MST_OK)
		return rc;
	CHILD(ks, "UserDecryptKey", n);
	if ((rc = read_secret(n, k->rsk, sizeof k->rsk, 0, open, &encrypted, err, err_len)) != MST_OK)
		return rc;
	CHILD(ks, "UserSigningKeySSK", n);
	if ((rc = read_secret(n, k->ssk, sizeof k->ssk, 1, open, &encrypted, err, err_len)) != MST_OK)
		return rc;
	k->encrypted = encrypted == 2;
	CHILD(ks, "UserPubTokenPVT", n);
	if ((rc = check_plain_key(n, err, err_len)) != MST_OK)
		return rc;
	return kx_hex_fixed(n, k->pvt, sizeof k->pvt, 1, err, err_len);
}

static const char *kind_name(kmsxml_kind kind)
{
	return kind == KMSXML_CERTIFICATE ? "KmsCertificate" : "KmsKeySet";
}

/* Load, find the payload, check it is of the wanted kind, read it. */
static mst_rc parse(const uint8_t *xml, size_t len, kmsxml_kind want, void *out,
		    char *err, size_t err_len)
{
	xmlDocPtr doc;
	xmlNodePtr payload;
	kmsxml_kind kind;
	mst_rc rc;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if ((rc = kx_load(xml, len, &doc, err, err_len)) != MST_OK)
		return rc;
	rc = kx_find_payload(doc, &kind, &payload, err, err_len);
	if (rc == MST_OK && kind != want)
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "document holds a %s, expected a %s",
			     kind_name(kind), kind_name(want));
	if (rc == MST_OK)
		rc = want == KMSXML_CERTIFICATE ? kx_read_certificate(payload, out, err, err_len)
						: kx_read_keyset(payload, out, NULL, err, err_len);
	kx_free_doc(doc);
	return rc;
}

kmsxml_kind kmsxml_detect(const uint8_t *xml, size_t len)
{
	xmlDocPtr doc;
	xmlNodePtr payload;
	kmsxml_kind kind = KMSXML_NONE;

	if (kx_load(xml, len, &doc, NULL, 0) != MST_OK)
		return KMSXML_NONE;
	if (kx_find_payload(doc, &kind, &payload, NULL, 0) != MST_OK)
		kind = KMSXML_NONE;
	kx_free_doc(doc);
	return kind;
}

/* Either kind; out is zeroed first and again on refusal. */
static mst_rc parse_into(const uint8_t *xml, size_t len, kmsxml_kind want, void *out,
			 size_t out_size, char *err, size_t err_len)
{
	mst_rc rc;

	if (out == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no output");
	secure_wipe(out, out_size);
	rc = parse(xml, len, want, out, err, err_len);
	if (rc != MST_OK)
		secure_wipe(out, out_size);
	return rc;
}

mst_rc kmsxml_parse_certificate(const uint8_t *xml, size_t len, kms_certificate *out,
				char *err, size_t err_len)
{
	return parse_into(xml, len, KMSXML_CERTIFICATE, out, sizeof *out, err, err_len);
}

mst_rc kmsxml_parse_keyset(const uint8_t *xml, size_t len, kms_keyset *out,
			   char *err, size_t err_len)
{
	return parse_into(xml, len, KMSXML_KEYSET, out, sizeof *out, err, err_len);
}

void kms_keyset_wipe(kms_keyset *ks)
{
	if (ks != NULL)
		secure_wipe(ks, sizeof *ks);
}
