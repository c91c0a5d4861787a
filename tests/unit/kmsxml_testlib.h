/* tests/unit/kmsxml_testlib.h - helpers of test_kmsxml: sample files,
 * textual mutations of a good document, schema validation. */
#ifndef MST_KMSXML_TESTLIB_H
#define MST_KMSXML_TESTLIB_H

#include "test_util.h"
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

/* The folder of the vendor samples and the schema (copied into the repo). */
static inline const char *vectors_dir(void)
{
	const char *d = getenv("MSTOKEN_INTEROP_DIR");
	return d != NULL ? d : "tests/vectors";
}

/* Whole file of tests/vectors as a NUL-terminated malloc'd string. */
static inline char *read_vector(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof path, "%s/%s", vectors_dir(), name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* base with the first `from` replaced by `to`; fails the test when `from`
 * is not there (so a mutation can never silently test the good document). */
static inline char *mutate(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t lb = strlen(base), lf = strlen(from), lt = strlen(to);
	char *out;

	if (at == NULL)
		fail_msg("mutation source not found: %.60s", from);
	out = malloc(lb - lf + lt + 1);
	assert_non_null(out);
	memcpy(out, base, (size_t)(at - base));
	memcpy(out + (at - base), to, lt);
	memcpy(out + (at - base) + lt, at + lf, lb - (size_t)(at - base) - lf + 1);
	return out;
}

/* Stub schemas for the three namespaces kms-interface.xsd imports without
 * a schemaLocation (XML-DSig, XML-Enc, the KMS redirect schema): only the
 * names it refers to are declared, as "anything".  Our documents use none
 * of them, so every element we write is still checked by the real schema. */
static const struct {
	const char *ns, *body;
} schema_stubs[] = {
	{ "http://www.w3.org/2000/09/xmldsig#", "<xsd:element name=\"Signature\" type=\"xsd:anyType\"/>" },
	{ "http://www.w3.org/2001/04/xmlenc#", "<xsd:element name=\"EncryptedKey\" type=\"xsd:anyType\"/>" },
	{ "urn:3gpp:ns:mcsecKMSKRR:1.0", "<xsd:complexType name=\"KmsRedirectResponseType\"><xsd:sequence>"
	  "<xsd:any processContents=\"skip\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>"
	  "</xsd:sequence></xsd:complexType>" },
};

/* Compiles tests/vectors/kms-interface.xsd with the stubs in dir. */
static inline xmlSchemaPtr load_kms_schema(const char *dir)
{
	char path[1024];
	xmlDocPtr xsd;
	xmlNodePtr n;
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	size_t i, used = 0;

	snprintf(path, sizeof path, "%s/kms-interface.xsd", vectors_dir());
	xsd = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(xsd);
	for (n = xmlDocGetRootElement(xsd)->children; n != NULL; n = n->next) {
		xmlChar *ns;
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "import") != 0)
			continue;
		ns = xmlGetProp(n, (const xmlChar *)"namespace");
		assert_non_null(ns);
		for (i = 0; i < sizeof schema_stubs / sizeof schema_stubs[0]; i++) {
			FILE *f;
			if (strcmp((const char *)ns, schema_stubs[i].ns) != 0)
				continue;
			snprintf(path, sizeof path, "%s/stub%zu.xsd", dir, i);
			f = fopen(path, "w");
			assert_non_null(f);
			fprintf(f, "<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
				"targetNamespace=\"%s\">%s</xsd:schema>\n", schema_stubs[i].ns,
				schema_stubs[i].body);
			fclose(f);
			xmlSetProp(n, (const xmlChar *)"schemaLocation", (const xmlChar *)path);
			used++;
		}
		xmlFree(ns);
	}
	assert_int_equal(used, 3); /* the schema imports exactly these */
	pc = xmlSchemaNewDocParserCtxt(xsd);
	assert_non_null(pc);
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	xmlFreeDoc(xsd);
	assert_non_null(schema);
	return schema;
}

/* 0 when text is valid against the schema. */
static inline int schema_validate(xmlSchemaPtr schema, const char *text, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)len, "doc.xml", NULL, XML_PARSE_NONET);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	int r;

	assert_non_null(doc);
	assert_non_null(vc);
	r = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	return r;
}

#endif
