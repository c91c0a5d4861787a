/* tests/integration/test_keystore_tpm.c - the TPM keystore backend against
 * swtpm (started by test_keystore_tpm.sh): store life cycle, configuration,
 * records public and private, persistent primary, leftover TPM handles.
 * PINs and lockout: test_keystore_tpm_pins.c; the bus: _bus.c; damage and
 * a second TPM: _crash.c; SIGKILL during writes: _kill.c. */
#include "config.h"
#include "tests/test_util.h"
#include "tests/integration/tpm_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "token/secmem.h"
#include "tpm/keystore_tpm.h"

static const keystore_backend *K = &keystore_backend_tpm;

static void check_get(void *be, const char *name, uint32_t want_kind, const void *want, size_t want_len,
		      int is_private)
{
	uint8_t *d = NULL;
	size_t len = 0;

	assert_int_equal(K->get(be, name, is_private, want_kind, &d, &len), MST_OK);
	assert_int_equal(len, want_len);
	if (want_len)
		assert_memory_equal(d, want, want_len);
	if (is_private) {
		assert_true(secmem_size(d) >= len);
		secmem_free(d);
	} else {
		free(d);
	}
}

static void test_new_store(void **state)
{
	mst_slot_config cfg;
	keystore_info info;
	uint8_t *data;
	size_t n = 5, len;
	void *be;
	char serial[17];

	(void)state;
	test_cfg(&cfg, "new", 0);
	strncat(cfg.tpm_store, "/deeper/store", sizeof(cfg.tpm_store) - strlen(cfg.tpm_store) - 1);
	be = test_open(&cfg);
	{
		struct stat sb;

		assert_int_equal(stat(cfg.tpm_store, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0700);
	}
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.initialized, 0);
	assert_int_equal(info.user_pin_initialized, 0);
	assert_int_equal(strlen(info.serial), 16);
	memcpy(serial, info.serial, sizeof(serial));
	assert_int_equal(K->list(be, NULL, &n), MST_OK);
	assert_int_equal(n, 0);
	assert_int_equal(K->put(be, "a", 1, 0, (const uint8_t *)"x", 1), MST_ERR_NOT_INITIALIZED);
	assert_int_equal(K->get(be, "a", 0, 1, &data, &len), MST_ERR_NOT_INITIALIZED);
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_ERR_NOT_INITIALIZED);
	K->close(be);
	/* the serial number is the store's, kept across opens and init */
	be = test_open(&cfg);
	assert_int_equal(K->init_token(be, TEST_SO_PIN, 8, "alice"), MST_OK);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.initialized, 1);
	assert_string_equal(info.label, "alice");
	assert_string_equal(info.serial, serial);
	K->close(be);
}

/* The configuration form of issue 4, as written, through the real parser
 * and keystore_backend_for(). */
static void test_config_form(void **state)
{
	mst_slot_config slot;
	mst_config conf;
	char path[MST_PATH_MAX + 32], err[256];
	const keystore_backend *k;
	FILE *f;
	void *be;

	(void)state;
	test_cfg(&slot, "conf", 0);
	snprintf(path, sizeof(path), "%s.conf", slot.tpm_store);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[slot]\nlabel = bob\nbackend = tpm\ntpm.tcti = %s\ntpm.store = %s\n",
		slot.tpm_tcti, slot.tpm_store);
	assert_int_equal(fclose(f), 0);
	if (mst_config_load_file(path, &conf, err, sizeof(err)) != MST_OK)
		fail_msg("%s", err);
	assert_int_equal(conf.n_slots, 1);
	k = keystore_backend_for(&conf.slots[0]);
	assert_ptr_equal(k, &keystore_backend_tpm);
	assert_int_equal(k->open(&conf.slots[0], &be), MST_OK);
	test_init_user(be);
	assert_int_equal(k->put(be, "rsk", 2, 1, (const uint8_t *)"bob's rsk", 9), MST_OK);
	check_get(be, "rsk", 2, "bob's rsk", 9, 1);
	k->close(be);
}

static void test_bad_config(void **state)
{
	mst_slot_config cfg;
	void *be = NULL;

	(void)state;
	test_cfg(&cfg, "badcfg", 0);
	snprintf(cfg.tpm_tcti, sizeof(cfg.tpm_tcti), "swtpm:host=127.0.0.1,port=1");
	assert_int_not_equal(K->open(&cfg, &be), MST_OK);
	assert_null(be);
	assert_non_null(strstr(keystore_tpm_last_error(NULL), "TPM"));
	test_cfg(&cfg, "badcfg", 0);
	cfg.tpm_store[0] = '\0';
	assert_int_equal(K->open(&cfg, &be), MST_ERR_CONFIG);
	assert_null(be);
	/* a store folder others could write into */
	test_cfg(&cfg, "badcfg", 0);
	assert_int_equal(mkdir(cfg.tpm_store, 0700), 0);
	assert_int_equal(chmod(cfg.tpm_store, 0777), 0);
	assert_int_equal(K->open(&cfg, &be), MST_ERR_IO);
	assert_non_null(strstr(keystore_tpm_last_error(NULL), "only its owner"));
	test_cfg(&cfg, "badcfg", 0);
	snprintf(cfg.tpm_tcti, sizeof(cfg.tpm_tcti), "nosuchtcti:x");
	assert_int_not_equal(K->open(&cfg, &be), MST_OK);
	assert_non_null(strstr(keystore_tpm_last_error(NULL), "nosuchtcti"));
	/* a persistent primary that the TPM does not have */
	test_cfg(&cfg, "badcfg", 0);
	cfg.tpm_primary = 0x81000077;
	assert_int_equal(K->open(&cfg, &be), MST_ERR_CONFIG);
	assert_non_null(strstr(keystore_tpm_last_error(NULL), "persistent"));
	/* an owner password and no persistent SRK: a configuration matter,
	 * not a wrong PIN (on the second TPM, restored afterwards) */
	test_owner_auth(1, "", "ownerpw");
	test_cfg(&cfg, "badcfg", 1);
	assert_int_equal(K->open(&cfg, &be), MST_ERR_CONFIG);
	assert_non_null(strstr(keystore_tpm_last_error(NULL), "tpm.primary"));
	test_owner_auth(1, "ownerpw", "");
	test_da_setup(1, TEST_MAX_TRIES, 3600);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Figures for the documentation; the results are checked as elsewhere. */
static void test_timing(void **state)
{
	mst_slot_config cfg;
	uint8_t data[300] = { 1, 2, 3 };
	double t0, t_login, t_put, t_get, t_pub, t_info;
	keystore_info info;
	void *be;
	int i;

	(void)state;
	be = test_user_store(&cfg, "timing");
	t0 = now_ms();
	for (i = 0; i < 5; i++)
		assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	t_login = (now_ms() - t0) / 5;
	t0 = now_ms();
	for (i = 0; i < 5; i++)
		assert_int_equal(K->put(be, "k", 1, 1, data, sizeof(data)), MST_OK);
	t_put = (now_ms() - t0) / 5;
	t0 = now_ms();
	for (i = 0; i < 5; i++)
		check_get(be, "k", 1, data, sizeof(data), 1);
	t_get = (now_ms() - t0) / 5;
	t0 = now_ms();
	for (i = 0; i < 5; i++)
		assert_int_equal(K->put(be, "p", 1, 0, data, sizeof(data)), MST_OK);
	t_pub = (now_ms() - t0) / 5;
	t0 = now_ms();
	for (i = 0; i < 5; i++)
		assert_int_equal(K->info(be, &info), MST_OK);
	t_info = (now_ms() - t0) / 5;
	print_message("swtpm, ms per call: login %.1f, private put %.1f, private get %.1f, "
		      "public put %.1f, info %.1f\n", t_login, t_put, t_get, t_pub, t_info);
	K->close(be);
}

static void test_records(void **state)
{
	mst_slot_config cfg;
	keystore_entry e[8];
	uint8_t big[5000], *d;
	size_t n, len, i;
	void *be, *other;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	be = test_user_store(&cfg, "records");
	assert_int_equal(K->put(be, "pub.1", 10, 0, (const uint8_t *)"public", 6), MST_OK);
	assert_int_equal(K->put(be, "prv.1", 20, 1, big, sizeof(big)), MST_OK);
	assert_int_equal(K->put(be, "prv.x", 21, 1, (const uint8_t *)"x", 1), MST_OK);
	assert_int_equal(K->put(be, "pub.x", 11, 0, (const uint8_t *)"y", 1), MST_OK);
	check_get(be, "pub.1", 10, "public", 6, 0);
	check_get(be, "prv.1", 20, big, sizeof(big), 1);
	check_get(be, "prv.x", 21, "x", 1, 1);
	check_get(be, "pub.x", 11, "y", 1, 0);
	n = 8;
	assert_int_equal(K->list(be, e, &n), MST_OK);
	assert_int_equal(n, 4);
	n = 2;
	assert_int_equal(K->list(be, e, &n), MST_ERR_RANGE);
	assert_int_equal(n, 4);
	/* replace, including a change of privacy */
	assert_int_equal(K->put(be, "prv.1", 22, 1, (const uint8_t *)"v2", 2), MST_OK);
	check_get(be, "prv.1", 22, "v2", 2, 1);
	assert_int_equal(K->put(be, "pub.1", 12, 1, (const uint8_t *)"now private", 11), MST_OK);
	check_get(be, "pub.1", 12, "now private", 11, 1);
	assert_int_equal(K->put(be, "pub.1", 10, 0, (const uint8_t *)"public", 6), MST_OK);

	/* another process-like opener sees the same records */
	other = test_open(&cfg);
	n = 8;
	assert_int_equal(K->list(other, e, &n), MST_OK);
	assert_int_equal(n, 2);   /* private ones invisible before login */
	for (i = 0; i < n; i++)
		assert_int_equal(e[i].is_private, 0);
	assert_int_equal(K->get(other, "prv.1", 1, 22, &d, &len), MST_ERR_NOT_LOGGED_IN);
	assert_null(d);
	assert_int_equal(K->put(other, "prv.2", 1, 1, (const uint8_t *)"x", 1), MST_ERR_NOT_LOGGED_IN);
	assert_int_equal(K->put(other, "prv.1", 1, 0, (const uint8_t *)"x", 1), MST_ERR_NOT_LOGGED_IN);
	assert_int_equal(K->remove(other, "prv.1", 1), MST_ERR_NOT_LOGGED_IN);
	/* without login "absent" and "private" look alike */
	assert_int_equal(K->get(other, "missing", 0, 1, &d, &len), MST_ERR_NOT_LOGGED_IN);
	assert_int_equal(K->remove(other, "missing", 0), MST_ERR_NOT_LOGGED_IN);
	assert_string_equal(keystore_last_error(K, other), keystore_tpm_last_error(other));
	check_get(other, "pub.1", 10, "public", 6, 0);
	/* the SO is not the user: no private records either */
	assert_int_equal(K->login(other, KEYSTORE_SO, TEST_SO_PIN, 8), MST_OK);
	assert_int_equal(K->get(other, "prv.1", 1, 22, &d, &len), MST_ERR_NOT_LOGGED_IN);
	assert_int_equal(K->login(other, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	n = 8;
	assert_int_equal(K->list(other, e, &n), MST_OK);
	assert_int_equal(n, 4);
	check_get(other, "prv.1", 22, "v2", 2, 1);
	K->close(other);

	/* bad input: named, nothing stored */
	assert_int_equal(K->put(be, "", 1, 0, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_int_equal(K->put(be, "../escape", 1, 0, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_int_equal(K->put(be, "a/b", 1, 1, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_non_null(strstr(keystore_tpm_last_error(be), "record name"));
	assert_int_equal(K->put(be, "toolong-toolong-toolong-toolong-toolong-toolong-toolong-toolong-x",
				1, 0, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_int_equal(K->put(be, "nodata", 1, 0, NULL, 5), MST_ERR_ARGS);
	assert_int_equal(K->put(be, "empty", 1, 1, big, 0), MST_ERR_ARGS);
	{
		uint8_t *huge = calloc(1, 64 * 1024 + 1);

		assert_non_null(huge);
		assert_int_equal(K->put(be, "huge", 1, 1, huge, 64 * 1024 + 1), MST_ERR_RANGE);
		assert_int_equal(K->put(be, "max", 1, 1, huge, 64 * 1024), MST_OK);
		check_get(be, "max", 1, huge, 64 * 1024, 1);
		assert_int_equal(K->remove(be, "max", 1), MST_OK);
		free(huge);
	}
	assert_int_equal(K->get(be, "missing", 1, 1, &d, &len), MST_ERR_NOT_FOUND);
	assert_int_equal(K->remove(be, "missing", 1), MST_ERR_NOT_FOUND);
	n = 8;
	assert_int_equal(K->list(be, e, &n), MST_OK);
	assert_int_equal(n, 4);

	/* remove() deletes only a record of the privacy it is told */
	assert_int_equal(K->remove(be, "prv.1", 0), MST_ERR_TAMPERED);
	assert_int_equal(K->remove(be, "pub.1", 1), MST_ERR_TAMPERED);
	check_get(be, "pub.1", 10, "public", 6, 0);
	assert_int_equal(K->remove(be, "prv.1", 1), MST_OK);
	assert_int_equal(K->remove(be, "pub.1", 0), MST_OK);
	assert_int_equal(K->get(be, "prv.1", 1, 22, &d, &len), MST_ERR_NOT_FOUND);
	n = 8;
	assert_int_equal(K->list(be, e, &n), MST_OK);
	assert_int_equal(n, 2);
	K->close(be);
}

/* A persistent SRK (tpm.primary) instead of the per-operation one. */
static void test_persistent_primary(void **state)
{
	mst_slot_config cfg;
	void *be;

	(void)state;
	test_make_persistent_srk(0x81000001);
	test_cfg(&cfg, "persistent", 0);
	cfg.tpm_primary = 0x81000001;
	be = test_open(&cfg);
	test_init_user(be);
	assert_int_equal(K->put(be, "rsk", 2, 1, (const uint8_t *)"rsk bytes", 9), MST_OK);
	K->close(be);
	be = test_open(&cfg);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	check_get(be, "rsk", 2, "rsk bytes", 9, 1);
	K->close(be);
	/* the same files under the transient SRK: another parent, refused */
	cfg.tpm_primary = 0;
	be = test_open(&cfg);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_TAMPERED);
	K->close(be);
}

/* What a killed process leaves in a TPM without a resource manager (all
 * object and session slots taken) is flushed and the operation goes on. */
static void test_leftovers(void **state)
{
	mst_slot_config cfg;
	void *be;

	(void)state;
	be = test_user_store(&cfg, "leftovers");
	assert_int_equal(K->put(be, "key", 1, 1, (const uint8_t *)"sealed", 6), MST_OK);
	test_leave_garbage(3, 0);
	check_get(be, "key", 1, "sealed", 6, 1);
	test_leave_garbage(0, 3);
	check_get(be, "key", 1, "sealed", 6, 1);
	test_leave_garbage(2, 2);
	assert_int_equal(K->put(be, "key", 2, 1, (const uint8_t *)"sealed2", 7), MST_OK);
	check_get(be, "key", 2, "sealed2", 7, 1);
	K->close(be);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_new_store, test_da_fresh),
		cmocka_unit_test_setup(test_bad_config, test_da_fresh),
		cmocka_unit_test_setup(test_config_form, test_da_fresh),
		cmocka_unit_test_setup(test_records, test_da_fresh),
		cmocka_unit_test_setup(test_persistent_primary, test_da_fresh),
		cmocka_unit_test_setup(test_leftovers, test_da_fresh),
		cmocka_unit_test_setup(test_timing, test_da_fresh),
	};
	int (*const groups[])(void) = { tpm_test_pins_group, tpm_test_bus_group,
					tpm_test_tamper_group, tpm_test_kill_group };
	double t0 = now_ms();
	int fails = cmocka_run_group_tests_name("keystore_tpm", tests, NULL, NULL);
	size_t g;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		print_message("(%.1f s so far)\n", (now_ms() - t0) / 1e3);
		fails += groups[g]();
	}
	print_message("(%.1f s in all)\n", (now_ms() - t0) / 1e3);
	return fails ? 1 : 0;
}
