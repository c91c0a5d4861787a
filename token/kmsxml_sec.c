/* token/kmsxml_sec.c - XML Signature (HMAC-SHA-256, exclusive C14N) of a
 * SignedKmsResponse and XML Encryption EncryptedKey (AES key wrap) of its
 * secret elements: the one implementation both the KMS server and the token
 * use (see kmsxml_sec.h and doc/kms.md "KMS interface").
 *
 * The verifier is strict on purpose: one fixed profile of XML Signature,
 * not the general standard.  Everything outside that profile (other
 * algorithms, more references, HMACOutputLength, InclusiveNamespaces, extra
 * elements beside the signed one) is refused before any key is used, so a
 * signature-wrapping document cannot make the token read an element other
 * than the one the digest covers.
 */
#include "config.h"
#include "token/kmsxml_sec.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <stdlib.h>
#include <string.h>
#include <libxml/c14n.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define DIGEST_LEN KMSSEC_MAC_LEN
#define B64_MAX (4 * ((KMSSEC_WRAPPED_MAX + 16 + 2) / 3) + 64)
#define ID_ATTR "Id"

static const xmlChar *X(const char *s)
{
	return (const xmlChar *)s;
}

/* ---- AES key wrap (RFC 3394 / RFC 5649) ---------------------------------- */

static const EVP_CIPHER *wrap_cipher(size_t kek_len, int pad)
{
	switch (kek_len) {
	case 16: return pad ? EVP_aes_128_wrap_pad() : EVP_aes_128_wrap();
	case 24: return pad ? EVP_aes_192_wrap_pad() : EVP_aes_192_wrap();
	case 32: return pad ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
	default: return NULL;
	}
}

static mst_rc aes_kw(int enc, const uint8_t *kek, size_t kek_len, int pad, const uint8_t *in,
		     size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	const EVP_CIPHER *c = wrap_cipher(kek_len, pad);
	EVP_CIPHER_CTX *ctx;
	size_t need;
	int l1 = 0, l2 = 0, ok;

	*out_len = 0;
	if (c == NULL || kek == NULL || in == NULL || out == NULL || len > KMSSEC_WRAPPED_MAX + 16)
		return MST_ERR_ARGS;
	if (enc)
		need = pad ? ((len + 7) / 8) * 8 + 8 : len + 8;
	else
		need = len >= 8 ? len - 8 : 0; /* with RFC 5649 the padding too */
	if (enc ? (pad ? len < 1 : (len < 16 || len % 8 != 0))
		: (len < 16 || len % 8 != 0))
		return MST_ERR_RANGE;
	if (cap < need)
		return MST_ERR_ARGS;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return MST_ERR_NOMEM;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = EVP_CipherInit_ex(ctx, c, NULL, kek, NULL, enc) == 1 &&
	     EVP_CipherUpdate(ctx, out, &l1, in, (int)len) == 1 && l1 > 0 &&
	     EVP_CipherFinal_ex(ctx, out + l1, &l2) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		secure_wipe(out, cap < need ? cap : need);
		return enc ? MST_ERR_CRYPTO : MST_ERR_BAD_KEY;
	}
	*out_len = (size_t)l1 + (size_t)l2;
	return MST_OK;
}

mst_rc kmssec_aes_wrap(const uint8_t *kek, size_t kek_len, int pad, const uint8_t *in,
		       size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	return aes_kw(1, kek, kek_len, pad, in, len, out, cap, out_len);
}

mst_rc kmssec_aes_unwrap(const uint8_t *kek, size_t kek_len, int pad, const uint8_t *in,
			 size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	return aes_kw(0, kek, kek_len, pad, in, len, out, cap, out_len);
}

/* ---- base64 (never of a secret: ciphertexts, digests, MACs) ------------- */

static char *b64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Strict: the alphabet, '=' only as the last one or two characters, white
 * space (XML line breaks) ignored. */
static mst_rc b64_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len)
{
	char clean[B64_MAX];
	uint8_t tmp[B64_MAX];
	size_t n = 0, pad = 0, i;
	int l;

	for (; *text != '\0'; text++) {
		if (is_space(*text))
			continue;
		if (n + 1 >= sizeof clean)
			return MST_ERR_RANGE;
		clean[n++] = *text;
	}
	if (n == 0 || n % 4 != 0)
		return MST_ERR_PARSE;
	while (pad < 2 && clean[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (clean[i] == '=')
			return MST_ERR_PARSE;
	l = EVP_DecodeBlock(tmp, (const unsigned char *)clean, (int)n);
	if (l < 0 || (size_t)l < pad || (size_t)l - pad > cap)
		return MST_ERR_PARSE;
	*out_len = (size_t)l - pad;
	memcpy(out, tmp, *out_len);
	return MST_OK;
}

/* ---- elements of the DS / XENC namespaces -------------------------------- */

static int ns_is(const xmlNode *n, const char *href)
{
	return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, href) == 0;
}

static int elem_is(const xmlNode *n, const char *href, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && ns_is(n, href) &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The element children of parent must be exactly names[0..] (in the
 * namespaces hrefs[]), in that order; an entry with optional[i] may be
 * missing.  Text must be white space; comments pass. */
struct shape {
	const char *href;
	const char *name;
	int optional;
};

static mst_rc expect_children(const xmlNode *parent, const struct shape *s, size_t ns,
			      xmlNodePtr *found, char *err, size_t err_len)
{
	xmlNodePtr c = parent->children;
	size_t i = 0;

	for (i = 0; i < ns; i++)
		found[i] = NULL;
	i = 0;
	for (; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			const char *t = (const char *)c->content;
			for (; t != NULL && *t != '\0'; t++)
				if (!is_space(*t))
					return kx_fail(err, err_len, MST_ERR_PARSE,
						       "%s: unexpected text", (const char *)parent->name);
			continue;
		}
		if (c->type == XML_COMMENT_NODE)
			continue;
		if (c->type != XML_ELEMENT_NODE)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s: unexpected node",
				       (const char *)parent->name);
		while (i < ns && s[i].optional && !elem_is(c, s[i].href, s[i].name))
			i++;
		if (i == ns || !elem_is(c, s[i].href, s[i].name))
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%.80s: unexpected element",
				       (const char *)parent->name, (const char *)c->name);
		found[i++] = c;
	}
	for (i = 0; i < ns; i++)
		if (found[i] == NULL && !s[i].optional)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: missing",
				       (const char *)parent->name, s[i].name);
	return MST_OK;
}

/* Algorithm attribute equal to want, and no child element (parameters
 * such as HMACOutputLength or InclusiveNamespaces are outside the profile). */
static mst_rc expect_algorithm(const xmlNode *n, const char *want, char *err, size_t err_len)
{
	xmlChar *alg = xmlGetNoNsProp(n, X("Algorithm"));
	int same = alg != NULL && strcmp((const char *)alg, want) == 0;
	const xmlNode *c;

	xmlFree(alg);
	if (!same)
		return kx_fail(err, err_len, MST_ERR_UNSUPPORTED, "%s: Algorithm must be %s",
			       (const char *)n->name, want);
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return kx_fail(err, err_len, MST_ERR_UNSUPPORTED,
				       "%s/%.80s: parameters are not accepted",
				       (const char *)n->name, (const char *)c->name);
	return MST_OK;
}

/* <ds:KeyInfo><ds:KeyName>id</ds:KeyName></ds:KeyInfo> */
static mst_rc key_name(const xmlNode *keyinfo, char id[KMSSEC_ID_MAX], char *err, size_t err_len)
{
	static const struct shape s[] = { { KMSSEC_NS_DS, "KeyName", 0 } };
	xmlNodePtr kn;
	size_t len;
	mst_rc rc;

	if ((rc = expect_children(keyinfo, s, 1, &kn, err, err_len)) != MST_OK ||
	    (rc = kx_text(kn, id, KMSSEC_ID_MAX, &len, err, err_len)) != MST_OK)
		return rc;
	if (len == 0)
		return kx_fail(err, err_len, MST_ERR_PARSE, "KeyInfo/KeyName: empty");
	return MST_OK;
}

static xmlNsPtr ensure_ns(xmlNodePtr at, const char *href, const char *prefix)
{
	xmlNsPtr ns = xmlSearchNsByHref(at->doc, at, X(href));

	return ns != NULL ? ns : xmlNewNs(at, X(href), X(prefix));
}

static xmlNodePtr add_elem(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	xmlNodePtr n = xmlNewDocNode(parent->doc, ns, X(name), NULL);

	if (n == NULL)
		return NULL;
	if (text != NULL) {
		xmlNodeAddContent(n, X(text));
		if (n->children == NULL && text[0] != '\0') {
			xmlFreeNode(n);
			return NULL;
		}
	}
	if (xmlAddChild(parent, n) == NULL) {
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

static xmlNodePtr add_alg(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *alg)
{
	xmlNodePtr n = add_elem(parent, ns, name, NULL);

	if (n != NULL && xmlSetProp(n, X("Algorithm"), X(alg)) == NULL)
		return NULL;
	return n;
}

/* ---- exclusive canonicalisation of a subtree ---------------------------- */

/* xmlC14NIsVisibleCallback: node is in the subtree of root (attributes
 * and namespace nodes through their element, given as parent). */
static int in_subtree(void *root, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr n;

	if (node == NULL)
		return 0;
	n = (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE) ? parent : node;
	for (; n != NULL; n = n->parent)
		if (n == (xmlNodePtr)root)
			return 1;
	return 0;
}

/* Exclusive C14N 1.0 without comments of root's subtree (what a
 * same-document reference URI="#id" selects), fed to the digest or MAC
 * context as it is produced.  The buffer is wiped: a plain key set inside a
 * response would otherwise leave its secrets in it. */
typedef int (*sink_fn)(void *ctx, const uint8_t *p, size_t n);

static mst_rc c14n_subtree(xmlNodePtr root, sink_fn sink, void *sink_ctx)
{
	xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
	kx_quiet_state quiet;
	const xmlChar *p;
	size_t n;
	int r;
	mst_rc rc = MST_OK;

	if (buf == NULL)
		return MST_ERR_NOMEM;
	/* C14N reports a document it cannot canonicalise (e.g. a relative
	 * namespace URI) through libxml2's printers: not from inside a
	 * PKCS#11 module */
	kx_quiet_begin(&quiet);
	r = xmlC14NExecute(root->doc, in_subtree, root, XML_C14N_EXCLUSIVE_1_0, NULL, 0, buf);
	kx_quiet_end(&quiet);
	p = xmlOutputBufferGetContent(buf);
	n = xmlOutputBufferGetSize(buf);
	if (r < 0 || p == NULL)
		rc = MST_ERR_PARSE;
	else if (!sink(sink_ctx, p, n))
		rc = MST_ERR_CRYPTO;
	if (p != NULL)
		secure_wipe((void *)(uintptr_t)p, n);
	xmlOutputBufferClose(buf);
	return rc;
}

static int sink_digest(void *ctx, const uint8_t *p, size_t n)
{
	return EVP_DigestUpdate(ctx, p, n) == 1;
}

static mst_rc digest_subtree(xmlNodePtr root, uint8_t md[DIGEST_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int l = 0;
	mst_rc rc;

	if (ctx == NULL)
		return MST_ERR_NOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return MST_ERR_CRYPTO;
	}
	rc = c14n_subtree(root, sink_digest, ctx);
	if (rc == MST_OK && (EVP_DigestFinal_ex(ctx, md, &l) != 1 || l != DIGEST_LEN))
		rc = MST_ERR_CRYPTO;
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int sink_hmac(void *ctx, const uint8_t *p, size_t n)
{
	return EVP_MAC_update(ctx, p, n) == 1;
}

static mst_rc hmac_subtree(xmlNodePtr root, const uint8_t key[KMSSEC_KEY_LEN], uint8_t mac[DIGEST_LEN])
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	size_t l = 0;
	mst_rc rc = MST_ERR_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx != NULL && EVP_MAC_init(ctx, key, KMSSEC_KEY_LEN, params) == 1) {
		rc = c14n_subtree(root, sink_hmac, ctx);
		if (rc == MST_OK && (EVP_MAC_final(ctx, mac, &l, DIGEST_LEN) != 1 || l != DIGEST_LEN))
			rc = MST_ERR_CRYPTO;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return rc;
}

/* ---- the signed response's shape ----------------------------------------- */

/* root = SignedKmsResponse{ KmsResponse, ds:Signature? }: the response and
 * its signature (NULL when want_sig is 0 and there is none yet). */
static mst_rc response_parts(xmlDocPtr doc, int want_sig, xmlNodePtr *resp, xmlNodePtr *sig,
			     char *err, size_t err_len)
{
	const struct shape s[] = { { KMSXML_NS, "KmsResponse", 0 },
				   { KMSSEC_NS_DS, "Signature", !want_sig } };
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL, found[2];
	mst_rc rc;

	if (root == NULL || !kx_is(root, "SignedKmsResponse"))
		return kx_fail(err, err_len, MST_ERR_PARSE,
			       "root element is not a SignedKmsResponse of the KMS namespace");
	if ((rc = expect_children(root, s, 2, found, err, err_len)) != MST_OK)
		return rc;
	*resp = found[0];
	*sig = found[1];
	return MST_OK;
}

static void count_ids(xmlNodePtr n, const xmlChar *id, size_t *count)
{
	for (; n != NULL; n = n->next) {
		xmlAttrPtr a;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a != NULL; a = a->next) {
			xmlChar *v;
			if (a->name == NULL || xmlStrcasecmp(a->name, X(ID_ATTR)) != 0)
				continue;
			v = xmlNodeListGetString(n->doc, a->children, 1);
			if (v != NULL && xmlStrEqual(v, id))
				(*count)++;
			xmlFree(v);
		}
		count_ids(n->children, id, count);
	}
}

/* The KmsResponse's Id: present, short, and carried by no other element
 * (so "#Id" can only mean this one). */
static mst_rc response_id(xmlNodePtr resp, char id[KMSSEC_ID_MAX], char *err, size_t err_len)
{
	xmlChar *v = xmlGetNoNsProp(resp, X(ID_ATTR));
	size_t count = 0, l = v != NULL ? strlen((const char *)v) : 0;

	if (l == 0 || l >= KMSSEC_ID_MAX) {
		xmlFree(v);
		return kx_fail(err, err_len, MST_ERR_PARSE,
			       "KmsResponse: Id attribute missing, empty or too long");
	}
	count_ids(xmlDocGetRootElement(resp->doc), v, &count);
	memcpy(id, v, l + 1);
	xmlFree(v);
	if (count != 1)
		return kx_fail(err, err_len, MST_ERR_PARSE,
			       "KmsResponse: its Id is not unique in the document");
	return MST_OK;
}

/* ---- sign --------------------------------------------------------------- */

mst_rc kmssec_sign(xmlDocPtr doc, const uint8_t ink[KMSSEC_KEY_LEN], const char *ink_id,
		   char *err, size_t err_len)
{
	xmlNodePtr resp, sig, si, ref, tr, sv;
	xmlNsPtr ds;
	char id[KMSSEC_ID_MAX], uri[KMSSEC_ID_MAX + 1], *b64 = NULL;
	uint8_t md[DIGEST_LEN], mac[DIGEST_LEN];
	mst_rc rc;

	if (ink == NULL || ink_id == NULL || ink_id[0] == '\0' || strlen(ink_id) >= KMSSEC_ID_MAX)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no InK or InK ID");
	if ((rc = response_parts(doc, 0, &resp, &sig, err, err_len)) != MST_OK)
		return rc;
	if (sig != NULL)
		return kx_fail(err, err_len, MST_ERR_EXISTS, "SignedKmsResponse: already signed");
	if ((rc = response_id(resp, id, err, err_len)) != MST_OK)
		return rc;
	if ((rc = digest_subtree(resp, md)) != MST_OK)
		return kx_fail(err, err_len, rc, "KmsResponse: canonicalisation failed");
	snprintf(uri, sizeof uri, "#%s", id);
	rc = MST_ERR_NOMEM;
	sig = xmlNewDocNode(doc, NULL, X("Signature"), NULL);
	if (sig == NULL || xmlAddChild(xmlDocGetRootElement(doc), sig) == NULL) {
		xmlFreeNode(sig);
		return kx_fail(err, err_len, rc, "out of memory");
	}
	if ((ds = ensure_ns(sig, KMSSEC_NS_DS, "ds")) == NULL)
		goto fail;
	xmlSetNs(sig, ds);
	if ((si = add_elem(sig, ds, "SignedInfo", NULL)) == NULL ||
	    add_alg(si, ds, "CanonicalizationMethod", KMSSEC_ALG_C14N) == NULL ||
	    add_alg(si, ds, "SignatureMethod", KMSSEC_ALG_HMAC) == NULL ||
	    (ref = add_elem(si, ds, "Reference", NULL)) == NULL ||
	    xmlSetProp(ref, X("URI"), X(uri)) == NULL ||
	    (tr = add_elem(ref, ds, "Transforms", NULL)) == NULL ||
	    add_alg(tr, ds, "Transform", KMSSEC_ALG_C14N) == NULL ||
	    add_alg(ref, ds, "DigestMethod", KMSSEC_ALG_SHA256) == NULL ||
	    (b64 = b64_encode(md, sizeof md)) == NULL ||
	    add_elem(ref, ds, "DigestValue", b64) == NULL ||
	    (sv = add_elem(sig, ds, "SignatureValue", NULL)) == NULL)
		goto fail;
	free(b64);
	b64 = NULL;
	if ((tr = add_elem(sig, ds, "KeyInfo", NULL)) == NULL ||
	    add_elem(tr, ds, "KeyName", ink_id) == NULL)
		goto fail;
	if ((rc = hmac_subtree(si, ink, mac)) != MST_OK)
		goto fail;
	rc = MST_ERR_NOMEM;
	if ((b64 = b64_encode(mac, sizeof mac)) == NULL)
		goto fail;
	xmlNodeAddContent(sv, X(b64));
	free(b64);
	secure_wipe(mac, sizeof mac);
	return MST_OK;
fail:
	free(b64);
	secure_wipe(mac, sizeof mac);
	xmlUnlinkNode(sig);
	xmlFreeNode(sig);
	return kx_fail(err, err_len, rc, "signing failed: %s", mst_strerror(rc));
}

mst_rc kmssec_sign_text(const uint8_t *xml, size_t len, const uint8_t ink[KMSSEC_KEY_LEN],
			const char *ink_id, char **out, size_t *out_len, char *err, size_t err_len)
{
	xmlDocPtr doc;
	kx_quiet_state quiet;
	xmlChar *text = NULL;
	int text_len = 0;
	mst_rc rc;

	if (out == NULL || out_len == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no output");
	*out = NULL;
	*out_len = 0;
	if ((rc = kx_load(xml, len, &doc, err, err_len)) != MST_OK)
		return rc;
	rc = kmssec_sign(doc, ink, ink_id, err, err_len);
	if (rc == MST_OK) {
		/* never a formatted dump: indentation would change the signed text */
		kx_quiet_begin(&quiet);
		xmlDocDumpMemoryEnc(doc, &text, &text_len, "UTF-8");
		kx_quiet_end(&quiet);
		if (text == NULL || text_len <= 0 || (*out = malloc((size_t)text_len + 1)) == NULL) {
			rc = kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
		} else {
			memcpy(*out, text, (size_t)text_len);
			(*out)[text_len] = '\0';
			*out_len = (size_t)text_len;
		}
		if (text != NULL)
			secure_wipe(text, (size_t)(text_len > 0 ? text_len : 0));
		xmlFree(text);
	}
	kx_free_doc(doc);
	return rc;
}

/* ---- verify ------------------------------------------------------------- */

/* Base64 text of element n into exactly DIGEST_LEN octets. */
static mst_rc b64_digest(const xmlNode *n, uint8_t out[DIGEST_LEN], char *err, size_t err_len)
{
	char text[128];
	size_t len, got = 0;
	mst_rc rc;

	if ((rc = kx_text(n, text, sizeof text, &len, err, err_len)) != MST_OK)
		return rc;
	if (b64_decode(text, out, DIGEST_LEN, &got) != MST_OK || got != DIGEST_LEN)
		return kx_fail(err, err_len, MST_ERR_BAD_SIGNATURE,
			       "%s: expected base64 of %d octets", (const char *)n->name, DIGEST_LEN);
	return MST_OK;
}

/* SignedInfo of the profile; *ref_node the Reference. */
static mst_rc check_signed_info(xmlNodePtr si, const char *id, xmlNodePtr *digest_value,
				char *err, size_t err_len)
{
	static const struct shape s_si[] = { { KMSSEC_NS_DS, "CanonicalizationMethod", 0 },
					     { KMSSEC_NS_DS, "SignatureMethod", 0 },
					     { KMSSEC_NS_DS, "Reference", 0 } };
	static const struct shape s_ref[] = { { KMSSEC_NS_DS, "Transforms", 0 },
					      { KMSSEC_NS_DS, "DigestMethod", 0 },
					      { KMSSEC_NS_DS, "DigestValue", 0 } };
	static const struct shape s_tr[] = { { KMSSEC_NS_DS, "Transform", 0 } };
	xmlNodePtr f[3], r[3], t;
	xmlChar *uri;
	int same;
	mst_rc rc;

	if ((rc = expect_children(si, s_si, 3, f, err, err_len)) != MST_OK ||
	    (rc = expect_algorithm(f[0], KMSSEC_ALG_C14N, err, err_len)) != MST_OK ||
	    (rc = expect_algorithm(f[1], KMSSEC_ALG_HMAC, err, err_len)) != MST_OK ||
	    (rc = expect_children(f[2], s_ref, 3, r, err, err_len)) != MST_OK ||
	    (rc = expect_children(r[0], s_tr, 1, &t, err, err_len)) != MST_OK ||
	    (rc = expect_algorithm(t, KMSSEC_ALG_C14N, err, err_len)) != MST_OK ||
	    (rc = expect_algorithm(r[1], KMSSEC_ALG_SHA256, err, err_len)) != MST_OK)
		return rc;
	uri = xmlGetNoNsProp(f[2], X("URI"));
	same = uri != NULL && uri[0] == '#' && strcmp((const char *)uri + 1, id) == 0;
	xmlFree(uri);
	if (!same)
		return kx_fail(err, err_len, MST_ERR_PARSE,
			       "Reference: URI does not name the KmsResponse");
	*digest_value = r[2];
	return MST_OK;
}

mst_rc kmssec_verify(xmlDocPtr doc, kmssec_key_fn key_fn, void *ctx, xmlNodePtr *response,
		     char ink_id[KMSSEC_ID_MAX], uint8_t *mac_out, char *err, size_t err_len)
{
	static const struct shape s_sig[] = { { KMSSEC_NS_DS, "SignedInfo", 0 },
					      { KMSSEC_NS_DS, "SignatureValue", 0 },
					      { KMSSEC_NS_DS, "KeyInfo", 0 } };
	xmlNodePtr resp, sig, f[3], dv = NULL;
	char id[KMSSEC_ID_MAX];
	uint8_t want_md[DIGEST_LEN], md[DIGEST_LEN], want_mac[DIGEST_LEN], mac[DIGEST_LEN];
	uint8_t *key = NULL;
	mst_rc rc;

	if (response != NULL)
		*response = NULL;
	if (key_fn == NULL || response == NULL || ink_id == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no key lookup or output");
	ink_id[0] = '\0';
	if ((rc = response_parts(doc, 1, &resp, &sig, err, err_len)) != MST_OK ||
	    (rc = response_id(resp, id, err, err_len)) != MST_OK ||
	    (rc = expect_children(sig, s_sig, 3, f, err, err_len)) != MST_OK ||
	    (rc = check_signed_info(f[0], id, &dv, err, err_len)) != MST_OK ||
	    (rc = b64_digest(dv, want_md, err, err_len)) != MST_OK ||
	    (rc = b64_digest(f[1], want_mac, err, err_len)) != MST_OK ||
	    (rc = key_name(f[2], ink_id, err, err_len)) != MST_OK)
		goto out;
	if ((key = secmem_alloc(KMSSEC_KEY_LEN)) == NULL) {
		rc = kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (key_fn(ctx, KMSSEC_INK, ink_id, key) != MST_OK) {
		rc = kx_fail(err, err_len, MST_ERR_UNKNOWN_KEY,
			     "unknown integrity key '%.80s'", ink_id);
		goto out;
	}
	/* the MAC over SignedInfo first: it says whether the digest is the KMS's */
	if ((rc = hmac_subtree(f[0], key, mac)) != MST_OK ||
	    (rc = digest_subtree(resp, md)) != MST_OK) {
		rc = kx_fail(err, err_len, rc, "canonicalisation failed");
		goto out;
	}
	if (CRYPTO_memcmp(mac, want_mac, DIGEST_LEN) != 0 ||
	    CRYPTO_memcmp(md, want_md, DIGEST_LEN) != 0) {
		rc = kx_fail(err, err_len, MST_ERR_BAD_SIGNATURE, "bad signature");
		goto out;
	}
	*response = resp;
	if (mac_out != NULL)
		memcpy(mac_out, mac, DIGEST_LEN);
out:
	secmem_free(key);
	secure_wipe(mac, sizeof mac);
	if (rc != MST_OK)
		ink_id[0] = '\0';
	return rc;
}

/* ---- EncryptedKey ------------------------------------------------------- */

int kmssec_is_encrypted(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (elem_is(c, KMSSEC_NS_XENC, "EncryptedKey"))
			return 1;
	return 0;
}

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

mst_rc kmssec_wrap_into(xmlNodePtr parent, const uint8_t trk[KMSSEC_KEY_LEN], const char *trk_id,
			const uint8_t *key, size_t len, const char *carried_name,
			char *err, size_t err_len)
{
	uint8_t wrapped[KMSSEC_WRAPPED_MAX + 16];
	size_t wl = 0;
	xmlNodePtr ek, ki, cd;
	xmlNsPtr xenc, ds, xsi;
	char *b64 = NULL;
	int pad = len % 8 != 0 || len < 16;
	mst_rc rc;

	if (parent == NULL || trk == NULL || trk_id == NULL || trk_id[0] == '\0' ||
	    strlen(trk_id) >= KMSSEC_ID_MAX || key == NULL || len == 0 || len > KMSSEC_WRAPPED_MAX)
		return kx_fail(err, err_len, MST_ERR_ARGS, "bad arguments to wrap a key");
	rc = kmssec_aes_wrap(trk, KMSSEC_KEY_LEN, pad, key, len, wrapped, sizeof wrapped, &wl);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "key wrap failed");
	rc = MST_ERR_NOMEM;
	ek = xmlNewDocNode(parent->doc, NULL, X("EncryptedKey"), NULL);
	if (ek == NULL || xmlAddChild(parent, ek) == NULL) {
		xmlFreeNode(ek);
		return kx_fail(err, err_len, rc, "out of memory");
	}
	if ((xenc = ensure_ns(ek, KMSSEC_NS_XENC, "xenc")) == NULL ||
	    (ds = ensure_ns(ek, KMSSEC_NS_DS, "ds")) == NULL)
		goto fail;
	xmlSetNs(ek, xenc);
	if (add_alg(ek, xenc, "EncryptionMethod", pad ? KMSSEC_ALG_KW_PAD : KMSSEC_ALG_KW) == NULL ||
	    (ki = add_elem(ek, ds, "KeyInfo", NULL)) == NULL ||
	    add_elem(ki, ds, "KeyName", trk_id) == NULL ||
	    (cd = add_elem(ek, xenc, "CipherData", NULL)) == NULL ||
	    (b64 = b64_encode(wrapped, wl)) == NULL ||
	    add_elem(cd, xenc, "CipherValue", b64) == NULL ||
	    (carried_name != NULL && add_elem(ek, xenc, "CarriedKeyName", carried_name) == NULL))
		goto fail;
	free(b64);
	/* the element is an EncKeyContentType (the schema's type is abstract) */
	if (xmlHasNsProp(parent, X("type"), X(XSI_NS)) == NULL &&
	    ((xsi = ensure_ns(parent, XSI_NS, "xsi")) == NULL ||
	     xmlSetNsProp(parent, xsi, X("type"), X("EncKeyContentType")) == NULL))
		goto fail;
	return MST_OK;
fail:
	free(b64);
	xmlUnlinkNode(ek);
	xmlFreeNode(ek);
	return kx_fail(err, err_len, rc, "out of memory");
}

mst_rc kmssec_unwrap_from(const xmlNode *n, kmssec_key_fn key_fn, void *ctx, uint8_t *out,
			  size_t cap, size_t *out_len, char *carried, char *err, size_t err_len)
{
	static const struct shape s_n[] = { { KMSSEC_NS_XENC, "EncryptedKey", 0 } };
	static const struct shape s_ek[] = { { KMSSEC_NS_XENC, "EncryptionMethod", 0 },
					     { KMSSEC_NS_DS, "KeyInfo", 0 },
					     { KMSSEC_NS_XENC, "CipherData", 0 },
					     { KMSSEC_NS_XENC, "CarriedKeyName", 1 } };
	static const struct shape s_cd[] = { { KMSSEC_NS_XENC, "CipherValue", 0 } };
	xmlNodePtr ek, f[4], cv;
	xmlChar *alg = NULL;
	char id[KMSSEC_ID_MAX], text[B64_MAX];
	uint8_t wrapped[KMSSEC_WRAPPED_MAX + 16], *key = NULL;
	size_t wl = 0, tl;
	int pad;
	mst_rc rc;

	if (out_len != NULL)
		*out_len = 0;
	if (carried != NULL)
		carried[0] = '\0';
	if (n == NULL || key_fn == NULL || out == NULL || out_len == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "bad arguments to unwrap a key");
	if ((rc = expect_children(n, s_n, 1, &ek, err, err_len)) != MST_OK ||
	    (rc = expect_children(ek, s_ek, 4, f, err, err_len)) != MST_OK ||
	    (rc = expect_children(f[2], s_cd, 1, &cv, err, err_len)) != MST_OK ||
	    (rc = key_name(f[1], id, err, err_len)) != MST_OK)
		return rc;
	alg = xmlGetNoNsProp(f[0], X("Algorithm"));
	pad = alg != NULL && strcmp((const char *)alg, KMSSEC_ALG_KW_PAD) == 0;
	if (!pad && (alg == NULL || strcmp((const char *)alg, KMSSEC_ALG_KW) != 0)) {
		xmlFree(alg);
		return kx_fail(err, err_len, MST_ERR_UNSUPPORTED,
			       "%s/EncryptionMethod: Algorithm must be %s or %s",
			       (const char *)n->name, KMSSEC_ALG_KW, KMSSEC_ALG_KW_PAD);
	}
	xmlFree(alg);
	if ((rc = expect_algorithm(f[0], pad ? KMSSEC_ALG_KW_PAD : KMSSEC_ALG_KW, err, err_len)) != MST_OK)
		return rc;
	if ((rc = kx_text(cv, text, sizeof text, &tl, err, err_len)) != MST_OK)
		return rc;
	if (b64_decode(text, wrapped, sizeof wrapped, &wl) != MST_OK)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s/CipherValue: not base64 of a wrapped key",
			       (const char *)n->name);
	if (carried != NULL && f[3] != NULL &&
	    (rc = kx_text(f[3], carried, KMSSEC_ID_MAX, &tl, err, err_len)) != MST_OK)
		return rc;
	if ((key = secmem_alloc(KMSSEC_KEY_LEN)) == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
	if (key_fn(ctx, KMSSEC_TRK, id, key) != MST_OK) {
		rc = kx_fail(err, err_len, MST_ERR_UNKNOWN_KEY, "unknown transport key '%.80s'", id);
	} else {
		rc = kmssec_aes_unwrap(key, KMSSEC_KEY_LEN, pad, wrapped, wl, out, cap, out_len);
		if (rc == MST_ERR_BAD_KEY || rc == MST_ERR_RANGE)
			rc = kx_fail(err, err_len, MST_ERR_BAD_KEY,
				     "%s: the key does not unwrap under transport key '%.80s'",
				     (const char *)n->name, id);
		else if (rc != MST_OK)
			rc = kx_fail(err, err_len, rc, "%s: unwrap failed", (const char *)n->name);
	}
	secmem_free(key);
	if (rc != MST_OK) {
		secure_wipe(out, cap);
		*out_len = 0;
	}
	return rc;
}
