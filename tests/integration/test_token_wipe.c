/* tests/integration/test_token_wipe.c - a KmsKeySet import leaves no copy
 * of the document's secret text (the SSK and RSK in hex) in memory that
 * the module frees (issue 11 item 4).  A program of its own: it replaces
 * free() for the whole process, and while asked to, looks into every
 * block freed.  token.sh runs it on fresh tokens, on both backends.
 * Under AddressSanitizer (which owns malloc) it skips. */
#include <config.h>
#include "test_token.h"

#include <malloc.h>

#include "token/hex.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WIPE_SCAN 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WIPE_SCAN 0
#endif
#endif
#ifndef WIPE_SCAN
#define WIPE_SCAN 1
#endif

#if WIPE_SCAN
#define N_PIECES 5
#define PIECE 32

extern void __libc_free(void *p);
extern void *__libc_malloc(size_t n);

static char pieces[N_PIECES][PIECE + 1];
static volatile int scanning;
static size_t hits;

static void scan_block(const void *p)
{
	size_t n = malloc_usable_size((void *)(uintptr_t)p), i, k;

	for (k = 0; k < N_PIECES; k++)
		for (i = 0; i + PIECE <= n; i++)
			if (memcmp((const char *)p + i, pieces[k], PIECE) == 0) {
				hits++;
				return;
			}
}

/* Every free of the process, the module's included (exported, so the
 * dynamic linker binds the module's free to this one); valgrind
 * redirects __libc_free too. */
__attribute__((visibility("default"))) void free(void *p)
{
	if (p == NULL)
		return;
	if (scanning)
		scan_block(p);
	/* and no freed block keeps old text that a later allocation could
	 * hand out unwritten, to be found (and blamed) at its own free */
	memset(p, 0, malloc_usable_size(p));
	__libc_free(p);
}

/* Always moves, through free(), so that the block left behind is looked
 * into and wiped too. */
__attribute__((visibility("default"))) void *realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return __libc_malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	q = __libc_malloc(n);
	if (q == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

/* Pieces of the hex text of alice's SSK and RSK, as the XML has them. */
static void set_pieces(void)
{
	const struct interop_key_set *k = sw_user("alice");
	char ssk[65], rsk[515];

	hex_encode_upper(k->ssk, 32, ssk);
	hex_encode_upper(k->rsk, 257, rsk);
	memcpy(pieces[0], ssk, PIECE);
	memcpy(pieces[1], ssk + 32, PIECE);
	memcpy(pieces[2], rsk + 2, PIECE);
	memcpy(pieces[3], rsk + 240, PIECE);
	memcpy(pieces[4], rsk + 480, PIECE);
}

static void init_token(const char *label)
{
	CK_UTF8CHAR tl[32];
	CK_SESSION_HANDLE s;

	memset(tl, ' ', sizeof(tl));
	memcpy(tl, label, strlen(label));
	assert_int_equal(p11->C_InitToken(tok_slot(label), PIN(SO_PIN), strlen(SO_PIN), tl), CKR_OK);
	s = tok_session(label, 0);
	assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)), CKR_OK);
	assert_int_equal(p11->C_InitPIN(s, PIN(USER_PIN), strlen(USER_PIN)), CKR_OK);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

static void keyset_text_not_left_in_freed_memory(void **state)
{
	const struct interop_key_set *k = sw_user("alice");
	char *cert = xml_certificate(SW_KMS_URI, k->z, k->kpak), *xml = sw_keyset_xml("alice");
	char *probe;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	(void)state;
	set_pieces();
	tok_load();
	init_token("alice");
	s = tok_session("alice", 1);
	assert_int_equal(tok_so_import(s, cert, NULL), CKR_OK);
	/* the scan finds a copy freed unwiped */
	probe = strdup(xml);
	assert_non_null(probe);
	scanning = 1;
	free(probe);
	scanning = 0;
	assert_int_equal(hits, 1);
	hits = 0;
	/* the import, and the module dropping every object at the end */
	scanning = 1;
	rv = tok_create_data(s, MSTOKEN_APP_KMS_KEYSET, xml, NULL);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	tok_unload();
	scanning = 0;
	assert_int_equal(rv, CKR_OK);
	assert_int_equal(hits, 0);
	free(cert);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyset_text_not_left_in_freed_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
	printf("SKIP: built with a sanitizer, which owns free()\n");
	return 77;
}
#endif
