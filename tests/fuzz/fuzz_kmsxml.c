/* tests/fuzz/fuzz_kmsxml.c - libFuzzer target for the KMS XML import:
 * KmsCertificate and KmsKeySet documents, bare or in a KmsResponse
 * (token/kmsxml*.c), as the token reads them from a written data object.
 *
 * Promises checked besides "no crash": a refusal always says why; what
 * parses writes back (bare and wrapped) and parses again to the same
 * values; a key set that parses can be redacted, and the redacted text
 * no longer holds the secret hex.
 */
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlerror.h>
#include "token/kmsxml.h"
#include "token/secmem.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* libxml2 prints encoding-conversion and output errors through its
 * generic handler (stderr) even with XML_PARSE_NOERROR; millions of them
 * only slow the run down */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlSetGenericErrorFunc(NULL, quiet);
	return 0;
}

static void certificate(const uint8_t *data, size_t size)
{
	kms_certificate c, back;
	char err[256] = "", *out;
	size_t len;
	int wrapped;

	if (kmsxml_parse_certificate(data, size, &c, err, sizeof err) != MST_OK) {
		if (err[0] == '\0')
			abort();
		return;
	}
	for (wrapped = 0; wrapped < 2; wrapped++) {
		if (kmsxml_write_certificate(&c, wrapped, &out, &len) != MST_OK)
			abort();
		if (kmsxml_detect((uint8_t *)out, len) != KMSXML_CERTIFICATE ||
		    kmsxml_parse_certificate((uint8_t *)out, len, &back, err, sizeof err) != MST_OK ||
		    memcmp(&c, &back, sizeof c) != 0)
			abort();
		free(out);
	}
}

static void keyset(const uint8_t *data, size_t size)
{
	kms_keyset *k = secmem_alloc(sizeof *k), *back = secmem_alloc(sizeof *back);
	char err[256] = "", *out = NULL, *red = NULL;
	size_t len, red_len;
	int wrapped;

	if (k == NULL || back == NULL)
		abort();
	if (kmsxml_parse_keyset(data, size, k, err, sizeof err) != MST_OK) {
		if (err[0] == '\0')
			abort();
		goto done;
	}
	for (wrapped = 0; wrapped < 2; wrapped++) {
		if (kmsxml_write_keyset(k, wrapped, &out, &len) != MST_OK)
			abort();
		if (kmsxml_detect((uint8_t *)out, len) != KMSXML_KEYSET ||
		    kmsxml_parse_keyset((uint8_t *)out, len, back, err, sizeof err) != MST_OK ||
		    memcmp(k, back, sizeof *k) != 0)
			abort();
		secure_wipe(out, len);
		free(out);
	}
	if (kmsxml_redact_keyset(data, size, &red, &red_len, err, sizeof err) != MST_OK)
		abort();
	/* the redacted text must not parse as a key set with the same SSK */
	if (kmsxml_parse_keyset((uint8_t *)red, red_len, back, err, sizeof err) == MST_OK &&
	    memcmp(back->ssk, k->ssk, sizeof k->ssk) == 0)
		abort();
	free(red);
done:
	kms_keyset_wipe(k);
	secmem_free(k);
	secmem_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)kmsxml_detect(data, size);
	certificate(data, size);
	keyset(data, size);
	return 0;
}
