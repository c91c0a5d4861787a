/* token/kmsxml_nav.c - find elements of the KMS namespace in a tree.
 *
 * A KmsCertificate or KmsKeySet may arrive bare, or inside the envelopes of
 * TS 33.180 Annex D: KmsResponse/KmsMessage/KmsInit/KmsCertificate (or its
 * SignedKmsCertificate), KmsResponse/KmsMessage/KmsKeyProv/KmsKeySet, and a
 * KmsResponse inside SignedKmsResponse.  Signatures are not checked here
 * (the token trusts the KMS certificate it is given, not the transport).
 */
#include "config.h"
#include "token/kmsxml_doc.h"

#include <string.h>

static const char *name_of(const xmlNode *n)
{
	return (const char *)n->name;
}

static int in_kms_ns(const xmlNode *n)
{
	return n->ns != NULL && n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, KMSXML_NS) == 0;
}

int kx_is(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && in_kms_ns(n) &&
	       strcmp(name_of(n), name) == 0;
}

mst_rc kx_child(const xmlNode *parent, const char *name, int required, xmlNodePtr *out,
		char *err, size_t err_len)
{
	xmlNodePtr c, found = NULL;

	*out = NULL;
	for (c = parent->children; c != NULL; c = c->next) {
		if (!kx_is(c, name))
			continue;
		if (found != NULL)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: appears more than once",
				       name_of(parent), name);
		found = c;
	}
	if (found == NULL && required)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: missing", name_of(parent), name);
	*out = found;
	return MST_OK;
}

mst_rc kx_only_children(const xmlNode *parent, const char *const *allowed,
			char *err, size_t err_len)
{
	const xmlNode *c;
	size_t i;

	for (c = parent->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !in_kms_ns(c))
			continue;
		for (i = 0; allowed[i] != NULL && strcmp(allowed[i], name_of(c)) != 0; i++)
			;
		if (allowed[i] == NULL)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: unexpected element",
				       name_of(parent), name_of(c));
	}
	return MST_OK;
}

/* Counts the KMS-namespace children called name. */
static size_t count_children(const xmlNode *parent, const char *name)
{
	const xmlNode *c;
	size_t n = 0;

	for (c = parent->children; c != NULL; c = c->next)
		n += kx_is(c, name) ? 1u : 0u;
	return n;
}

/* KmsResponse: the KMS may answer with KmsError instead of a message. */
static mst_rc open_response(xmlNodePtr resp, kmsxml_kind *kind, xmlNodePtr *payload,
			    char *err, size_t err_len)
{
	xmlNodePtr msg, inner, cert, kerr;
	mst_rc rc;

	if ((rc = kx_child(resp, "KmsError", 0, &kerr, err, err_len)) != MST_OK)
		return rc;
	if (kerr != NULL)
		return kx_fail(err, err_len, MST_ERR_PARSE,
			       "KmsResponse: holds a KmsError instead of a KmsMessage");
	if ((rc = kx_child(resp, "KmsMessage", 1, &msg, err, err_len)) != MST_OK)
		return rc;
	if ((rc = kx_child(msg, "KmsInit", 0, &inner, err, err_len)) != MST_OK)
		return rc;
	if (inner != NULL) {
		if ((rc = kx_child(inner, "SignedKmsCertificate", 0, &cert, err, err_len)) != MST_OK)
			return rc;
		if (cert == NULL)
			cert = inner;
		*kind = KMSXML_CERTIFICATE;
		return kx_child(cert, "KmsCertificate", 1, payload, err, err_len);
	}
	if ((rc = kx_child(msg, "KmsKeyProv", 0, &inner, err, err_len)) != MST_OK)
		return rc;
	if (inner != NULL) {
		size_t n = count_children(inner, "KmsKeySet");
		if (n > 1)
			return kx_fail(err, err_len, MST_ERR_RANGE,
				       "KmsKeyProv: holds %zu key sets, one at a time is accepted", n);
		*kind = KMSXML_KEYSET;
		return kx_child(inner, "KmsKeySet", 1, payload, err, err_len);
	}
	return kx_fail(err, err_len, MST_ERR_PARSE,
		       "KmsMessage: holds neither KmsInit nor KmsKeyProv");
}

mst_rc kx_find_payload(xmlDocPtr doc, kmsxml_kind *kind, xmlNodePtr *payload,
		       char *err, size_t err_len)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), inner;
	mst_rc rc;

	*kind = KMSXML_NONE;
	*payload = NULL;
	if (root == NULL)
		return kx_fail(err, err_len, MST_ERR_PARSE, "document has no root element");
	if (!in_kms_ns(root))
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s: namespace is '%.80s', expected %s",
			       name_of(root),
			       root->ns != NULL && root->ns->href != NULL ?
			       (const char *)root->ns->href : "", KMSXML_NS);
	if (kx_is(root, "KmsCertificate")) {
		*kind = KMSXML_CERTIFICATE;
		*payload = root;
		return MST_OK;
	}
	if (kx_is(root, "KmsKeySet")) {
		*kind = KMSXML_KEYSET;
		*payload = root;
		return MST_OK;
	}
	if (kx_is(root, "SignedKmsCertificate")) {
		*kind = KMSXML_CERTIFICATE;
		return kx_child(root, "KmsCertificate", 1, payload, err, err_len);
	}
	if (kx_is(root, "SignedKmsResponse")) {
		if ((rc = kx_child(root, "KmsResponse", 1, &inner, err, err_len)) != MST_OK)
			return rc;
		return open_response(inner, kind, payload, err, err_len);
	}
	if (kx_is(root, "KmsResponse"))
		return open_response(root, kind, payload, err, err_len);
	return kx_fail(err, err_len, MST_ERR_PARSE,
		       "root element %.80s is not a KmsCertificate, KmsKeySet or KmsResponse",
		       name_of(root));
}
