/* token/kmsxml_resp.c - open a SignedKmsResponse (see kmsxml_resp.h).
 *
 * Everything read comes from the KmsResponse element that kmssec_verify
 * returned, never from a fresh search of the document: the element the
 * digest covers is the element used.  Unwrapped keys go straight into the
 * caller's (locked) structure; the scratch buffer is locked and wiped.
 */
#include "config.h"
#include "token/kmsxml_resp.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <stdlib.h>
#include <string.h>

static const char *const response_elements[] = {
	"UserUri", "KmsUri", "Time", "KmsId", "ClientReqUrl", "KmsMessage", "KmsError", NULL
};
static const char *const init_elements[] = {
	"KmsCertificate", "SignedKmsCertificate", "NewTransportKey", "NewIntegrityKey", NULL
};
static const char *const keyprov_elements[] = {
	"KmsKeySet", "NewTransportKey", "NewIntegrityKey", NULL
};

struct keys {
	kmssec_key_fn fn;
	void *ctx;
};

int kmsxml_is_signed_response(const uint8_t *xml, size_t len)
{
	xmlDocPtr doc;
	int is;

	xmlNodePtr root, c;

	if (kx_load(xml, len, &doc, NULL, 0) != MST_OK)
		return 0;
	root = xmlDocGetRootElement(doc);
	is = 0;
	if (kx_is(root, "SignedKmsResponse"))
		for (c = root->children; c != NULL; c = c->next)
			is |= c->type == XML_ELEMENT_NODE && c->ns != NULL &&
			      xmlStrEqual(c->ns->href, (const xmlChar *)KMSSEC_NS_DS) &&
			      xmlStrEqual(c->name, (const xmlChar *)"Signature");
	kx_free_doc(doc);
	return is;
}

/* kx_opener: one secret element of a key set, exactly len octets (the RSK
 * a point 04||x||y, the SSK 32 octets). */
static mst_rc open_secret(void *ctx, const xmlNode *n, uint8_t *out, size_t len,
			  char *err, size_t err_len)
{
	const struct keys *k = ctx;
	uint8_t *buf = secmem_alloc(KMSSEC_WRAPPED_MAX);
	size_t got = 0;
	mst_rc rc;

	if (buf == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
	rc = kmssec_unwrap_from(n, k->fn, k->ctx, buf, KMSSEC_WRAPPED_MAX, &got, NULL, err, err_len);
	if (rc == MST_OK && got != len)
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "KmsKeySet/%s: the key is %zu octets, expected %zu",
			     (const char *)n->name, got, len);
	if (rc == MST_OK && len > ECCSI_N && buf[0] != 0x04)
		rc = kx_fail(err, err_len, MST_ERR_PARSE,
			     "KmsKeySet/%s: expected an uncompressed point (first octet 04)",
			     (const char *)n->name);
	if (rc == MST_OK)
		memcpy(out, buf, len);
	secmem_free(buf);
	return rc;
}

/* NewTransportKey / NewIntegrityKey children of parent, in document order. */
static mst_rc read_new_keys(const xmlNode *parent, const struct keys *k, kms_response *r,
			    char *err, size_t err_len)
{
	const xmlNode *c;
	mst_rc rc;

	for (c = parent->children; c != NULL; c = c->next) {
		int trk = kx_is(c, "NewTransportKey");
		kms_new_key *nk;
		size_t got = 0;
		if (!trk && !kx_is(c, "NewIntegrityKey"))
			continue;
		if (r->n_new == KMSRESP_MAX_NEW_KEYS)
			return kx_fail(err, err_len, MST_ERR_RANGE,
				       "%s: more than %d new transport/integrity keys",
				       (const char *)parent->name, KMSRESP_MAX_NEW_KEYS);
		nk = &r->new_keys[r->n_new];
		nk->use = trk ? KMSSEC_TRK : KMSSEC_INK;
		rc = kmssec_unwrap_from(c, k->fn, k->ctx, nk->key, sizeof nk->key, &got, nk->id,
					err, err_len);
		if (rc != MST_OK)
			return rc;
		if (got != KMSSEC_KEY_LEN || nk->id[0] == '\0')
			return kx_fail(err, err_len, MST_ERR_PARSE,
				       "%s: expected a %d-octet key with an xenc:CarriedKeyName",
				       (const char *)c->name, KMSSEC_KEY_LEN);
		r->n_new++;
	}
	return MST_OK;
}

static mst_rc read_init(const xmlNode *init, const struct keys *k, kms_response *r,
			char *err, size_t err_len)
{
	xmlNodePtr cert, signed_cert;
	mst_rc rc;

	if ((rc = kx_only_children(init, init_elements, err, err_len)) != MST_OK ||
	    (rc = kx_child(init, "SignedKmsCertificate", 0, &signed_cert, err, err_len)) != MST_OK)
		return rc;
	if ((rc = kx_child(signed_cert != NULL ? signed_cert : init, "KmsCertificate", 1, &cert,
			   err, err_len)) != MST_OK ||
	    (rc = kx_read_certificate(cert, &r->cert, err, err_len)) != MST_OK)
		return rc;
	r->kind = KMSXML_CERTIFICATE;
	return read_new_keys(init, k, r, err, err_len);
}

static mst_rc read_keyprov(const xmlNode *prov, const struct keys *k, kms_response *r,
			   char *err, size_t err_len)
{
	const kx_opener open = { open_secret, (void *)(uintptr_t)k };
	const xmlNode *c;
	mst_rc rc;

	if ((rc = kx_only_children(prov, keyprov_elements, err, err_len)) != MST_OK)
		return rc;
	for (c = prov->children; c != NULL; c = c->next) {
		size_t i = r->n_keysets;
		if (!kx_is(c, "KmsKeySet"))
			continue;
		if (i == KMSRESP_MAX_KEYSETS)
			return kx_fail(err, err_len, MST_ERR_RANGE,
				       "KmsKeyProv: more than %d key sets", KMSRESP_MAX_KEYSETS);
		if ((rc = kx_read_keyset(c, &r->keysets[i], &open, err, err_len)) != MST_OK)
			return rc;
		if (kx_redacted_copy(c, &r->kept[i], &r->kept_len[i]) != MST_OK)
			return kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
		r->n_keysets++;
	}
	if (r->n_keysets == 0)
		return kx_fail(err, err_len, MST_ERR_PARSE, "KmsKeyProv: holds no KmsKeySet");
	r->kind = KMSXML_KEYSET;
	return read_new_keys(prov, k, r, err, err_len);
}

static mst_rc read_response(const xmlNode *resp, const struct keys *k, kms_response *r,
			    char *err, size_t err_len)
{
	xmlNodePtr n, msg, inner;
	mst_rc rc;

	if ((rc = kx_only_children(resp, response_elements, err, err_len)) != MST_OK ||
	    (rc = kx_child(resp, "KmsError", 0, &n, err, err_len)) != MST_OK)
		return rc;
	if (n != NULL)
		return kx_fail(err, err_len, MST_ERR_UNSUPPORTED,
			       "KmsResponse: holds a KmsError instead of a KmsMessage");
	if ((rc = kx_child(resp, "UserUri", 1, &n, err, err_len)) != MST_OK ||
	    (rc = kx_string(n, r->user_uri, sizeof r->user_uri, 1, err, err_len)) != MST_OK ||
	    (rc = kx_child(resp, "KmsUri", 1, &n, err, err_len)) != MST_OK ||
	    (rc = kx_string(n, r->kms_uri, sizeof r->kms_uri, 1, err, err_len)) != MST_OK ||
	    (rc = kx_child(resp, "Time", 1, &n, err, err_len)) != MST_OK ||
	    (rc = kx_datetime(n, r->time, err, err_len)) != MST_OK)
		return rc;
	if (kx_time_unix(r->time, &r->time_unix) != MST_OK)
		return kx_fail(err, err_len, MST_ERR_PARSE, "KmsResponse/Time: not a valid date and time");
	if ((rc = kx_child(resp, "KmsMessage", 1, &msg, err, err_len)) != MST_OK ||
	    (rc = kx_child(msg, "KmsInit", 0, &inner, err, err_len)) != MST_OK)
		return rc;
	if (inner != NULL)
		return read_init(inner, k, r, err, err_len);
	if ((rc = kx_child(msg, "KmsKeyProv", 0, &inner, err, err_len)) != MST_OK)
		return rc;
	if (inner != NULL)
		return read_keyprov(inner, k, r, err, err_len);
	if ((rc = kx_child(msg, "KmsCertCache", 0, &inner, err, err_len)) != MST_OK)
		return rc;
	if (inner != NULL)
		return kx_fail(err, err_len, MST_ERR_UNSUPPORTED,
			       "KmsCertCache: the token imports communities from a KmsInit only");
	return kx_fail(err, err_len, MST_ERR_PARSE,
		       "KmsMessage: holds neither KmsInit nor KmsKeyProv");
}

mst_rc kmsxml_open_response(const uint8_t *xml, size_t len, kmssec_key_fn key_fn, void *ctx,
			    kms_response *out, char *err, size_t err_len)
{
	struct keys k = { key_fn, ctx };
	xmlDocPtr doc;
	xmlNodePtr resp = NULL;
	mst_rc rc;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (out == NULL || key_fn == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no output or key lookup");
	secure_wipe(out, sizeof *out);
	if ((rc = kx_load(xml, len, &doc, err, err_len)) != MST_OK)
		return rc;
	rc = kmssec_verify(doc, key_fn, ctx, &resp, out->ink_id, out->mac, err, err_len);
	if (rc == MST_OK)
		rc = read_response(resp, &k, out, err, err_len);
	kx_free_doc(doc);
	if (rc != MST_OK)
		kms_response_clear(out);
	return rc;
}

void kms_response_clear(kms_response *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < KMSRESP_MAX_KEYSETS; i++)
		free(r->kept[i]);
	secure_wipe(r, sizeof *r);
}
