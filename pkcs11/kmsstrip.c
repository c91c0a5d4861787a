/* pkcs11/kmsstrip.c - remove the secret elements of a KmsKeySet document.
 *
 * libxml2 with network access off and entities left unexpanded; the text of
 * each removed element is wiped before libxml2 frees it.
 */
#include "config.h"
#include "pkcs11/kmsstrip.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "token/secmem.h"

static const char *const secret_elements[] = { "UserDecryptKey", "UserSigningKeySSK" };

static int is_secret(const xmlNode *n)
{
	size_t i;

	if (n->type != XML_ELEMENT_NODE)
		return 0;
	for (i = 0; i < sizeof(secret_elements) / sizeof(secret_elements[0]); i++)
		if (xmlStrEqual(n->name, (const xmlChar *)secret_elements[i]))
			return 1;
	return 0;
}

static void wipe_text(xmlNode *n)
{
	xmlNode *c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->content != NULL)
			secure_wipe(c->content, (size_t)xmlStrlen(c->content));
		wipe_text(c);
	}
}

static void strip(xmlNode *n)
{
	xmlNode *c, *next;

	for (c = n->children; c != NULL; c = next) {
		next = c->next;
		if (is_secret(c)) {
			wipe_text(c);
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else {
			strip(c);
		}
	}
}

mst_rc kmsstrip_keyset(const uint8_t *xml, size_t len, uint8_t **out, size_t *out_len)
{
	xmlDoc *doc;
	xmlChar *mem = NULL;
	int size = 0;

	if (len > 1024 * 1024)
		return MST_ERR_RANGE;
	doc = xmlReadMemory((const char *)xml, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		return MST_ERR_PARSE;
	}
	strip((xmlNode *)doc);
	xmlDocDumpMemory(doc, &mem, &size);
	xmlFreeDoc(doc);
	if (mem == NULL || size <= 0) {
		xmlFree(mem);
		return MST_ERR_NOMEM;
	}
	*out = malloc((size_t)size);
	if (*out == NULL) {
		xmlFree(mem);
		return MST_ERR_NOMEM;
	}
	memcpy(*out, mem, (size_t)size);
	*out_len = (size_t)size;
	xmlFree(mem);
	return MST_OK;
}
