/* kms/serve_xml.c - the documents of the KMS server: the KmsRequest it
 * reads (through the token's safe loader, token/kmsxml_doc.h) and the
 * responses it writes, built with libxml2's tree API in the element order
 * of the TS 33.180 schema.  No secret ever enters this tree in the clear:
 * the RSK and SSK go straight into kmssec_wrap_into(), which puts only
 * their AES key wrap (base64) into the document.
 */
#include "config.h"
#include "kms/serve.h"
#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/kmsxml_sec.h"
#include "token/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

static const xmlChar *X(const char *s)
{
	return (const xmlChar *)s;
}

/* ---- KmsRequest ------------------------------------------------------ */

static const char *const request_children[] = {
	"UserUri", "KmsUri", "Time", "ClientId", "DeviceId", "ClientReqUrl", "KrrList",
	"ClientError", NULL
};

static mst_rc request_field(const xmlNode *root, const char *name, char *out, size_t cap,
			    char *err, size_t err_len)
{
	xmlNodePtr n;
	mst_rc rc = kx_child(root, name, 1, &n, err, err_len);

	return rc != MST_OK ? rc : kx_string(n, out, cap, 1, err, err_len);
}

mst_rc kms_request_parse(const uint8_t *body, size_t len, kms_request *req,
			 char *err, size_t err_len)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n;
	mst_rc rc;

	memset(req, 0, sizeof *req);
	if ((rc = kx_load(body, len, &doc, err, err_len)) != MST_OK)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !kx_is(root, "KmsRequest"))
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "the body is not a KmsRequest of namespace %s",
			     KMSXML_NS);
	if (rc == MST_OK)
		rc = kx_only_children(root, request_children, err, err_len);
	if (rc == MST_OK)
		rc = request_field(root, "UserUri", req->user_uri, sizeof req->user_uri, err, err_len);
	if (rc == MST_OK)
		rc = request_field(root, "KmsUri", req->kms_uri, sizeof req->kms_uri, err, err_len);
	if (rc == MST_OK)
		rc = request_field(root, "ClientReqUrl", req->client_req_url,
				   sizeof req->client_req_url, err, err_len);
	if (rc == MST_OK && (rc = kx_child(root, "Time", 1, &n, err, err_len)) == MST_OK)
		rc = kx_datetime(n, req->time, err, err_len);
	kx_free_doc(doc);
	if (rc != MST_OK)
		memset(req, 0, sizeof *req);
	return rc;
}

/* ---- responses ------------------------------------------------------- */

/* Every libxml2 tree call below returns NULL on failure (out of memory). */
#define NEED(x) do { if ((x) == NULL) return MST_ERR_NOMEM; } while (0)

static mst_rc text_child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	NEED(xmlNewTextChild(parent, ns, X(name), X(text)));
	return MST_OK;
}

static mst_rc u64_child(xmlNodePtr parent, xmlNsPtr ns, const char *name, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof text, "%llu", (unsigned long long)v);
	return text_child(parent, ns, name, text);
}

/* Public value in upper-case hex; type != NULL sets xsi:type (xsi the
 * namespace of the prefix: an attribute with a real namespace, so that
 * canonicalisation sees the prefix used). */
static mst_rc hex_child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const uint8_t *v,
			size_t len, xmlNsPtr xsi, const char *type)
{
	char text[2 * IDENTITY_MAX_LEN + 1];
	xmlNodePtr n;

	if (len > IDENTITY_MAX_LEN)
		return MST_ERR_RANGE;
	hex_encode_upper(v, len, text);
	NEED(n = xmlNewTextChild(parent, ns, X(name), X(text)));
	if (type != NULL)
		NEED(xmlNewNsProp(n, xsi, X("type"), X(type)));
	return MST_OK;
}

static mst_rc now_text(char out[KMSXML_TIME_MAX])
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, KMSXML_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return MST_ERR_RANGE;
	return MST_OK;
}

/* KmsResponse (Version 1.0.0, Id when id != NULL) with its header. */
static mst_rc response_header(xmlNodePtr resp, xmlNsPtr ns, const char *id, const char *user_uri,
			      const char *kms_uri, const char *client_req_url)
{
	char now[KMSXML_TIME_MAX];
	mst_rc rc;

	if (id != NULL)
		NEED(xmlNewProp(resp, X("Id"), X(id)));
	NEED(xmlNewProp(resp, X("Version"), X("1.0.0")));
	if ((rc = now_text(now)) != MST_OK ||
	    (rc = text_child(resp, ns, "UserUri", user_uri)) != MST_OK ||
	    (rc = text_child(resp, ns, "KmsUri", kms_uri)) != MST_OK ||
	    (rc = text_child(resp, ns, "Time", now)) != MST_OK)
		return rc;
	return text_child(resp, ns, "ClientReqUrl", client_req_url);
}

mst_rc kms_resp_new(kms_resp *r, const char *user_uri, const char *kms_uri,
		    const char *client_req_url)
{
	uint8_t rnd[8];
	char id[2 * sizeof rnd + 8] = "kms-";
	xmlNodePtr root;

	memset(r, 0, sizeof *r);
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		return MST_ERR_CRYPTO;
	hex_encode(rnd, sizeof rnd, id + 4); /* a fresh Id: the Reference names this response only */
	NEED(r->doc = xmlNewDoc(X("1.0")));
	NEED(root = xmlNewDocNode(r->doc, NULL, X("SignedKmsResponse"), NULL));
	xmlDocSetRootElement(r->doc, root);
	NEED(r->ns = xmlNewNs(root, X(KMSXML_NS), NULL));
	NEED(r->xsi = xmlNewNs(root, X(XSI_NS), X("xsi")));
	xmlSetNs(root, r->ns);
	NEED(r->response = xmlNewChild(root, r->ns, X("KmsResponse"), NULL));
	if (response_header(r->response, r->ns, id, user_uri, kms_uri, client_req_url) != MST_OK)
		return MST_ERR_NOMEM;
	NEED(r->message = xmlNewChild(r->response, r->ns, X("KmsMessage"), NULL));
	return MST_OK;
}

static mst_rc certificate(xmlNodePtr parent, xmlNsPtr ns, const kms_certificate *c)
{
	xmlNodePtr n;
	mst_rc rc;

	NEED(n = xmlNewChild(parent, ns, X("KmsCertificate"), NULL));
	NEED(xmlNewProp(n, X("Version"), X("1.1.0")));
	NEED(xmlNewProp(n, X("Role"), X("Root")));
	if (c->cert_uri[0] != '\0' && (rc = text_child(n, ns, "CertUri", c->cert_uri)) != MST_OK)
		return rc;
	if ((rc = text_child(n, ns, "KmsUri", c->kms_uri)) != MST_OK ||
	    (rc = u64_child(n, ns, "UserIdFormat", c->user_id_format)) != MST_OK ||
	    (rc = u64_child(n, ns, "UserKeyPeriod", c->user_key_period)) != MST_OK ||
	    (rc = u64_child(n, ns, "UserKeyOffset", c->user_key_offset)) != MST_OK ||
	    (rc = hex_child(n, ns, "PubEncKey", c->pub_enc_key, sizeof c->pub_enc_key, NULL, NULL)) != MST_OK)
		return rc;
	return hex_child(n, ns, "PubAuthKey", c->pub_auth_key, sizeof c->pub_auth_key, NULL, NULL);
}

/* KmsMessage/<name> Version 1.0.0 [xsi:type type]. */
static mst_rc message(kms_resp *r, const char *name, const char *type, xmlNodePtr *out)
{
	NEED(*out = xmlNewChild(r->message, r->ns, X(name), NULL));
	NEED(xmlNewProp(*out, X("Version"), X("1.0.0")));
	if (type != NULL)
		NEED(xmlNewNsProp(*out, r->xsi, X("type"), X(type)));
	return MST_OK;
}

/* <name><xenc:EncryptedKey> of key under the user's current TrK, carrying
 * the new key's ID. */
static mst_rc new_key(kms_resp *r, xmlNodePtr parent, const char *name, const uint8_t *key,
		      const char *id, const kms_user *u, char *err, size_t err_len)
{
	xmlNodePtr n;

	NEED(n = xmlNewChild(parent, r->ns, X(name), NULL));
	return kmssec_wrap_into(n, u->trk, u->trk_id, key, KMS_KEY_LEN, id, err, err_len);
}

mst_rc kms_resp_init(kms_resp *r, const kms_certificate *c, const kms_user *u,
		     char *err, size_t err_len)
{
	xmlNodePtr init;
	mst_rc rc = message(r, "KmsInit", "KmsInitTkIkType", &init);

	if (rc == MST_OK)
		rc = certificate(init, r->ns, c);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "cannot build the response: %s", mst_strerror(rc));
	if (!u->rotating)
		return MST_OK;
	/* schema order: every NewTransportKey, then every NewIntegrityKey */
	rc = new_key(r, init, "NewTransportKey", u->new_trk, u->new_trk_id, u, err, err_len);
	return rc != MST_OK ? rc : new_key(r, init, "NewIntegrityKey", u->new_ink, u->new_ink_id, u,
					   err, err_len);
}

mst_rc kms_resp_certcache(kms_resp *r, const kms_certificate *c, size_t n)
{
	xmlNodePtr cache;
	char num[24];
	size_t i;
	mst_rc rc = message(r, "KmsCertCache", NULL, &cache);

	if (rc != MST_OK)
		return rc;
	snprintf(num, sizeof num, "%zu", n); /* CacheNum: how many certificates the cache holds */
	NEED(xmlNewProp(cache, X("CacheNum"), X(num)));
	for (i = 0; i < n && rc == MST_OK; i++)
		rc = certificate(cache, r->ns, &c[i]);
	return rc;
}

mst_rc kms_resp_keyprov(kms_resp *r, xmlNodePtr *keyprov)
{
	return message(r, "KmsKeyProv", "KmsKeyProvTkIkType", keyprov);
}

/* <name xsi:type="EncKeyContentType"><xenc:EncryptedKey>...</name> */
static mst_rc wrapped_child(kms_resp *r, xmlNodePtr parent, const char *name, const uint8_t *key,
			    size_t len, const uint8_t trk[KMS_KEY_LEN], const char *trk_id,
			    char *err, size_t err_len)
{
	xmlNodePtr n;

	NEED(n = xmlNewChild(parent, r->ns, X(name), NULL));
	NEED(xmlNewNsProp(n, r->xsi, X("type"), X("EncKeyContentType")));
	return kmssec_wrap_into(n, trk, trk_id, key, len, NULL, err, err_len);
}

mst_rc kms_resp_keyset(kms_resp *r, xmlNodePtr keyprov, const kms_keyset *k,
		       const uint8_t trk[KMS_KEY_LEN], const char *trk_id, char *err, size_t err_len)
{
	xmlNodePtr n;
	mst_rc rc;

	NEED(n = xmlNewChild(keyprov, r->ns, X("KmsKeySet"), NULL));
	NEED(xmlNewProp(n, X("Version"), X("1.1.0")));
	if ((rc = text_child(n, r->ns, "KmsUri", k->kms_uri)) != MST_OK ||
	    (rc = text_child(n, r->ns, "UserUri", k->user_uri)) != MST_OK ||
	    (rc = hex_child(n, r->ns, "UserID", k->user_id, k->user_id_len, NULL, NULL)) != MST_OK)
		return rc;
	if (k->valid_from[0] != '\0' && (rc = text_child(n, r->ns, "ValidFrom", k->valid_from)) != MST_OK)
		return rc;
	if (k->valid_to[0] != '\0' && (rc = text_child(n, r->ns, "ValidTo", k->valid_to)) != MST_OK)
		return rc;
	if ((rc = u64_child(n, r->ns, "KeyPeriodNo", k->key_period_no)) != MST_OK ||
	    (rc = wrapped_child(r, n, "UserDecryptKey", k->rsk, sizeof k->rsk, trk, trk_id,
				err, err_len)) != MST_OK ||
	    (rc = wrapped_child(r, n, "UserSigningKeySSK", k->ssk, sizeof k->ssk, trk, trk_id,
				err, err_len)) != MST_OK)
		return rc;
	return hex_child(n, r->ns, "UserPubTokenPVT", k->pvt, sizeof k->pvt, r->xsi, "KeyContentType");
}

/* Serialised as built: no indentation is added, since the signature
 * covers the exact tree. */
static mst_rc doc_text(xmlDocPtr doc, char **out, size_t *out_len)
{
	xmlChar *buf = NULL;
	int n = 0;

	xmlDocDumpFormatMemoryEnc(doc, &buf, &n, "UTF-8", 0);
	if (buf == NULL || n <= 0)
		return MST_ERR_NOMEM;
	*out = malloc((size_t)n + 1);
	if (*out != NULL) {
		memcpy(*out, buf, (size_t)n);
		(*out)[n] = '\0';
		*out_len = (size_t)n;
	}
	xmlFree(buf);
	return *out != NULL ? MST_OK : MST_ERR_NOMEM;
}

mst_rc kms_resp_text(const kms_resp *r, char **out, size_t *out_len)
{
	return doc_text(r->doc, out, out_len);
}

void kms_resp_free(kms_resp *r)
{
	if (r->doc != NULL)
		xmlFreeDoc(r->doc);
	memset(r, 0, sizeof *r);
}

static mst_rc error_tree(xmlDocPtr doc, unsigned status, const char *reason, const char *user_uri,
			 const char *kms_uri, const char *client_req_url)
{
	xmlNodePtr root, e;
	xmlNsPtr ns;
	mst_rc rc;

	NEED(root = xmlNewDocNode(doc, NULL, X("KmsResponse"), NULL));
	xmlDocSetRootElement(doc, root);
	NEED(ns = xmlNewNs(root, X(KMSXML_NS), NULL));
	xmlSetNs(root, ns);
	if ((rc = response_header(root, ns, NULL, user_uri, kms_uri, client_req_url)) != MST_OK)
		return rc;
	NEED(e = xmlNewChild(root, ns, X("KmsError"), NULL));
	if ((rc = u64_child(e, ns, "ErrorCode", status)) != MST_OK)
		return rc;
	return text_child(e, ns, "ErrorMsg", reason);
}

mst_rc kms_error_doc(unsigned status, const char *reason, const char *user_uri,
		     const char *kms_uri, const char *client_req_url, char **out, size_t *out_len)
{
	xmlDocPtr doc = xmlNewDoc(X("1.0"));
	mst_rc rc = MST_ERR_NOMEM;

	*out = NULL;
	*out_len = 0;
	if (doc != NULL &&
	    (rc = error_tree(doc, status, reason, user_uri, kms_uri, client_req_url)) == MST_OK)
		rc = doc_text(doc, out, out_len);
	if (doc != NULL)
		xmlFreeDoc(doc);
	return rc;
}
