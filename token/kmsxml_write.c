/* token/kmsxml_write.c - write a KmsCertificate or KmsKeySet with libxml2's
 * xmlTextWriter, in the element order of the TS 33.180 schema
 * (tests/vectors/kms-interface.xsd), optionally inside a KmsResponse.
 *
 * Hex is upper case.  The three key elements are of the schema's abstract
 * abstractKeyContentType, so they carry xsi:type="KeyContentType" (plain
 * hexBinary) - without it a validating reader refuses the document.
 * The secrets (RSK, SSK) never pass through libxml2, whose output buffers
 * are freed without being wiped: the writer puts zeros of the right length
 * in their place, and their hex is written over those zeros in our own copy
 * of the result.
 */
#include "config.h"
#include "token/kmsxml.h"
#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/xmlwriter.h>

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define OUT_SIZE 16384

typedef xmlTextWriterPtr W;

_Static_assert(IDENTITY_MAX_LEN >= SAKKE_POINT_LEN, "hex buffer sized for the UserID");

/* libxml2 writer calls return < 0 on failure; chain them with OK(). */
#define OK(call) do { if ((call) < 0) return MST_ERR_NOMEM; } while (0)

static const xmlChar *X(const char *s)
{
	return (const xmlChar *)s;
}

static mst_rc element(W w, const char *name, const char *text)
{
	OK(xmlTextWriterWriteElement(w, X(name), X(text)));
	return MST_OK;
}

static mst_rc element_u64(W w, const char *name, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof text, "%llu", (unsigned long long)v);
	return element(w, name, text);
}

/* Hex element; key != 0 marks it as KeyContentType; v NULL writes len
 * zero octets, the place of a secret filled in by fill_secret(). */
static mst_rc element_hex(W w, const char *name, const uint8_t *v, size_t len, int key)
{
	char text[2 * IDENTITY_MAX_LEN + 1]; /* the longest value: a UserID */
	mst_rc rc = MST_ERR_NOMEM;

	if (v != NULL) {
		hex_encode_upper(v, len, text);
	} else {
		memset(text, '0', 2 * len);
		text[2 * len] = '\0';
	}
	if (xmlTextWriterStartElement(w, X(name)) >= 0 &&
	    (!key || xmlTextWriterWriteAttribute(w, X("xsi:type"), X("KeyContentType")) >= 0) &&
	    xmlTextWriterWriteString(w, X(text)) >= 0 &&
	    xmlTextWriterEndElement(w) >= 0)
		rc = MST_OK;
	secure_wipe(text, sizeof text);
	return rc;
}

static mst_rc start_root(W w, const char *name, int wrapped)
{
	OK(xmlTextWriterStartElement(w, X(name)));
	if (!wrapped) {
		OK(xmlTextWriterWriteAttribute(w, X("xmlns"), X(KMSXML_NS)));
		OK(xmlTextWriterWriteAttribute(w, X("xmlns:xsi"), X(XSI_NS)));
	}
	return MST_OK;
}

/* KmsResponse header up to the opened KmsInit / KmsKeyProv (TS 33.180 D.2.3). */
static mst_rc start_response(W w, const char *user_uri, const char *kms_uri, int keyprov)
{
	char now[KMSXML_TIME_MAX], url[KMSXML_URI_MAX + 64];
	time_t t = time(NULL);
	struct tm tm;
	mst_rc rc;

	if (gmtime_r(&t, &tm) == NULL || strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return MST_ERR_RANGE;
	snprintf(url, sizeof url, "%s%s/keymanagement/identity/v1/%s",
		 strstr(kms_uri, "://") != NULL ? "" : "https://", kms_uri, keyprov ? "keyprov" : "init");
	OK(xmlTextWriterStartElement(w, X("KmsResponse")));
	OK(xmlTextWriterWriteAttribute(w, X("xmlns"), X(KMSXML_NS)));
	OK(xmlTextWriterWriteAttribute(w, X("xmlns:xsi"), X(XSI_NS)));
	OK(xmlTextWriterWriteAttribute(w, X("Version"), X("1.0.0")));
	if ((rc = element(w, "UserUri", user_uri)) != MST_OK ||
	    (rc = element(w, "KmsUri", kms_uri)) != MST_OK ||
	    (rc = element(w, "Time", now)) != MST_OK ||
	    (rc = element(w, "ClientReqUrl", url)) != MST_OK)
		return rc;
	OK(xmlTextWriterStartElement(w, X("KmsMessage")));
	OK(xmlTextWriterStartElement(w, X(keyprov ? "KmsKeyProv" : "KmsInit")));
	OK(xmlTextWriterWriteAttribute(w, X("Version"), X("1.0.0")));
	OK(xmlTextWriterWriteAttribute(w, X("xsi:type"), X(keyprov ? "KmsKeyProvTkIkType" : "KmsInitTkIkType")));
	return MST_OK;
}

static mst_rc write_certificate(W w, const kms_certificate *c, int wrapped)
{
	mst_rc rc;

	if (wrapped && (rc = start_response(w, "", c->kms_uri, 0)) != MST_OK)
		return rc;
	if ((rc = start_root(w, "KmsCertificate", wrapped)) != MST_OK)
		return rc;
	OK(xmlTextWriterWriteAttribute(w, X("Version"), X("1.1.0")));
	OK(xmlTextWriterWriteAttribute(w, X("Role"), X("Root")));
	if (c->cert_uri[0] != '\0' && (rc = element(w, "CertUri", c->cert_uri)) != MST_OK)
		return rc;
	if ((rc = element(w, "KmsUri", c->kms_uri)) != MST_OK ||
	    (rc = element_u64(w, "UserIdFormat", c->user_id_format)) != MST_OK ||
	    (rc = element_u64(w, "UserKeyPeriod", c->user_key_period)) != MST_OK ||
	    (rc = element_u64(w, "UserKeyOffset", c->user_key_offset)) != MST_OK ||
	    (rc = element_hex(w, "PubEncKey", c->pub_enc_key, sizeof c->pub_enc_key, 0)) != MST_OK ||
	    (rc = element_hex(w, "PubAuthKey", c->pub_auth_key, sizeof c->pub_auth_key, 0)) != MST_OK)
		return rc;
	OK(xmlTextWriterEndDocument(w)); /* closes every open element */
	return MST_OK;
}

static mst_rc write_keyset(W w, const kms_keyset *k, int wrapped)
{
	mst_rc rc;

	if (wrapped && (rc = start_response(w, k->user_uri, k->kms_uri, 1)) != MST_OK)
		return rc;
	if ((rc = start_root(w, "KmsKeySet", wrapped)) != MST_OK)
		return rc;
	OK(xmlTextWriterWriteAttribute(w, X("Version"), X("1.1.0")));
	if ((rc = element(w, "KmsUri", k->kms_uri)) != MST_OK ||
	    (rc = element(w, "UserUri", k->user_uri)) != MST_OK ||
	    (rc = element_hex(w, "UserID", k->user_id, k->user_id_len, 0)) != MST_OK)
		return rc;
	if (k->valid_from[0] != '\0' && (rc = element(w, "ValidFrom", k->valid_from)) != MST_OK)
		return rc;
	if (k->valid_to[0] != '\0' && (rc = element(w, "ValidTo", k->valid_to)) != MST_OK)
		return rc;
	if ((rc = element_u64(w, "KeyPeriodNo", k->key_period_no)) != MST_OK ||
	    (rc = element_hex(w, "UserDecryptKey", NULL, sizeof k->rsk, 1)) != MST_OK ||
	    (rc = element_hex(w, "UserSigningKeySSK", NULL, sizeof k->ssk, 1)) != MST_OK ||
	    (rc = element_hex(w, "UserPubTokenPVT", k->pvt, sizeof k->pvt, 1)) != MST_OK)
		return rc;
	OK(xmlTextWriterEndDocument(w));
	return MST_OK;
}

/* Write the hex of secret v over the zeros element_hex() left in the
 * element `name` of doc.  The start tag is unique: text and attribute
 * values are escaped, so "<name " occurs only as that tag. */
static mst_rc fill_secret(char *doc, const char *name, const uint8_t *v, size_t len)
{
	char tag[40], *p, saved;
	size_t i;

	snprintf(tag, sizeof tag, "<%s ", name);
	if ((p = strstr(doc, tag)) == NULL || (p = strchr(p, '>')) == NULL)
		return MST_ERR_ARGS; /* cannot happen: we wrote the element */
	p++;
	for (i = 0; i < 2 * len; i++)
		if (p[i] != '0')
			return MST_ERR_ARGS;
	saved = p[2 * len];
	hex_encode_upper(v, len, p);
	p[2 * len] = saved;
	return MST_OK;
}

static mst_rc fill_secrets(char *doc, const kms_keyset *k)
{
	mst_rc rc = fill_secret(doc, "UserDecryptKey", k->rsk, sizeof k->rsk);

	return rc != MST_OK ? rc : fill_secret(doc, "UserSigningKeySSK", k->ssk, sizeof k->ssk);
}

/* Runs the writer for one kind into a fresh malloc'd copy. */
static mst_rc write_doc(kmsxml_kind kind, const void *v, int wrapped, char **out, size_t *out_len)
{
	xmlBufferPtr buf = xmlBufferCreateSize(OUT_SIZE);
	W w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
	mst_rc rc = MST_ERR_NOMEM;

	if (w != NULL && xmlTextWriterSetIndent(w, 1) >= 0 &&
	    xmlTextWriterSetIndentString(w, X("  ")) >= 0 &&
	    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0)
		rc = kind == KMSXML_CERTIFICATE ? write_certificate(w, v, wrapped)
						: write_keyset(w, v, wrapped);
	if (w != NULL)
		xmlFreeTextWriter(w); /* flushes into buf */
	if (rc == MST_OK) {
		size_t n = (size_t)xmlBufferLength(buf);
		*out = malloc(n + 1);
		if (*out == NULL) {
			rc = MST_ERR_NOMEM;
		} else {
			memcpy(*out, xmlBufferContent(buf), n);
			(*out)[n] = '\0';
			*out_len = n;
			if (kind == KMSXML_KEYSET)
				rc = fill_secrets(*out, v);
		}
	}
	if (rc != MST_OK && *out != NULL) {
		secure_wipe(*out, *out_len);
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	if (buf != NULL) {
		secure_wipe(buf->content, buf->size);
		xmlBufferFree(buf);
	}
	return rc;
}

static int uri_ok(const char *s, size_t cap)
{
	return s[0] != '\0' && memchr(s, '\0', cap) != NULL;
}

static int time_ok(const char *s)
{
	return memchr(s, '\0', KMSXML_TIME_MAX) != NULL;
}

mst_rc kmsxml_write_certificate(const kms_certificate *c, int wrapped, char **out, size_t *out_len)
{
	if (c == NULL || out == NULL || out_len == NULL)
		return MST_ERR_ARGS;
	*out = NULL;
	*out_len = 0;
	if (!uri_ok(c->kms_uri, sizeof c->kms_uri) || memchr(c->cert_uri, '\0', sizeof c->cert_uri) == NULL)
		return MST_ERR_ARGS;
	if ((c->user_id_format != 1 && c->user_id_format != 2) || c->user_key_period == 0)
		return MST_ERR_RANGE;
	return write_doc(KMSXML_CERTIFICATE, c, wrapped, out, out_len);
}

mst_rc kmsxml_write_keyset(const kms_keyset *k, int wrapped, char **out, size_t *out_len)
{
	if (k == NULL || out == NULL || out_len == NULL)
		return MST_ERR_ARGS;
	*out = NULL;
	*out_len = 0;
	if (!uri_ok(k->kms_uri, sizeof k->kms_uri) || !uri_ok(k->user_uri, sizeof k->user_uri) ||
	    !time_ok(k->valid_from) || !time_ok(k->valid_to))
		return MST_ERR_ARGS;
	if (k->user_id_len == 0 || k->user_id_len > sizeof k->user_id)
		return MST_ERR_RANGE;
	return write_doc(KMSXML_KEYSET, k, wrapped, out, out_len);
}
