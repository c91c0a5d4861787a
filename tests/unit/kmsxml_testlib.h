/* tests/unit/kmsxml_testlib.h - helpers of the test_kmsxml* programs: the
 * vendor samples and their values, textual mutations of a good document,
 * schema validation. */
#ifndef MST_KMSXML_TESTLIB_H
#define MST_KMSXML_TESTLIB_H

#include "test_util.h"
#include "token/kmsxml.h"
#include "token/secmem.h"
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

/* Values as printed in tests/vectors/kms-*-response.xml. */
#define SAMPLE_Z "045958EF1B1679BF099B3A030DF255AA6A23C1D8F143D4D23F753E69BD27A832F38CB4AD53DDEF4260B0FE8BB45C4C1FF510EFFE300367A37B61F701D914AEF09724825FA0707D61A6DFF4FBD7273566CDDE352A0B04B7C16A78309BE640697DE747613A5FC195E8B9F328852A579DB8F99B1D0034479EA9C5595F47C4B2F54FF21508D37514DCF7A8E143A6058C09A6BF2C9858CA37C258065AE6BF7532BC8B5B63383866E0753C5AC0E72709F8445F2E6178E065857E0EDA10F68206B63505ED87E534FB2831FF957FB7DC619DAE61301EEACC2FDA3680EA4999258A833CEA8FC67C6D19487FB449059F26CC8AAB655AB58B7CC796E24E9A394095754F5F8BAE"
#define SAMPLE_KPAK "0450D4670BDE75244F28D2838A0D25558A7A72686D4522D4C8273FB6442AEBFA93DBDD37551AFD263B5DFD617F3960C65A8C298850FF99F20366DCE7D4367217F4"
#define SAMPLE_UID "060c5cddd13b87be1e37d3ff091101684b88aadef26c409a8b49c8da9dd81a05"
#define SAMPLE_RSK "0451E8E3CDE160D2446189803128A3A02BFE20844E202C21CFFDB9E896B88DE02257596197466B32FF05083D2DCE014D11A618B22B0EE506ABFCD66B00D964355DC0D6A4F290DD4E2FD1D4EC3F3CF275DC7B6FF6A8A70BA5327A42A017B2D572F36F92746BFDACD0E4A9290B7D67AC60607F36726274422B6D62C6CD6DFAC7DAEF60067ABAA22D7C078C847F0659F69BE0588BCEA549F3CC4F11E884AFD0B81E80A4CBB1E708F56B7E6B15D0EFF19F06E401E7838F2C738B3FE7F1A866374C36D84D41577A1A68B49F29D8541B2DF4C0FF023299533C84D71A3CD7E6A69118A4CCCC7C4038C33C5F4BD9D81012A0F66EE58AB01AD58EDB0442C5FFCA9829B6C327"
#define SAMPLE_SSK "D31C6FD21791D92D0BC721B50125C2B83450F4727EC5A845853AD30E023C34F3"
#define SAMPLE_PVT "04FA3C2493070D9CF23A0EAEB9EC8CDA15A957B4643A6CEB4F26E998A5F4AF418698E5CBC16844A8DCE106894DDA2BD41C5A4142358F2EDB7F2C58144CF97017D5"

static inline char *cert_sample(size_t *len)
{
	return read_vector("kms-init-response.xml", len);
}

static inline char *keyset_sample(size_t *len)
{
	return read_vector("kms-keyprov-response.xml", len);
}

static inline kms_keyset *new_keyset(void)
{
	kms_keyset *k = secmem_alloc(sizeof *k);
	assert_non_null(k);
	return k;
}

static inline int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* The text from `from` to the end of `to` in doc, inside before/after. */
static inline char *cut_and_wrap(const char *doc, const char *from, const char *to,
				 const char *before, const char *after)
{
	const char *start = strstr(doc, from), *end = strstr(doc, to);
	char *out;

	assert_non_null(start);
	assert_non_null(end);
	end += strlen(to);
	assert_true(asprintf(&out, "%s%.*s%s", before, (int)(end - start), start, after) > 0);
	return out;
}

/* The KmsKeySet of the wrapped sample as a document of its own. */
static inline char *bare_keyset(const char *wrapped)
{
	return cut_and_wrap(wrapped, "<KmsUri>localhost:8080</KmsUri>\n                <UserUri>",
			    "</UserPubTokenPVT>", "<KmsKeySet xmlns=\"" KMSXML_NS "\">", "</KmsKeySet>");
}

#endif
