/* token/kmsxml_redact.c - a key set document without its secrets, for the
 * token's data object (what was imported, minus what must never be read
 * back).  The secret text nodes are wiped before they are unlinked, and the
 * rest of the tree is wiped before it is freed (kx_free_doc). */
#include "config.h"
#include "token/kmsxml.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <stdlib.h>
#include <string.h>

static const char *const secret_elements[] = { "UserDecryptKey", "UserSigningKeySSK" };

/* Wipe and drop every child of element n (text, CDATA, comments...). */
static void empty_element(xmlNodePtr n)
{
	xmlNodePtr c = n->children, next;

	for (; c != NULL; c = next) {
		next = c->next;
		kx_wipe_content(c);
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

mst_rc kmsxml_redact_keyset(const uint8_t *xml, size_t len, char **out, size_t *out_len,
			    char *err, size_t err_len)
{
	xmlDocPtr doc;
	xmlNodePtr payload, n;
	kmsxml_kind kind;
	kx_quiet_state quiet;
	xmlChar *text = NULL;
	int text_len = 0;
	size_t i;
	mst_rc rc;

	if (out == NULL || out_len == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no output");
	*out = NULL;
	*out_len = 0;
	if ((rc = kx_load(xml, len, &doc, err, err_len)) != MST_OK)
		return rc;
	rc = kx_find_payload(doc, &kind, &payload, err, err_len);
	if (rc == MST_OK && kind != KMSXML_KEYSET)
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "document holds no KmsKeySet");
	for (i = 0; rc == MST_OK && i < sizeof secret_elements / sizeof secret_elements[0]; i++) {
		rc = kx_child(payload, secret_elements[i], 1, &n, err, err_len);
		if (rc == MST_OK)
			empty_element(n);
	}
	if (rc == MST_OK) {
		kx_quiet_begin(&quiet);
		xmlDocDumpMemoryEnc(doc, &text, &text_len, "UTF-8");
		kx_quiet_end(&quiet);
		if (text == NULL || text_len < 0 || (*out = malloc((size_t)text_len + 1)) == NULL) {
			rc = kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
		} else {
			memcpy(*out, text, (size_t)text_len);
			(*out)[text_len] = '\0';
			*out_len = (size_t)text_len;
		}
		xmlFree(text);
	}
	kx_free_doc(doc);
	return rc;
}

mst_rc kx_redacted_copy(const xmlNode *ks, char **out, size_t *out_len)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr copy, n;
	kx_quiet_state quiet;
	xmlChar *text = NULL;
	int text_len = 0;
	size_t i;
	mst_rc rc = MST_ERR_NOMEM;

	*out = NULL;
	*out_len = 0;
	if (doc == NULL)
		return rc;
	/* a deep copy declares the namespaces it inherited on its new root */
	copy = xmlDocCopyNode((xmlNodePtr)(uintptr_t)ks, doc, 1);
	if (copy == NULL) {
		xmlFreeDoc(doc);
		return rc;
	}
	xmlDocSetRootElement(doc, copy);
	for (i = 0; i < sizeof secret_elements / sizeof secret_elements[0]; i++)
		if (kx_child(copy, secret_elements[i], 0, &n, NULL, 0) == MST_OK && n != NULL)
			empty_element(n);
	kx_quiet_begin(&quiet);
	xmlDocDumpMemoryEnc(doc, &text, &text_len, "UTF-8");
	kx_quiet_end(&quiet);
	if (text != NULL && text_len > 0 && (*out = malloc((size_t)text_len + 1)) != NULL) {
		memcpy(*out, text, (size_t)text_len);
		(*out)[text_len] = '\0';
		*out_len = (size_t)text_len;
		rc = MST_OK;
	}
	xmlFree(text);
	kx_free_doc(doc);
	return rc;
}
