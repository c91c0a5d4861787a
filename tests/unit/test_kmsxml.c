/* tests/unit/test_kmsxml.c - KMS XML: the vendor samples, the signed and
 * bare shapes, round trips, schema validity of what we write, redaction. */
#include "config.h"
#include "kmsxml_testlib.h"

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

#define DS_SIGNATURE "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>"

/* The signed envelopes of TS 33.180 D.2/D.3 are opened (the signature is
 * not checked), and the bare key set reads like the wrapped one. */
static void opens_signed_wrappers(void **state)
{
	size_t len;
	char *cert = cert_sample(&len), *ks = keyset_sample(&len), *doc, err[200];
	kms_certificate c;
	kms_keyset *k = new_keyset();

	(void)state;
	doc = cut_and_wrap(cert, "<KmsCertificate", "</KmsCertificate>",
			   "<SignedKmsCertificate xmlns=\"" KMSXML_NS "\">", DS_SIGNATURE "</SignedKmsCertificate>");
	assert_int_equal(kmsxml_parse_certificate((uint8_t *)doc, strlen(doc), &c, err, sizeof err), MST_OK);
	assert_hex_equal(c.pub_auth_key, sizeof c.pub_auth_key, SAMPLE_KPAK);
	free(doc);
	doc = cut_and_wrap(ks, "<KmsResponse", "</KmsResponse>",
			   "<SignedKmsResponse xmlns=\"" KMSXML_NS "\">", DS_SIGNATURE "</SignedKmsResponse>");
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)doc, strlen(doc), k, err, sizeof err), MST_OK);
	assert_hex_equal(k->ssk, sizeof k->ssk, SAMPLE_SSK);
	free(doc);
	doc = bare_keyset(ks);
	assert_int_equal(kmsxml_detect((uint8_t *)doc, strlen(doc)), KMSXML_KEYSET);
	assert_int_equal(kmsxml_parse_keyset((uint8_t *)doc, strlen(doc), k, err, sizeof err), MST_OK);
	assert_hex_equal(k->rsk, sizeof k->rsk, SAMPLE_RSK);
	assert_int_equal(k->key_period_no, 625);
	free(doc);
	free(cert);
	free(ks);
	secmem_free(k);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_init_sample),
		cmocka_unit_test(parses_keyprov_sample),
		cmocka_unit_test(opens_signed_wrappers),
		cmocka_unit_test(certificate_round_trip),
		cmocka_unit_test(keyset_round_trip),
		cmocka_unit_test(writer_refuses_bad_structs),
		cmocka_unit_test(written_xml_validates),
		cmocka_unit_test(ssk_with_leading_zeros),
		cmocka_unit_test(redacts_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
