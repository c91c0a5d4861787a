/* tests/unit/test_eccsi_faults.c - ECCSI and the MIKEY PRF when OpenSSL
 * runs out of memory: for every allocation a call makes, the run is
 * repeated with that allocation failing.  No crash, no leak (run it under
 * valgrind), never a false "valid", never a half-made output.
 *
 * OpenSSL's allocator can only be replaced before its first allocation, so
 * this is a program of its own that installs a counting allocator first. */
#include "test_util.h"

#include <openssl/crypto.h>

#include "token/eccsi.h"
#include "token/eccsi_ec.h"
#include "token/mikey_prf.h"

/* -1: never fail; n >= 0: let n more allocations succeed, then fail. */
static long allocations_left = -1;

static int allocation_allowed(void)
{
	if (allocations_left < 0)
		return 1;
	if (allocations_left == 0)
		return 0;
	allocations_left--;
	return 1;
}

static void *counting_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return allocation_allowed() ? malloc(n) : NULL;
}

static void *counting_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return allocation_allowed() ? realloc(p, n) : NULL;
}

static void counting_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* RFC 6507 Appendix A key and signature of "message\0". */
#define A_ID "3230 31312D30 32007465 6C3A2B34 34373730 30393030 31323300"
#define A_KPAK "04" \
	"50D4670B DE75244F 28D2838A 0D25558A 7A72686D 4522D4C8 273FB644 2AEBFA93" \
	"DBDD3755 1AFD263B 5DFD617F 3960C65A 8C298850 FF99F203 66DCE7D4 367217F4"
#define A_PVT "04" \
	"758A1427 79BE89E8 29E71984 CB40EF75 8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9" \
	"A79D2476 92F4EDA3 A6BDAB77 D6AA6474 A464AE49 34663C52 65BA7018 BA091F79"
#define A_SSK "23F374AE 1F4033F3 E9DBDDAA EF20F4CF 0B86BBD5 A138A5AE 9E7E006B 34489A0D"
#define A_SIG \
	"269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81" \
	"E09B528D 0EF8D6DF 1AA3ECBF 80110CFC EC9FC682 52CEBB67 9F413484 6940CCFD" A_PVT

struct key {
	uint8_t *id, *kpak, *pvt, *ssk, *sig;
	size_t id_len;
};

static void load(struct key *k)
{
	size_t n;

	k->id = test_hex(A_ID, &k->id_len);
	k->kpak = test_hex(A_KPAK, &n);
	k->pvt = test_hex(A_PVT, &n);
	k->ssk = test_hex(A_SSK, &n);
	k->sig = test_hex(A_SIG, &n);
}

static void unload(struct key *k)
{
	free(k->id);
	free(k->kpak);
	free(k->pvt);
	free(k->ssk);
	free(k->sig);
}

/* The only answers a call may give when an allocation fails, besides the
 * one it gives with enough memory: a resource error, never a verdict on
 * the input. */
static int resource_error(mst_rc rc)
{
	return rc == MST_ERR_NOMEM || rc == MST_ERR_CRYPTO;
}

/* Run op with the n-th allocation failing, for n = 0, 1, ... until a run
 * completes within its budget; returns how many runs failed an allocation. */
#define MAX_ALLOCATIONS 5000
#define FOR_EACH_FAILING_ALLOCATION(n, done) \
	for ((n) = 0, (done) = 0; !(done) && (n) < MAX_ALLOCATIONS; (n)++)
#define RUN_WITH_BUDGET(n, done, call) do { \
	allocations_left = (n); \
	call; \
	(done) = allocations_left > 0; \
	allocations_left = -1; \
} while (0)

static void test_verify_under_faults(void **state)
{
	static const uint8_t msg[] = "message";
	struct key k;
	long n;
	int done;
	mst_rc rc;

	(void)state;
	load(&k);
	/* a valid signature: refused (safely) or accepted, never a crash */
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		RUN_WITH_BUDGET(n, done, rc = eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, k.sig));
		if (done)
			assert_int_equal(rc, MST_OK);
		else if (rc != MST_OK && !resource_error(rc))
			fail_msg("allocation %ld failing gave %s", n, mst_strerror(rc));
	}
	assert_true(done);
	/* a wrong signature is never accepted, whatever fails */
	k.sig[40] ^= 1;
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		RUN_WITH_BUDGET(n, done, rc = eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, k.sig));
		assert_true(rc == MST_ERR_BAD_SIGNATURE || resource_error(rc));
	}
	assert_true(done);
	unload(&k);
}

static void test_validate_and_sign_under_faults(void **state)
{
	static const uint8_t msg[] = "message";
	uint8_t sig[ECCSI_SIG_LEN], zero[ECCSI_SIG_LEN] = { 0 };
	eccsi_signer *s = NULL;
	struct key k;
	long n;
	int done;
	mst_rc rc;

	(void)state;
	load(&k);
	/* a wrong key never validates */
	k.ssk[0] ^= 1;
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		RUN_WITH_BUDGET(n, done, rc = eccsi_validate(k.kpak, k.id, k.id_len, k.ssk, k.pvt));
		assert_true(rc == MST_ERR_BAD_KEY || resource_error(rc));
	}
	assert_true(done);
	k.ssk[0] ^= 1;
	/* a signer is made whole or not at all */
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		s = NULL;
		RUN_WITH_BUDGET(n, done,
				rc = eccsi_signer_new(k.kpak, k.id, k.id_len, k.ssk, k.pvt, &s));
		assert_true((rc == MST_OK) == (s != NULL));
		assert_true(rc == MST_OK || resource_error(rc));
		eccsi_signer_free(s);
	}
	assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, k.ssk, k.pvt, &s), MST_OK);
	/* a signature is either valid or all zero */
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		memset(sig, 0xAA, sizeof(sig));
		RUN_WITH_BUDGET(n, done, rc = eccsi_sign(s, msg, 8, sig));
		if (rc == MST_OK)
			assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_OK);
		else
			assert_memory_equal(sig, zero, sizeof(sig));
		assert_true(rc == MST_OK || resource_error(rc));
	}
	assert_true(done);
	eccsi_signer_free(s);
	unload(&k);
}

static void test_issue_under_faults(void **state)
{
	uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_LEN], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
	uint8_t zero[ECCSI_POINT_LEN] = { 0 };
	static const uint8_t id[] = "2026-11\0sip:bob@example.org";
	long n;
	int done;
	mst_rc rc;

	(void)state;
	assert_int_equal(eccsi_kms_keygen(ksak, kpak), MST_OK);
	/* an (SSK, PVT) pair is issued whole and valid, or both are zero */
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		memset(ssk, 0xAA, sizeof(ssk));
		memset(pvt, 0xAA, sizeof(pvt));
		RUN_WITH_BUDGET(n, done, rc = eccsi_issue(ksak, kpak, id, sizeof(id), ssk, pvt));
		assert_true(rc == MST_OK || resource_error(rc));
		if (rc == MST_OK) {
			assert_int_equal(eccsi_validate(kpak, id, sizeof(id), ssk, pvt), MST_OK);
		} else if (memcmp(ssk, zero, sizeof(ssk)) != 0 || memcmp(pvt, zero, sizeof(pvt)) != 0) {
			/* refused before anything was written */
			assert_true(ssk[0] == 0xAA && ssk[31] == 0xAA && pvt[0] == 0xAA);
		}
	}
	assert_true(done);
}

static void test_prf_under_faults(void **state)
{
	static const uint8_t tgk[16] = "0123456789abcdef", rand[16] = "fedcba9876543210";
	uint8_t want[28], got[28], zero[28] = { 0 };
	long n;
	int done;
	mst_rc rc;

	(void)state;
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA256, tgk, 16, MIKEY_KEY_TEK, 0, 1, rand, 16,
				      want, sizeof(want)), MST_OK);
	FOR_EACH_FAILING_ALLOCATION(n, done) {
		memset(got, 0xAA, sizeof(got));
		RUN_WITH_BUDGET(n, done, rc = mikey_derive(MIKEY_PRF_HMAC_SHA256, tgk, 16,
							   MIKEY_KEY_TEK, 0, 1, rand, 16, got,
							   sizeof(got)));
		assert_true(rc == MST_OK || resource_error(rc));
		if (rc == MST_OK)
			assert_memory_equal(got, want, sizeof(got));
		else
			assert_memory_equal(got, zero, sizeof(got)); /* no partial key */
	}
	assert_true(done);
}

/* Last: no failure path above left an environment open. */
static void test_every_env_closed(void **state)
{
	(void)state;
	assert_int_equal(ecc_env_users(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_under_faults),
		cmocka_unit_test(test_validate_and_sign_under_faults),
		cmocka_unit_test(test_issue_under_faults),
		cmocka_unit_test(test_prf_under_faults),
		cmocka_unit_test(test_every_env_closed),
	};
	uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_LEN], out[16];

	if (!CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free)) {
		fprintf(stderr, "OpenSSL allocated before main: cannot inject faults\n");
		return 1;
	}
	/* Let OpenSSL build its one-time state (DRBG, method stores) first, so
	 * the faults land in the calls under test. */
	if (eccsi_kms_keygen(ksak, kpak) != MST_OK ||
	    mikey_prf(MIKEY_PRF_HMAC_SHA1, ksak, 16, kpak, 9, out, 16) != MST_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
