/* tests/unit/test_kmsxml.c - KMS XML: the vendor samples, round trips,
 * schema validity of what we write, and every kind of bad input. */
#include "config.h"
#include "kmsxml_testlib.h"
#include "token/kmsxml.h"
#include "token/secmem.h"

#include <malloc.h>
#include <time.h>
#include <libxml/xmlmemory.h>

/* Values as printed in tests/vectors/kms-*-response.xml. */
#define SAMPLE_Z "045958EF1B1679BF099B3A030DF255AA6A23C1D8F143D4D23F753E69BD27A832F38CB4AD53DDEF4260B0FE8BB45C4C1FF510EFFE300367A37B61F701D914AEF09724825FA0707D61A6DFF4FBD7273566CDDE352A0B04B7C16A78309BE640697DE747613A5FC195E8B9F328852A579DB8F99B1D0034479EA9C5595F47C4B2F54FF21508D37514DCF7A8E143A6058C09A6BF2C9858CA37C258065AE6BF7532BC8B5B63383866E0753C5AC0E72709F8445F2E6178E065857E0EDA10F68206B63505ED87E534FB2831FF957FB7DC619DAE61301EEACC2FDA3680EA4999258A833CEA8FC67C6D19487FB449059F26CC8AAB655AB58B7CC796E24E9A394095754F5F8BAE"
#define SAMPLE_KPAK "0450D4670BDE75244F28D2838A0D25558A7A72686D4522D4C8273FB6442AEBFA93DBDD37551AFD263B5DFD617F3960C65A8C298850FF99F20366DCE7D4367217F4"
#define SAMPLE_UID "060c5cddd13b87be1e37d3ff091101684b88aadef26c409a8b49c8da9dd81a05"
#define SAMPLE_RSK "0451E8E3CDE160D2446189803128A3A02BFE20844E202C21CFFDB9E896B88DE02257596197466B32FF05083D2DCE014D11A618B22B0EE506ABFCD66B00D964355DC0D6A4F290DD4E2FD1D4EC3F3CF275DC7B6FF6A8A70BA5327A42A017B2D572F36F92746BFDACD0E4A9290B7D67AC60607F36726274422B6D62C6CD6DFAC7DAEF60067ABAA22D7C078C847F0659F69BE0588BCEA549F3CC4F11E884AFD0B81E80A4CBB1E708F56B7E6B15D0EFF19F06E401E7838F2C738B3FE7F1A866374C36D84D41577A1A68B49F29D8541B2DF4C0FF023299533C84D71A3CD7E6A69118A4CCCC7C4038C33C5F4BD9D81012A0F66EE58AB01AD58EDB0442C5FFCA9829B6C327"
#define SAMPLE_SSK "D31C6FD21791D92D0BC721B50125C2B83450F4727EC5A845853AD30E023C34F3"
#define SAMPLE_PVT "04FA3C2493070D9CF23A0EAEB9EC8CDA15A957B4643A6CEB4F26E998A5F4AF418698E5CBC16844A8DCE106894DDA2BD41C5A4142358F2EDB7F2C58144CF97017D5"

static char *cert_sample(size_t *len)
{
	return read_vector("kms-init-response.xml", len);
}

static char *keyset_sample(size_t *len)
{
	return read_vector("kms-keyprov-response.xml", len);
}

static kms_keyset *new_keyset(void)
{
	kms_keyset *k = secmem_alloc(sizeof *k);
	assert_non_null(k);
	return k;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void parses_init_sample(void **state)
{
	size_t len;
	char *xml = cert_sample(&len), err[200];
	kms_certificate c;

	(void)state;
	assert_int_equal(kmsxml_detect((uint8_t *)xml, len), KMSXML_CERTIFICATE);
	assert_int_equal(kmsxml_parse_certificate((uint8_t *)xml, len, &c, err, sizeof err), MST_OK);
	assert_string_equal(c.kms_uri, "localhost:8080");
	assert_string_equal(c.cert_uri, "");
	assert_int_equal(c.user_id_format, 2);
	assert_int_equal(c.user_key_period, 2592000);
	assert_int_equal(c.user_key_offset, 0);
	assert_hex_equal(c.pub_enc_key, sizeof c.pub_enc_key, SAMPLE_Z);
	assert_hex_equal(c.pub_auth_key, sizeof c.pub_auth_key, SAMPLE_KPAK);
	free(xml);
}

static void parses_keyprov_sample(void **state)
{
	size_t len;
	char *xml = keyset_sample(&len), err[200];
	kms_keyset *k = new_keyset();

	(void)state;
	assert_int_equal(kmsxml_detect((uint8_t *)xml, len), KMSXML_KEYSET);
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)xml, len, k, err, sizeof err), MST_OK);
	assert_string_equal(k->kms_uri, "localhost:8080");
	assert_string_equal(k->user_uri, "alice@org.com");
	assert_hex_equal(k->user_id, k->user_id_len, SAMPLE_UID);
	assert_int_equal(k->key_period_no, 625);
	assert_string_equal(k->valid_from, "");
	assert_string_equal(k->valid_to, "");
	assert_hex_equal(k->rsk, sizeof k->rsk, SAMPLE_RSK);
	assert_hex_equal(k->ssk, sizeof k->ssk, SAMPLE_SSK);
	assert_hex_equal(k->pvt, sizeof k->pvt, SAMPLE_PVT);
	kms_keyset_wipe(k);
	assert_true(all_zero(k, sizeof *k));
	secmem_free(k);
	free(xml);
}

static void fill_certificate(kms_certificate *c)
{
	size_t n;
	uint8_t *z = test_hex(SAMPLE_Z, &n), *kpak;

	memset(c, 0, sizeof *c);
	strcpy(c->kms_uri, "kms.example.org");
	strcpy(c->cert_uri, "kms.example.org/cert/1");
	c->user_id_format = 1;
	c->user_key_period = 86400;
	c->user_key_offset = 3600;
	memcpy(c->pub_enc_key, z, n);
	kpak = test_hex(SAMPLE_KPAK, &n);
	memcpy(c->pub_auth_key, kpak, n);
	free(z);
	free(kpak);
}

static void fill_keyset(kms_keyset *k)
{
	size_t n, i;
	uint8_t *b;

	strcpy(k->kms_uri, "kms.example.org");
	/* '&' and '<' must be escaped; the text of a start tag must not be
	 * mistaken for the tag whose zeros take the secret */
	strcpy(k->user_uri, "sip:alice@example.org;x=a&b<UserSigningKeySSK x>");
	k->user_id_len = IDENTITY_MAX_LEN; /* the longest identifier */
	for (i = 0; i < k->user_id_len; i++)
		k->user_id[i] = (uint8_t)(i * 7 + 1);
	k->key_period_no = UINT64_MAX;
	strcpy(k->valid_from, "2026-11-01T00:00:00Z");
	strcpy(k->valid_to, "2026-12-01T00:00:00Z");
	b = test_hex(SAMPLE_RSK, &n);
	memcpy(k->rsk, b, n);
	free(b);
	b = test_hex(SAMPLE_SSK, &n);
	memcpy(k->ssk, b, n);
	free(b);
	b = test_hex(SAMPLE_PVT, &n);
	memcpy(k->pvt, b, n);
	free(b);
}

static void certificate_round_trip(void **state)
{
	kms_certificate c, back;
	char *xml, err[200];
	size_t len;
	int wrapped;

	(void)state;
	fill_certificate(&c);
	for (wrapped = 0; wrapped <= 1; wrapped++) {
		assert_int_equal(kmsxml_write_certificate(&c, wrapped, &xml, &len), MST_OK);
		assert_int_equal(strlen(xml), len);
		assert_non_null(strstr(xml, SAMPLE_Z)); /* upper-case hex */
		assert_true((strstr(xml, "<KmsResponse") != NULL) == wrapped);
		assert_int_equal(kmsxml_detect((uint8_t *)xml, len), KMSXML_CERTIFICATE);
		assert_int_equal(kmsxml_parse_certificate((uint8_t *)xml, len, &back, err, sizeof err),
				 MST_OK);
		assert_memory_equal(&c, &back, sizeof c);
		free(xml);
	}
}

static void keyset_round_trip(void **state)
{
	kms_keyset *k = new_keyset(), *back = new_keyset();
	char *xml, err[200];
	size_t len;
	int wrapped;

	(void)state;
	fill_keyset(k);
	for (wrapped = 0; wrapped <= 1; wrapped++) {
		assert_int_equal(kmsxml_write_keyset(k, wrapped, &xml, &len), MST_OK);
		assert_non_null(strstr(xml, SAMPLE_SSK));
		assert_non_null(strstr(xml, "x=a&amp;b"));
		assert_true((strstr(xml, "<KmsKeyProv") != NULL) == wrapped);
		assert_int_equal(kmsxml_detect((uint8_t *)xml, len), KMSXML_KEYSET);
		assert_int_equal(kmsxml_parse_keyset((uint8_t *)xml, len, back, err, sizeof err), MST_OK);
		assert_memory_equal(k, back, sizeof *k);
		secure_wipe(xml, len);
		free(xml);
	}
	secmem_free(k);
	secmem_free(back);
}

static void writer_refuses_bad_structs(void **state)
{
	kms_certificate c;
	kms_keyset *k = new_keyset();
	char marker[] = "unchanged", *xml = marker;
	size_t len;

	(void)state;
	fill_certificate(&c);
	c.user_id_format = 3;
	assert_int_equal(kmsxml_write_certificate(&c, 0, &xml, &len), MST_ERR_RANGE);
	assert_null(xml);
	fill_certificate(&c);
	c.user_key_period = 0;
	assert_int_equal(kmsxml_write_certificate(&c, 0, &xml, &len), MST_ERR_RANGE);
	c.kms_uri[0] = '\0';
	assert_int_equal(kmsxml_write_certificate(&c, 0, &xml, &len), MST_ERR_ARGS);
	assert_int_equal(kmsxml_write_certificate(NULL, 0, &xml, &len), MST_ERR_ARGS);
	fill_keyset(k);
	k->user_id_len = 0;
	assert_int_equal(kmsxml_write_keyset(k, 0, &xml, &len), MST_ERR_RANGE);
	fill_keyset(k);
	memset(k->user_uri, 'a', sizeof k->user_uri); /* not terminated */
	assert_int_equal(kmsxml_write_keyset(k, 0, &xml, &len), MST_ERR_ARGS);
	secmem_free(k);
}

/* Everything we write validates against tests/vectors/kms-interface.xsd;
 * the vendor key set sample does not (no xsi:type on its abstract-typed
 * key elements), which shows the validation is real. */
static void written_xml_validates(void **state)
{
	char dir[] = "/tmp/test_kmsxml.XXXXXX", path[1100], *xml;
	xmlSchemaPtr schema;
	kms_certificate c;
	kms_keyset *k = new_keyset();
	size_t len, i;
	int wrapped;

	(void)state;
	assert_non_null(mkdtemp(dir));
	schema = load_kms_schema(dir);
	fill_certificate(&c);
	fill_keyset(k);
	for (wrapped = 0; wrapped <= 1; wrapped++) {
		assert_int_equal(kmsxml_write_certificate(&c, wrapped, &xml, &len), MST_OK);
		assert_int_equal(schema_validate(schema, xml, len), 0);
		free(xml);
		assert_int_equal(kmsxml_write_keyset(k, wrapped, &xml, &len), MST_OK);
		assert_int_equal(schema_validate(schema, xml, len), 0);
		secure_wipe(xml, len);
		free(xml);
	}
	xml = cert_sample(&len);
	assert_int_equal(schema_validate(schema, xml, len), 0);
	free(xml);
	xml = keyset_sample(&len);
	assert_int_not_equal(schema_validate(schema, xml, len), 0);
	free(xml);
	xmlSchemaFree(schema);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/stub%zu.xsd", dir, i);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
	secmem_free(k);
}

/* A bad document: expected code and a fragment of the reason. */
struct bad_case {
	const char *what;
	char *xml;     /* malloc'd */
	size_t len;    /* 0: strlen */
	mst_rc rc;
	const char *reason;
};

static void expect_keyset_refused(const struct bad_case *t)
{
	kms_keyset *k = new_keyset();
	char err[256] = "";
	size_t len = t->len != 0 ? t->len : strlen(t->xml);
	mst_rc rc = kmsxml_parse_keyset((const uint8_t *)t->xml, len, k, err, sizeof err);

	if (rc != t->rc || strstr(err, t->reason) == NULL)
		fail_msg("%s: got %d \"%s\", expected %d \"...%s...\"", t->what, rc, err, t->rc, t->reason);
	assert_true(all_zero(k, sizeof *k)); /* nothing half-filled */
	assert_null(strstr(err, "D31C6FD2")); /* no secret in the reason */
	assert_null(strstr(err, "0451E8E3"));
	assert_null(strchr(err, '\n'));
	secmem_free(k);
}

static void expect_certificate_refused(const struct bad_case *t)
{
	kms_certificate c;
	char err[256] = "";
	size_t len = t->len != 0 ? t->len : strlen(t->xml);
	mst_rc rc = kmsxml_parse_certificate((const uint8_t *)t->xml, len, &c, err, sizeof err);

	if (rc != t->rc || strstr(err, t->reason) == NULL)
		fail_msg("%s: got %d \"%s\", expected %d \"...%s...\"", t->what, rc, err, t->rc, t->reason);
	assert_true(all_zero(&c, sizeof c));
	assert_null(strchr(err, '\n'));
}

static void run_cases(struct bad_case *cases, size_t n, void (*expect)(const struct bad_case *))
{
	size_t i;

	for (i = 0; i < n; i++) {
		expect(&cases[i]);
		free(cases[i].xml);
	}
}

/* n hex digits (n < 4096) in a static buffer. */
static const char *hex_digits(size_t n)
{
	static char buf[4096];

	assert_true(n < sizeof buf);
	memset(buf, 'a', n);
	buf[n] = '\0';
	return buf;
}

#define KS_PVT "<UserPubTokenPVT>" SAMPLE_PVT "</UserPubTokenPVT>"

static void keyset_bad_inputs(void **state)
{
	size_t len, cert_len;
	char *base = keyset_sample(&len);
	char *big = malloc(KMSXML_MAX_INPUT + 2);
	struct bad_case cases[] = {
		{ "not XML", strdup("this is not XML"), 0, MST_ERR_PARSE, "not well-formed XML" },
		{ "empty", strdup(""), 0, MST_ERR_PARSE, "input is empty" },
		{ "NUL octet", strdup(""), 1, MST_ERR_PARSE, "not well-formed XML" },
		{ "wrong namespace", mutate(base, KMSXML_NS, "urn:example:other"), 0, MST_ERR_PARSE,
		  "KmsResponse: namespace is 'urn:example:other', expected urn:3gpp" },
		{ "missing element", mutate(base, KS_PVT, ""), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserPubTokenPVT: missing" },
		{ "duplicate", mutate(base, KS_PVT, KS_PVT KS_PVT), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserPubTokenPVT: appears more than once" },
		{ "misspelt", mutate(base, "<KeyPeriodNo>", "<KeyPeriodno>1</KeyPeriodno><KeyPeriodNo>"), 0,
		  MST_ERR_PARSE, "KmsKeySet/KeyPeriodno: unexpected element" },
		{ "bad hex digit", mutate(base, "<UserSigningKeySSK>D31C", "<UserSigningKeySSK>G31C"), 0,
		  MST_ERR_PARSE, "KmsKeySet/UserSigningKeySSK: not hexadecimal" },
		{ "short SSK", mutate(base, "<UserSigningKeySSK>D3", "<UserSigningKeySSK>"), 0,
		  MST_ERR_PARSE, "KmsKeySet/UserSigningKeySSK: expected 64 hex digits, got 62" },
		{ "SSK with a nonzero extra octet", mutate(base, "<UserSigningKeySSK>", "<UserSigningKeySSK>01"),
		  0, MST_ERR_PARSE, "KmsKeySet/UserSigningKeySSK: not hexadecimal (or extra leading octets not zero)" },
		{ "long RSK", mutate(base, "<UserDecryptKey>04", "<UserDecryptKey>0400"), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserDecryptKey: expected 514 hex digits, got 516" },
		{ "PVT not a point", mutate(base, "<UserPubTokenPVT>04", "<UserPubTokenPVT>05"), 0,
		  MST_ERR_PARSE, "KmsKeySet/UserPubTokenPVT: expected an uncompressed point" },
		{ "odd UserID", mutate(base, SAMPLE_UID "<", SAMPLE_UID "0<"), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserID: expected an even number of hex digits, 2 to 2048, got 65" },
		{ "empty UserID", mutate(base, SAMPLE_UID, ""), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserID: expected an even number of hex digits, 2 to 2048, got 0" },
		{ "too long UserID", mutate(base, SAMPLE_UID, hex_digits(2 * IDENTITY_MAX_LEN + 2)), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserID: expected an even number of hex digits, 2 to 2048, got 2050" },
		{ "overflowing integer", mutate(base, ">625<", ">18446744073709551616<"), 0, MST_ERR_RANGE,
		  "KmsKeySet/KeyPeriodNo: number does not fit in 64 bits" },
		{ "negative", mutate(base, ">625<", ">-1<"), 0, MST_ERR_RANGE,
		  "KmsKeySet/KeyPeriodNo: must not be negative" },
		{ "not a number", mutate(base, ">625<", ">6x5<"), 0, MST_ERR_PARSE,
		  "KmsKeySet/KeyPeriodNo: expected a decimal number" },
		{ "bad ValidFrom", mutate(base, "<KeyPeriodNo>", "<ValidFrom>yesterday</ValidFrom><KeyPeriodNo>"),
		  0, MST_ERR_PARSE, "KmsKeySet/ValidFrom: expected an xsd:dateTime" },
		{ "element in a value", mutate(base, "<UserUri>alice@org.com</UserUri>\n                <UserID>",
					       "<UserUri><b/>alice@org.com</UserUri><UserID>"), 0, MST_ERR_PARSE,
		  "KmsKeySet/UserUri: holds element b" },
		{ "empty URI", mutate(base, "<UserUri>alice@org.com</UserUri>\n                <UserID>",
				      "<UserUri> </UserUri><UserID>"), 0, MST_ERR_PARSE, "KmsKeySet/UserUri: is empty" },
		{ "revoked", mutate(base, "<UserDecryptKey>", "<Revoked>true</Revoked><UserDecryptKey>"), 0,
		  MST_ERR_RANGE, "KmsKeySet/Revoked: the KMS has revoked it" },
		{ "encrypted key", mutate(base, "<UserDecryptKey>", "<UserDecryptKey><xe:EncryptedKey "
					  "xmlns:xe=\"http://www.w3.org/2001/04/xmlenc#\"/>"), 0,
		  MST_ERR_UNSUPPORTED, "KmsKeySet/UserDecryptKey: encrypted key content is not supported" },
		{ "two key sets", mutate(base, "</KmsKeySet>", "</KmsKeySet><KmsKeySet/>"), 0, MST_ERR_RANGE,
		  "KmsKeyProv: holds 2 key sets" },
		{ "KMS error", mutate(base, "<KmsMessage>", "<KmsError><ErrorCode>1</ErrorCode>"
				      "<ErrorMsg>no</ErrorMsg></KmsError><KmsMessage>"), 0, MST_ERR_PARSE,
		  "KmsResponse: holds a KmsError" },
		{ "a certificate", cert_sample(&cert_len), 0, MST_ERR_PARSE,
		  "document holds a KmsCertificate, expected a KmsKeySet" },
		{ "truncated", strdup(base), len / 2, MST_ERR_PARSE, "not well-formed XML" },
		{ "oversized", big, KMSXML_MAX_INPUT + 1, MST_ERR_RANGE, "more than the 65536 accepted" },
	};

	(void)state;
	assert_non_null(big);
	memset(big, ' ', KMSXML_MAX_INPUT + 1);
	memcpy(big, base, strlen(base)); /* a good document, padded */
	big[KMSXML_MAX_INPUT + 1] = '\0';
	run_cases(cases, sizeof cases / sizeof cases[0], expect_keyset_refused);
	free(base);
}

static void certificate_bad_inputs(void **state)
{
	size_t len;
	char *base = cert_sample(&len);
	struct bad_case cases[] = {
		{ "format 3", mutate(base, ">2</UserIdFormat>", ">3</UserIdFormat>"), 0, MST_ERR_RANGE,
		  "KmsCertificate/UserIdFormat: '3' is not supported, expected 1 or 2" },
		{ "period 0", mutate(base, ">2592000<", ">0<"), 0, MST_ERR_RANGE,
		  "KmsCertificate/UserKeyPeriod: must be positive" },
		{ "overflowing offset", mutate(base, "<UserKeyOffset>0", "<UserKeyOffset>99999999999999999999"),
		  0, MST_ERR_RANGE, "KmsCertificate/UserKeyOffset: number does not fit in 64 bits" },
		{ "short Z", mutate(base, "<PubEncKey>04", "<PubEncKey>"), 0, MST_ERR_PARSE,
		  "KmsCertificate/PubEncKey: expected 514 hex digits, got 512" },
		{ "parameter set 2", mutate(base, "</PubAuthKey>", "</PubAuthKey><ParameterSet>2</ParameterSet>"),
		  0, MST_ERR_RANGE, "KmsCertificate/ParameterSet: only SAKKE parameter set 1" },
		{ "unknown root", strdup("<a xmlns=\"" KMSXML_NS "\"/>"), 0, MST_ERR_PARSE,
		  "root element a is not a KmsCertificate" },
		{ "no namespace", strdup("<KmsCertificate/>"), 0, MST_ERR_PARSE,
		  "KmsCertificate: namespace is '', expected urn:3gpp:ns:mcsecKMSInterface:1.0" },
	};
	(void)state;
	run_cases(cases, sizeof cases / sizeof cases[0], expect_certificate_refused);
	free(base);
}

static void certificate_missing_element(void **state)
{
	size_t len;
	char *base = cert_sample(&len), *a, *b;
	struct bad_case t = { "missing PubAuthKey", NULL, 0, MST_ERR_PARSE,
			      "KmsCertificate/PubAuthKey: missing" };

	(void)state;
	a = mutate(base, "<PubAuthKey>", "<!--");
	t.xml = mutate(a, "</PubAuthKey>", "-->");
	expect_certificate_refused(&t);
	free(t.xml);
	b = mutate(base, "<KmsMessage>", "<KmsMessag>");
	t.xml = mutate(b, "</KmsMessage>", "</KmsMessag>");
	t.reason = "KmsResponse/KmsMessage: missing";
	expect_certificate_refused(&t);
	free(t.xml);
	free(a);
	free(b);
	free(base);
}

/* The SSK may be printed as a wider integer with leading zero octets. */
static void ssk_with_leading_zeros(void **state)
{
	size_t len;
	char *base = keyset_sample(&len), *xml, err[200];
	kms_keyset *k = new_keyset();

	(void)state;
	xml = mutate(base, "<UserSigningKeySSK>", "<UserSigningKeySSK>\n  0000");
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)xml, strlen(xml), k, err, sizeof err), MST_OK);
	assert_hex_equal(k->ssk, sizeof k->ssk, SAMPLE_SSK);
	free(xml);
	secmem_free(k);
	free(base);
}

/* The redacted key set keeps everything but the SSK and RSK. */
static void redacts_secrets(void **state)
{
	size_t len, rlen;
	char *xml = keyset_sample(&len), *red, err[200];
	kms_keyset *k = new_keyset();

	(void)state;
	assert_int_equal(kmsxml_redact_keyset((uint8_t *)xml, len, &red, &rlen, err, sizeof err), MST_OK);
	assert_int_equal(strlen(red), rlen);
	assert_null(strstr(red, SAMPLE_SSK));
	assert_null(strstr(red, SAMPLE_RSK + 2));
	assert_non_null(strstr(red, SAMPLE_PVT));
	assert_non_null(strstr(red, SAMPLE_UID));
	assert_non_null(strstr(red, "<KmsResponse")); /* the wrapper is kept */
	assert_int_equal(kmsxml_detect((uint8_t *)red, rlen), KMSXML_KEYSET);
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)red, rlen, k, err, sizeof err), MST_ERR_PARSE);
	assert_string_equal(err, "KmsKeySet/UserDecryptKey: expected 514 hex digits, got 0");
	free(red);
	free(xml);
	xml = cert_sample(&len);
	assert_int_equal(kmsxml_redact_keyset((uint8_t *)xml, len, &red, &rlen, err, sizeof err),
			 MST_ERR_PARSE);
	assert_null(red);
	assert_string_equal(err, "document holds no KmsKeySet");
	free(xml);
	secmem_free(k);
}

static void expect_refusal_reason(mst_rc rc, const char *err)
{
	if (rc != MST_OK && (err[0] == '\0' || strchr(err, '\n') != NULL))
		fail_msg("refusal %d without a one-line reason: \"%s\"", rc, err);
}

/* Every proper prefix of the sample is refused, and every one-octet change
 * is either accepted or refused with a one-line reason: never a crash or a
 * hang (run under valgrind or ASan for memory errors). */
static void mutation_sweep(void **state)
{
	static const char subst[] = { '\0', '<', '>', '&', '"', '/', 'G', '0', ' ', '\xff' };
	size_t len, i, j, end, accepted = 0;
	char *xml = keyset_sample(&len), err[256];
	kms_keyset *k = new_keyset();
	mst_rc rc;

	(void)state;
	end = (size_t)(strrchr(xml, '>') - xml) + 1;
	for (i = 0; i < end; i++) {
		err[0] = '\0';
		rc = kmsxml_parse_keyset((uint8_t *)xml, i, k, err, sizeof err);
		assert_int_not_equal(rc, MST_OK);
		expect_refusal_reason(rc, err);
	}
	for (i = 0; i < len; i++) {
		char saved = xml[i];
		for (j = 0; j < sizeof subst; j++) {
			xml[i] = subst[j];
			err[0] = '\0';
			rc = kmsxml_parse_keyset((uint8_t *)xml, len, k, err, sizeof err);
			expect_refusal_reason(rc, err);
			accepted += rc == MST_OK;
		}
		xml[i] = saved;
	}
	/* changes in white space, the header and hex case are harmless; most
	 * others are not: both outcomes must have occurred */
	assert_true(accepted > 0 && accepted < len * sizeof subst / 2);
	free(xml);
	secmem_free(k);
}

/* The KmsKeySet of the wrapped sample as a document of its own. */
static char *bare_keyset(const char *wrapped)
{
	static const char open[] = "<KmsKeySet Version=\"1.1.0\">";
	const char *start = strstr(wrapped, open), *end = strstr(wrapped, "</KmsKeySet>");
	char *bare;

	assert_non_null(start);
	assert_non_null(end);
	start += strlen(open);
	assert_true(asprintf(&bare, "<KmsKeySet xmlns=\"%s\">%.*s</KmsKeySet>", KMSXML_NS,
			     (int)(end - start), start) > 0);
	return bare;
}

/* libxml2 allocators that, while scan_frees is set, look into every block
 * libxml2 frees (or moves by realloc) for pieces of the sample's secrets. */
static int scan_frees;
static size_t secret_hits;

static void scan_block(const void *p)
{
	static const char *const pieces[] = {
		SAMPLE_SSK, SAMPLE_SSK + 32, SAMPLE_RSK, SAMPLE_RSK + 240, SAMPLE_RSK + 482,
	};
	size_t n = malloc_usable_size((void *)(uintptr_t)p), i, k;

	for (k = 0; k < sizeof pieces / sizeof pieces[0]; k++)
		for (i = 0; i + 32 <= n; i++)
			if (memcmp((const char *)p + i, pieces[k], 32) == 0) {
				secret_hits++;
				break;
			}
}

static void scanning_free(void *p)
{
	if (p != NULL && scan_frees)
		scan_block(p);
	free(p);
}

/* Always moves, so that the old block is a freed block to look into. */
static void *scanning_realloc(void *p, size_t n)
{
	void *q;

	if (p == NULL)
		return malloc(n);
	if ((q = malloc(n != 0 ? n : 1)) == NULL)
		return NULL;
	memcpy(q, p, malloc_usable_size(p) < n ? malloc_usable_size(p) : n);
	scanning_free(p);
	return q;
}

static char *scanning_strdup(const char *str)
{
	return strdup(str);
}

/* Parsing, detecting, redacting and writing a key set leave no copy of its
 * secrets in memory that libxml2 frees.  The scan does find what is there:
 * the caller's own buffers, freed unwiped through libxml2, are hits. */
static void no_secret_left_in_freed_memory(void **state)
{
	size_t len, rlen;
	char *xml = keyset_sample(&len), *bare, *red, *out, err[200];
	kms_keyset *k = new_keyset();

	(void)state;
	bare = bare_keyset(xml);
	secret_hits = 0;
	scan_frees = 1;
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)xml, len, k, err, sizeof err), MST_OK);
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)bare, strlen(bare), k, err, sizeof err), MST_OK);
	assert_int_equal(kmsxml_detect((uint8_t *)xml, len), KMSXML_KEYSET);
	assert_int_equal(kmsxml_redact_keyset((uint8_t *)xml, len, &red, &rlen, err, sizeof err), MST_OK);
	free(red);
	xml[len / 2] = '\0'; /* a refused (truncated) document */
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)xml, len, k, err, sizeof err), MST_ERR_PARSE);
	assert_int_equal(secret_hits, 0);
	assert_int_equal(kmsxml_write_keyset(k, 1, &out, &rlen), MST_ERR_ARGS); /* k was zeroed */
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)bare, strlen(bare), k, err, sizeof err), MST_OK);
	assert_int_equal(kmsxml_write_keyset(k, 1, &out, &rlen), MST_OK);
	assert_int_equal(kmsxml_write_keyset(k, 0, &red, &len), MST_OK);
	assert_int_equal(secret_hits, 0);
	xmlFree(xmlStrdup((const xmlChar *)out)); /* a copy freed unwiped is found */
	scan_frees = 0;
	assert_int_equal(secret_hits, 5); /* each of the five pieces */
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)out, rlen, k, err, sizeof err), MST_OK);
	assert_hex_equal(k->ssk, sizeof k->ssk, SAMPLE_SSK);
	assert_hex_equal(k->rsk, sizeof k->rsk, SAMPLE_RSK);
	secure_wipe(out, rlen);
	free(out);
	secure_wipe(red, len);
	free(red);
	free(bare);
	free(xml);
	secmem_free(k);
}

#define LAUGHS \
	"<?xml version=\"1.0\"?>\n<!DOCTYPE KmsKeySet [\n" \
	" <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n" \
	" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n" \
	" <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n" \
	" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n" \
	" <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n" \
	" <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n" \
	" <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n" \
	"]>\n<KmsKeySet xmlns=\"" KMSXML_NS "\"><KmsUri>&g;</KmsUri></KmsKeySet>\n"

/* Entity expansion and external entities / DTDs: refused before any
 * declaration is read, quickly, and nothing is fetched. */
static void dtd_and_entities_refused(void **state)
{
	char dir[] = "/tmp/test_kmsxml.XXXXXX", path[1100], *xml;
	struct bad_case t = { "billion laughs", NULL, 0, MST_ERR_PARSE,
			      "document type declarations (DTD, entities) are not accepted" };
	clock_t start = clock();
	FILE *f;

	(void)state;
	t.xml = strdup(LAUGHS);
	expect_keyset_refused(&t);
	free(t.xml);
	assert_true(clock() - start < CLOCKS_PER_SEC); /* no expansion took place */
	assert_int_equal(kmsxml_detect((const uint8_t *)LAUGHS, strlen(LAUGHS)), KMSXML_NONE);

	/* an external entity naming a local file that exists and is valid
	 * text: if it were read, the parse would reach the KmsUri value */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ext.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("kms.example.org", f);
	fclose(f);
	assert_true(asprintf(&xml, "<!DOCTYPE KmsKeySet [<!ENTITY ext SYSTEM \"file://%s\">]>"
			     "<KmsKeySet xmlns=\"%s\"><KmsUri>&ext;</KmsUri></KmsKeySet>",
			     path, KMSXML_NS) > 0);
	t.what = "external entity";
	t.xml = xml;
	expect_keyset_refused(&t);
	free(xml);
	/* an external DTD on the network (nothing listens on port 9) */
	t.what = "external DTD";
	t.xml = strdup("<!DOCTYPE KmsCertificate SYSTEM \"http://127.0.0.1:9/kms.dtd\">"
		       "<KmsCertificate xmlns=\"" KMSXML_NS "\"/>");
	expect_certificate_refused(&t);
	free(t.xml);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	/* before libxml2 allocates anything */
	xmlMemSetup(scanning_free, malloc, scanning_realloc, scanning_strdup);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_secret_left_in_freed_memory),
		cmocka_unit_test(parses_init_sample),
		cmocka_unit_test(parses_keyprov_sample),
		cmocka_unit_test(certificate_round_trip),
		cmocka_unit_test(keyset_round_trip),
		cmocka_unit_test(writer_refuses_bad_structs),
		cmocka_unit_test(written_xml_validates),
		cmocka_unit_test(keyset_bad_inputs),
		cmocka_unit_test(certificate_bad_inputs),
		cmocka_unit_test(certificate_missing_element),
		cmocka_unit_test(ssk_with_leading_zeros),
		cmocka_unit_test(redacts_secrets),
		cmocka_unit_test(mutation_sweep),
		cmocka_unit_test(dtd_and_entities_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
