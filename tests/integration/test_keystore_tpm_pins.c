/* tests/integration/test_keystore_tpm_pins.c - PINs of the TPM backend:
 * init/login/set, the TPM's dictionary-attack lockout with SO recovery,
 * and the store's own count of wrong SO PINs. */
#include "config.h"
#include "tests/test_util.h"
#include "tests/integration/tpm_test_util.h"

#include <stdlib.h>
#include <string.h>
#include "token/secmem.h"
#include "tpm/keystore_tpm.h"

static const keystore_backend *K = &keystore_backend_tpm;

static void test_pins(void **state)
{
	mst_slot_config cfg;
	keystore_info info;
	void *be;

	(void)state;
	test_cfg(&cfg, "pins", 0);
	be = test_open(&cfg);
	assert_int_equal(K->init_token(be, "123", 3, "x"), MST_ERR_PIN_INVALID);
	assert_int_equal(K->init_token(be, TEST_SO_PIN, 8, "a-label-that-is-longer-than-32-bytes"),
			 MST_ERR_RANGE);
	assert_int_equal(K->init_token(be, TEST_SO_PIN, 8, "pins"), MST_OK);
	/* no user PIN yet */
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_NOT_INITIALIZED);
	assert_int_equal(K->init_pin(be, TEST_USER_PIN, 4), MST_ERR_NOT_LOGGED_IN);
	assert_int_equal(K->login(be, KEYSTORE_SO, "87654321", 8), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_OK);
	assert_int_equal(K->init_pin(be, "12", 2), MST_ERR_PIN_INVALID);
	assert_int_equal(K->init_pin(be, TEST_USER_PIN, 4), MST_OK);
	K->logout(be);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_initialized, 1);
	assert_int_equal(K->login(be, KEYSTORE_USER, "9999", 4), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	/* change: the old PIN is checked by the TPM, the new one works */
	assert_int_equal(K->set_pin(be, KEYSTORE_USER, "0000", 4, "5678", 4), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->set_pin(be, KEYSTORE_USER, TEST_USER_PIN, 4, "56", 2), MST_ERR_PIN_INVALID);
	assert_int_equal(K->set_pin(be, KEYSTORE_USER, TEST_USER_PIN, 4, "5678", 4), MST_OK);
	K->logout(be);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_USER, "5678", 4), MST_OK);
	assert_int_equal(K->set_pin(be, KEYSTORE_SO, TEST_SO_PIN, 8, "abcdefgh", 8), MST_OK);
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_SO, "abcdefgh", 8), MST_OK);
	/* re-initialising needs the current SO PIN and erases records */
	K->logout(be);
	assert_int_equal(K->login(be, KEYSTORE_USER, "5678", 4), MST_OK);
	assert_int_equal(K->put(be, "k", 7, 1, (const uint8_t *)"secret", 6), MST_OK);
	assert_int_equal(K->init_token(be, TEST_SO_PIN, 8, "again"), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_USER, "5678", 4), MST_OK);
	{
		uint8_t *d;
		size_t len;

		assert_int_equal(K->get(be, "k", 1, 7, &d, &len), MST_OK);
		secmem_free(d);
	}
	assert_int_equal(K->init_token(be, "abcdefgh", 8, "again"), MST_OK);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_string_equal(info.label, "again");
	assert_int_equal(info.user_pin_initialized, 0);
	assert_int_equal(K->login(be, KEYSTORE_SO, "abcdefgh", 8), MST_OK);
	assert_int_equal(K->init_pin(be, TEST_USER_PIN, 4), MST_OK);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	{
		size_t n = 0;
		assert_int_equal(K->list(be, NULL, &n), MST_OK);
		assert_int_equal(n, 0);
	}
	K->close(be);
}

/* Wrong PINs: the TPM counts them and locks; the SO recovers. */
static void test_lockout(void **state)
{
	mst_slot_config cfg;
	keystore_info info;
	uint32_t before;
	uint8_t *d;
	size_t len;
	mst_rc rc = MST_OK;
	void *be;
	int tries = 0;

	(void)state;
	be = test_user_store(&cfg, "lockout");
	assert_int_equal(K->put(be, "ssk", 3, 1, (const uint8_t *)"identity key", 12), MST_OK);
	K->logout(be);
	before = test_da_counter(0);
	assert_int_equal(before, 0);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_count_low, 0);
	assert_int_equal(K->login(be, KEYSTORE_USER, "0000", 4), MST_ERR_PIN_INCORRECT);
	assert_int_equal(test_da_counter(0), 1);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_count_low, 1);
	assert_int_equal(info.user_pin_locked, 0);
	/* a right PIN does not reset a TPM 2.0 counter: only time or the
	 * lockout authority does */
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	K->logout(be);
	while (tries < 10) {
		rc = K->login(be, KEYSTORE_USER, "0000", 4);
		tries++;
		if (rc != MST_ERR_PIN_INCORRECT)
			break;
		assert_int_equal(K->info(be, &info), MST_OK);
		if (test_da_counter(0) == TEST_MAX_TRIES - 1)
			assert_int_equal(info.user_pin_final_try, 1);
	}
	assert_int_equal(rc, MST_ERR_PIN_LOCKED);
	assert_true(tries <= TEST_MAX_TRIES);
	assert_non_null(strstr(keystore_tpm_last_error(be), "lockout"));
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_locked, 1);
	/* locked: the right PIN is refused too, as the TPM decides */
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_PIN_LOCKED);
	/* SO recovery: SO login still works (noDA object), init_pin re-seals
	 * the store secret under a new user PIN and clears the lockout */
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_OK);
	assert_int_equal(K->init_pin(be, "4321", 4), MST_OK);
	K->logout(be);
	assert_int_equal(test_da_counter(0), 0);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_locked, 0);
	assert_int_equal(info.user_pin_count_low, 0);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_USER, "4321", 4), MST_OK);
	/* the keys survived the reset */
	assert_int_equal(K->get(be, "ssk", 1, 3, &d, &len), MST_OK);
	assert_int_equal(len, 12);
	assert_memory_equal(d, "identity key", 12);
	secmem_free(d);
	K->close(be);
}

/* The SO object is noDA: the store counts wrong SO PINs (10 in a row lock). */
static void test_so_lockout(void **state)
{
	mst_slot_config cfg;
	keystore_info info;
	void *be;
	int i;

	(void)state;
	be = test_user_store(&cfg, "solock");
	for (i = 0; i < 9; i++)
		assert_int_equal(K->login(be, KEYSTORE_SO, "wrongwrong", 10), MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_count_low, 1);
	assert_int_equal(info.so_pin_final_try, 1);
	assert_int_equal(info.so_pin_locked, 0);
	assert_int_equal(test_da_counter(0), 0);   /* the TPM did not count them */
	/* a right SO PIN resets the count */
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_OK);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_count_low, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(K->set_pin(be, KEYSTORE_SO, "wrongwrong", 10, "newsopin", 8),
				 MST_ERR_PIN_INCORRECT);
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_ERR_PIN_LOCKED);
	assert_non_null(strstr(keystore_tpm_last_error(be), "SO PIN locked"));
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_locked, 1);
	assert_int_equal(K->init_token(be, TEST_SO_PIN, 8, "again"), MST_ERR_PIN_LOCKED);
	/* the user is not affected */
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	K->close(be);
	/* a damaged counter fails closed */
	be = test_user_store(&cfg, "solock");
	test_write_file(cfg.tpm_store, "so.tries", (const uint8_t *)"garbage", 7);
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_ERR_PIN_LOCKED);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_locked, 1);
	K->close(be);
}

int tpm_test_pins_group(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pins, test_da_fresh),
		cmocka_unit_test_setup(test_lockout, test_da_fresh),
		cmocka_unit_test_setup(test_so_lockout, test_da_fresh),
	};

	return cmocka_run_group_tests_name("keystore_tpm_pins", tests, NULL, NULL);
}
