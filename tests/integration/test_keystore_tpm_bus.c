/* tests/integration/test_keystore_tpm_bus.c - what the TPM is given: the
 * traffic recorded with tpm2-tss's pcap TCTI holds neither the PIN-derived
 * auth values nor the sealed/unsealed payloads in clear; the sealed
 * objects have the attributes doc/tpm.md promises. */
#include "config.h"
#include "tests/test_util.h"
#include "tests/integration/tpm_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "token/secmem.h"
#include "tpm/keystore_tpm.h"
#include "tpm/tpm_files.h"

static const keystore_backend *K = &keystore_backend_tpm;

static int contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m) != NULL;
}

/* authValue the TPM checks for pin, from the store's auth file. */
static void pin_auth(const char *dir, const char *file, const char *pin, uint8_t auth[TPM_AUTH_LEN])
{
	tpm_auth_file af;
	uint8_t *buf;
	size_t len;

	buf = test_read_file(dir, file, &len);
	assert_int_equal(tpm_auth_decode(buf, len, &af), MST_OK);
	assert_int_equal(tpm_pin_auth(pin, strlen(pin), af.salt, af.iterations, auth), MST_OK);
	free(buf);
}

static void test_parameter_encryption(void **state)
{
	mst_slot_config cfg;
	char pcap[2048];
	uint8_t user_auth[TPM_AUTH_LEN], so_auth[TPM_AUTH_LEN];
	uint8_t *cap, *rec, *d;
	size_t cap_len, rec_len, len;
	tpm_record_file rf;
	void *be;

	(void)state;
	if (!test_tcti_available("pcap")) {
		print_message("tpm2-tss pcap TCTI not installed: skipped\n");
		skip();
	}
	test_cfg(&cfg, "bus", 0);
	snprintf(pcap, sizeof(pcap), "%s/bus.pcap", getenv("MST_TPM_DIR"));
	assert_int_equal(setenv("TCTI_PCAP_FILE", pcap, 1), 0);
	snprintf(cfg.tpm_tcti, sizeof(cfg.tpm_tcti), "pcap:%s", test_tcti(0));
	be = test_open(&cfg);
	test_init_user(be);   /* Create x2 and Unseal x2 of the store secret */
	assert_int_equal(K->put(be, "ssk", 1, 1, (const uint8_t *)"identity key", 12), MST_OK);
	assert_int_equal(K->get(be, "ssk", 1, 1, &d, &len), MST_OK);
	secmem_free(d);
	K->close(be);
	unsetenv("TCTI_PCAP_FILE");

	cap = test_read_file(getenv("MST_TPM_DIR"), "bus.pcap", &cap_len);
	pin_auth(cfg.tpm_store, TPM_FILE_USER, TEST_USER_PIN, user_auth);
	pin_auth(cfg.tpm_store, TPM_FILE_SO, TEST_SO_PIN, so_auth);
	/* control: the capture holds the traffic (Load sends the public blob) */
	rec = test_read_file(cfg.tpm_store, "rec.ssk", &rec_len);
	assert_int_equal(tpm_record_decode(rec, rec_len, "ssk", &rf), MST_OK);
	assert_true(contains(cap, cap_len, rf.sealed.pub.publicArea.unique.keyedHash.buffer,
			     rf.sealed.pub.publicArea.unique.keyedHash.size));
	/* the auth values went in TPM2_Create's encrypted sensitive area and
	 * are only used as HMAC keys afterwards */
	assert_false(contains(cap, cap_len, user_auth, sizeof(user_auth)));
	assert_false(contains(cap, cap_len, so_auth, sizeof(so_auth)));
	/* sealed payload headers: in Create's sensitive data, Unseal's reply */
	assert_false(contains(cap, cap_len, "MSTK", 4));
	assert_false(contains(cap, cap_len, "MSTS", 4));
	free(rec);
	free(cap);
}

static void check_sealed_public(const TPM2B_PUBLIC *p, int no_da)
{
	TPMA_OBJECT want = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_USERWITHAUTH |
			   (no_da ? TPMA_OBJECT_NODA : 0);

	assert_int_equal(p->publicArea.type, TPM2_ALG_KEYEDHASH);
	assert_int_equal(p->publicArea.nameAlg, TPM2_ALG_SHA256);
	assert_int_equal(p->publicArea.objectAttributes, want);
	assert_int_equal(p->publicArea.authPolicy.size, 0);
	assert_int_equal(p->publicArea.parameters.keyedHashDetail.scheme.scheme, TPM2_ALG_NULL);
}

/* The objects the TPM holds for us: sealed data, bound to this TPM and
 * parent, auth by value; DA-protected except the SO's. */
static void test_object_attributes(void **state)
{
	mst_slot_config cfg;
	tpm_auth_file af;
	tpm_record_file rf;
	uint8_t *buf;
	size_t len;
	void *be;

	(void)state;
	be = test_user_store(&cfg, "attrs");
	assert_int_equal(K->put(be, "rsk", 1, 1, (const uint8_t *)"rsk", 3), MST_OK);
	K->close(be);
	buf = test_read_file(cfg.tpm_store, TPM_FILE_USER, &len);
	assert_int_equal(tpm_auth_decode(buf, len, &af), MST_OK);
	check_sealed_public(&af.sealed.pub, 0);
	assert_int_equal(af.iterations, TPM_KDF_ITERATIONS);
	free(buf);
	buf = test_read_file(cfg.tpm_store, TPM_FILE_SO, &len);
	assert_int_equal(tpm_auth_decode(buf, len, &af), MST_OK);
	check_sealed_public(&af.sealed.pub, 1);
	free(buf);
	buf = test_read_file(cfg.tpm_store, "rec.rsk", &len);
	assert_int_equal(tpm_record_decode(buf, len, "rsk", &rf), MST_OK);
	check_sealed_public(&rf.sealed.pub, 0);
	free(buf);
}

int tpm_test_bus_group(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parameter_encryption),
		cmocka_unit_test(test_object_attributes),
	};

	test_da_setup(0, TEST_MAX_TRIES, 3600);
	return cmocka_run_group_tests_name("keystore_tpm_bus", tests, NULL, NULL);
}
