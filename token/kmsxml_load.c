/* token/kmsxml_load.c - load KMS XML safely and wipe it afterwards.
 *
 * A KMS document never needs a DTD, so the parser is stopped at the first
 * "<!DOCTYPE": no entity is ever declared, hence none can be expanded
 * ("billion laughs") or fetched (external entities); XML_PARSE_NONET also
 * keeps libxml2 off the network and XML_PARSE_NOENT is not set.
 *
 * Wiping: before the tree is freed every text node is overwritten (so the
 * SSK / RSK hex does not linger in freed heap blocks), and so is libxml2's
 * copy of the input (libxml2 2.9's static, no-copy input buffers mis-parse
 * documents over ~500 octets, so the copy cannot be avoided).  Copies that
 * libxml2 makes and frees on its own way (text grown by realloc, encoding
 * conversion of non-UTF-8 input) are out of reach here; mstoken-kms
 * installs wiping allocators for libxml2 (kms/xmlwipe.c) for those, and
 * tests/unit/test_kmsxml_wipe checks that no block libxml2 frees holds a
 * secret.
 */
#include "config.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>

mst_rc kx_fail(char *err, size_t err_len, mst_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err_len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

struct load_state {
	int saw_dtd;
};

/* SAX internalSubset callback: the document has a DOCTYPE; stop before its
 * declarations are read. */
static void refuse_dtd(void *user, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = user;
	struct load_state *st = ctxt->_private;

	(void)name;
	(void)external_id;
	(void)system_id;
	st->saw_dtd = 1;
	xmlStopParser(ctxt);
}

/* libxml2's message for a well-formedness error, on one line.  A message
 * about bad encoding quotes the offending octets ("Bytes: 0x.."), which may
 * come from a secret: that part is cut off. */
static void parse_error_text(xmlParserCtxtPtr ctxt, char *out, size_t cap)
{
	const xmlError *e = xmlCtxtGetLastError(ctxt);
	char *p;

	snprintf(out, cap, "%s", e != NULL && e->message != NULL ? e->message : "unknown error");
	if ((p = strstr(out, "Bytes:")) != NULL)
		*p = '\0';
	for (p = out; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	while (p > out && (p[-1] == ' ' || p[-1] == ','))
		*--p = '\0';
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* libxml2 keeps both handlers per thread: another thread's are untouched. */
void kx_quiet_begin(kx_quiet_state *q)
{
	q->generic = xmlGenericError;
	q->generic_ctx = xmlGenericErrorContext;
	q->structured = xmlStructuredError;
	q->structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
}

void kx_quiet_end(const kx_quiet_state *q)
{
	xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
	xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}

void kx_wipe_content(xmlNodePtr n)
{
	if (n->content != NULL &&
	    (n->doc == NULL || n->doc->dict == NULL || !xmlDictOwns(n->doc->dict, n->content)))
		secure_wipe(n->content, strlen((const char *)n->content));
}

static void wipe_node_list(xmlNodePtr n);

static void wipe_attributes(xmlAttrPtr a)
{
	for (; a != NULL; a = a->next)
		wipe_node_list(a->children);
}

/* Overwrite the content of every node below n. */
static void wipe_node_list(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE ||
		    n->type == XML_COMMENT_NODE)
			kx_wipe_content(n);
		if (n->type == XML_ELEMENT_NODE)
			wipe_attributes(n->properties);
		wipe_node_list(n->children);
	}
}

/* libxml2's copy of the input.  It was made into a fresh buffer starting
 * at `start`, at least len octets long.  Shrinking that buffer moves data
 * down with memmove and leaves stale octets past the live part, so when
 * the buffer still starts at `start` (it was never reallocated) all len
 * octets are wiped; otherwise only the live part can be reached. */
static void wipe_buffer(xmlBufPtr b, const xmlChar *start, size_t len)
{
	if (b == NULL)
		return;
	if (xmlBufContent(b) == start)
		secure_wipe((void *)(uintptr_t)start, len);
	else
		secure_wipe(xmlBufContent(b), xmlBufUse(b));
}

static void wipe_input(xmlParserCtxtPtr ctxt, const xmlChar *start, size_t len)
{
	int i;

	for (i = 0; i < ctxt->inputNr; i++) {
		xmlParserInputPtr in = ctxt->inputTab[i];
		if (in != NULL && in->buf != NULL) {
			wipe_buffer(in->buf->buffer, start, len);
			wipe_buffer(in->buf->raw, start, len); /* before decoding, if any */
		}
	}
}

void kx_free_doc(xmlDocPtr doc)
{
	if (doc == NULL)
		return;
	wipe_node_list(doc->children);
	xmlFreeDoc(doc);
}

static mst_rc load(const uint8_t *xml, size_t len, xmlDocPtr *doc, char *err, size_t err_len)
{
	struct load_state st = { 0 };
	xmlParserCtxtPtr ctxt;
	xmlParserInputBufferPtr buf;
	xmlParserInputPtr input;
	const xmlChar *start;
	char why[160];
	mst_rc rc = MST_OK;

	*doc = NULL;
	if (xml == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "no input");
	if (len == 0)
		return kx_fail(err, err_len, MST_ERR_PARSE, "input is empty");
	if (len > KMSXML_MAX_INPUT)
		return kx_fail(err, err_len, MST_ERR_RANGE,
			       "input is %zu octets, more than the %d accepted", len, KMSXML_MAX_INPUT);

	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
	ctxt->_private = &st;
	ctxt->sax->internalSubset = refuse_dtd;
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			  XML_PARSE_NOCDATA);
	buf = xmlParserInputBufferCreateMem((const char *)xml, (int)len, XML_CHAR_ENCODING_NONE);
	input = buf != NULL ? xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE) : NULL;
	if (input == NULL) {
		if (buf != NULL)
			xmlFreeParserInputBuffer(buf);
		xmlFreeParserCtxt(ctxt);
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory");
	}
	start = xmlBufContent(buf->buffer);
	inputPush(ctxt, input);
	(void)xmlParseDocument(ctxt);

	if (st.saw_dtd) {
		rc = kx_fail(err, err_len, MST_ERR_PARSE,
			     "document type declarations (DTD, entities) are not accepted");
	} else if (!ctxt->wellFormed || ctxt->myDoc == NULL) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		parse_error_text(ctxt, why, sizeof why);
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "not well-formed XML (line %d): %s",
			     e != NULL ? e->line : 0, why);
	}
	if (rc == MST_OK) {
		*doc = ctxt->myDoc;
	} else {
		kx_free_doc(ctxt->myDoc);
	}
	ctxt->myDoc = NULL;
	wipe_input(ctxt, start, len);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

mst_rc kx_load(const uint8_t *xml, size_t len, xmlDocPtr *doc, char *err, size_t err_len)
{
	kx_quiet_state quiet;
	mst_rc rc;

	kx_quiet_begin(&quiet);
	rc = load(xml, len, doc, err, err_len);
	kx_quiet_end(&quiet);
	return rc;
}
