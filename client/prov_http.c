/* client/prov_http.c - one KMS request over HTTPS (libcurl): a KmsRequest
 * written with libxml2's xmlTextWriter, POSTed with the access token; the
 * answer kept as it is (the token checks it).  TLS only, the server
 * checked against the given CA, no redirects, at most 64 KiB back. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <libxml/xmlwriter.h>
#include <openssl/crypto.h>
#include "client/prov.h"

#define KMS_NS "urn:3gpp:ns:mcsecKMSInterface:1.0"
#define MAX_ANSWER (64 * 1024)

#define fail prov_fail

#define X(s) ((const xmlChar *)(s))

/* <KmsRequest>: UserUri, KmsUri, Time (now, UTC), ClientId, ClientReqUrl. */
static int request_body(const struct prov_enrol *e, const char *url, struct prov_body *b)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	int ok;

	if (w == NULL) {
		xmlBufferFree(buf);
		return -1;
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ok = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
	     xmlTextWriterStartElementNS(w, NULL, X("KmsRequest"), X(KMS_NS)) >= 0 &&
	     xmlTextWriterWriteAttribute(w, X("Version"), X("1.0.0")) >= 0 &&
	     xmlTextWriterWriteElement(w, X("UserUri"), X(e->user_uri)) >= 0 &&
	     xmlTextWriterWriteElement(w, X("KmsUri"), X(e->kms_uri)) >= 0 &&
	     xmlTextWriterWriteElement(w, X("Time"), X(now)) >= 0 &&
	     xmlTextWriterWriteElement(w, X("ClientId"), X("mikey-sakke provision")) >= 0 &&
	     xmlTextWriterWriteElement(w, X("ClientReqUrl"), X(url)) >= 0 &&
	     xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndDocument(w) >= 0;
	xmlFreeTextWriter(w);
	if (ok && (b->data = malloc((size_t)xmlBufferLength(buf) + 1)) != NULL) {
		b->len = (size_t)xmlBufferLength(buf);
		memcpy(b->data, xmlBufferContent(buf), b->len + 1);
	}
	xmlBufferFree(buf);
	return ok && b->data != NULL ? 0 : -1;
}

struct answer {
	struct prov_body *b;
	int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *user)
{
	struct answer *a = user;
	size_t add = size * n;
	char *grown;

	if (a->b->len + add > MAX_ANSWER) {
		a->too_big = 1;
		return 0;
	}
	grown = realloc(a->b->data, a->b->len + add + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + a->b->len, p, add);
	a->b->len += add;
	grown[a->b->len] = '\0';
	a->b->data = grown;
	return add;
}

int prov_http_post(const char *kms, const char *cacert, const char *op, int next,
		   const struct prov_enrol *e, struct prov_body *out, long *http,
		   char *err, size_t err_len)
{
	char url[1024], auth[PROV_TEXT_MAX + 32], curl_err[CURL_ERROR_SIZE] = "";
	struct prov_body req = { NULL, 0 };
	struct answer a = { out, 0 };
	struct curl_slist *h = NULL;
	char *type = NULL;
	CURL *c;
	CURLcode cc;
	int rc = -1;
	size_t kl = strlen(kms);

	*http = 0;
	out->data = NULL;
	out->len = 0;
	while (kl > 0 && kms[kl - 1] == '/')
		kl--;
	if ((size_t)snprintf(url, sizeof url, "%.*s/keymanagement/identity/v1/%s%s", (int)kl, kms, op,
			     next ? "?next=1" : "") >= sizeof url)
		return fail(err, err_len, "--kms URL too long");
	if (request_body(e, url, &req) != 0)
		return fail(err, err_len, "cannot write the KmsRequest");
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", e->access_token);
	if ((c = curl_easy_init()) == NULL ||
	    (h = curl_slist_append(h, auth)) == NULL ||
	    (h = curl_slist_append(h, "Content-Type: application/xml")) == NULL) {
		rc = fail(err, err_len, "out of memory");
		goto done;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req.len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		rc = a.too_big ? fail(err, err_len, "the KMS answer is over %d octets", MAX_ANSWER)
			       : fail(err, err_len, "cannot reach the KMS at %s: %s", url,
				      curl_err[0] ? curl_err : curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
	if (*http == 401)
		rc = fail(err, err_len, "unauthorised (the KMS refused the access token)");
	else if (*http == 403)
		rc = fail(err, err_len, "forbidden (the KMS refused these keys to this access token)");
	else if (*http != 200)
		rc = fail(err, err_len, "the KMS answered HTTP %ld to %s", *http, op);
	else if (type == NULL || strncmp(type, "application/xml", 15) != 0 || out->len == 0)
		rc = fail(err, err_len, "the KMS answer is not application/xml");
	else
		rc = 0;
done:
	OPENSSL_cleanse(auth, sizeof auth);
	curl_slist_free_all(h);
	if (c != NULL)
		curl_easy_cleanup(c);
	free(req.data);
	if (rc != 0) {
		free(out->data);
		out->data = NULL;
		out->len = 0;
	}
	return rc;
}
