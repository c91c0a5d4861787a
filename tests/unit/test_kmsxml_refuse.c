/* tests/unit/test_kmsxml_refuse.c - KMS XML: every kind of bad input is
 * refused with its code and a one-line reason, nothing half-filled; DTDs
 * and entities never processed; a sweep of one-octet changes never crashes. */
#include "config.h"
#include "kmsxml_testlib.h"

#include <time.h>

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

/* Run parse on xml with stderr going to a file; what was written there. */
static size_t stderr_bytes_of(mst_rc (*parse)(const char *xml, size_t len), const char *xml,
			      size_t len, char *seen, size_t cap)
{
	char path[] = "/tmp/mst-kmsxml-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, 2) == 2);
	(void)parse(xml, len);
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	n = pread(fd, seen, cap - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n >= 0);
	seen[n] = '\0';
	return (size_t)n;
}

static mst_rc parse_keyset(const char *xml, size_t len)
{
	kms_keyset *k = new_keyset();
	char err[256];
	mst_rc rc = kmsxml_parse_keyset((const uint8_t *)xml, len, k, err, sizeof err);

	secmem_free(k);
	if (rc != MST_OK)        /* nor in the reason: "... bytes 0x8E 0xFF ..." */
		assert_null(strstr(err, "0x"));
	return rc;
}

static mst_rc redact_keyset(const char *xml, size_t len)
{
	char err[256], *out = NULL;
	size_t out_len;
	mst_rc rc = kmsxml_redact_keyset((const uint8_t *)xml, len, &out, &out_len, err, sizeof err);

	free(out);
	return rc;
}

/* libxml2 reports some errors (an encoding conversion that fails) through
 * its generic handler, which prints to stderr quoting the octets: inside a
 * key set those are secret key hex.  Nothing may be printed at all. */
static void no_error_printed(void **state)
{
	static const char *const ssk = "<UserSigningKeySSK>D31C6FD2";
	static const char *const bad[][2] = {
		/* octets that are no EUC-JP (or Shift_JIS) inside the SSK */
		{ "encoding=\"UTF-8\"", "encoding=\"EUC-JP\"" },
		{ "encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"" },
		{ "encoding=\"UTF-8\"", "encoding=\"ISO-2022-JP\"" },
		{ "encoding=\"UTF-8\"", "encoding=\"UTF-16\"" },
		{ "encoding=\"UTF-8\"", "encoding=\"no-such-encoding\"" },
		{ "encoding=\"UTF-8\"", "encoding=\"UTF-8\"" },        /* not UTF-8 either */
	};
	mst_rc (*const parsers[])(const char *, size_t) = { parse_keyset, redact_keyset };
	size_t len, i, p;
	char *base = keyset_sample(&len), seen[4096];

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *enc = mutate(base, bad[i][0], bad[i][1]);
		char *xml = mutate(enc, ssk, "<UserSigningKeySSK>D3\x8e\xff\x1b$B\xff\xfe" "1C6FD2");

		for (p = 0; p < sizeof parsers / sizeof parsers[0]; p++)
			if (stderr_bytes_of(parsers[p], xml, strlen(xml), seen, sizeof seen) != 0)
				fail_msg("%s (%s): printed \"%s\"", bad[i][1],
					 p == 0 ? "parse" : "redact", seen);
		free(xml);
		free(enc);
	}
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyset_bad_inputs),
		cmocka_unit_test(certificate_bad_inputs),
		cmocka_unit_test(certificate_missing_element),
		cmocka_unit_test(mutation_sweep),
		cmocka_unit_test(dtd_and_entities_refused),
		cmocka_unit_test(no_error_printed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
