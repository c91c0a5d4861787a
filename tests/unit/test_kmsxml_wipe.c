/* tests/unit/test_kmsxml_wipe.c - KMS XML leaves no copy of a key set's
 * secrets in memory that libxml2 frees.  A program of its own, since it
 * replaces libxml2's allocators for the whole process. */
#include "config.h"
#include "kmsxml_testlib.h"

#include <malloc.h>
#include <libxml/xmlmemory.h>

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

int main(void)
{
	/* before libxml2 allocates anything */
	xmlMemSetup(scanning_free, malloc, scanning_realloc, scanning_strdup);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_secret_left_in_freed_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
