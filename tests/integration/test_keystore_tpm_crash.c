/* tests/integration/test_keystore_tpm_crash.c - damaged files, a store
 * moved to another TPM, and writers killed with SIGKILL mid-put. */
#include "config.h"
#include "tests/test_util.h"
#include "tests/integration/tpm_test_util.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "token/secmem.h"
#include "tpm/keystore_tpm.h"
#include "tpm/tpm_files.h"

static const keystore_backend *K = &keystore_backend_tpm;

/* get() and release what it returned: secmem for private records,
 * malloc for public ones (told by the record's name here: "pub" is the
 * public record of kind 2, every other one private of kind 1). */
static mst_rc try_get(void *be, const char *name)
{
	int pub = strncmp(name, "pub", 3) == 0;
	uint8_t *d = NULL;
	size_t len;
	mst_rc rc = K->get(be, name, !pub, pub ? 2 : 1, &d, &len);

	if (pub)
		free(d);
	else
		secmem_free(d);
	return rc;
}

/* Every third byte of a private record flipped in turn (so every field:
 * head, TPM blobs, IV, ciphertext, tag; all bytes would take long): always MST_ERR_TAMPERED (the version byte: "other
 * version"), the other records untouched. */
static void test_flip_private(void **state)
{
	mst_slot_config cfg;
	uint8_t *orig;
	size_t len, i;
	void *be;

	(void)state;
	be = test_user_store(&cfg, "flip");
	assert_int_equal(K->put(be, "prv", 1, 1, (const uint8_t *)"sealed key material", 19), MST_OK);
	assert_int_equal(K->put(be, "other", 1, 1, (const uint8_t *)"still fine", 10), MST_OK);
	orig = test_read_file(cfg.tpm_store, "rec.prv", &len);
	for (i = 0; i < len; i += 3) {
		mst_rc rc;

		orig[i] ^= 0x01;
		test_write_file(cfg.tpm_store, "rec.prv", orig, len);
		rc = try_get(be, "prv");
		if (rc != MST_ERR_TAMPERED && rc != MST_ERR_UNSUPPORTED)
			fail_msg("byte %zu of %zu flipped: %s (%s)", i, len, mst_strerror(rc),
				 keystore_tpm_last_error(be));
		/* the version byte answers "other version" */
		if (rc == MST_ERR_UNSUPPORTED)
			assert_int_equal(i, 4);
		orig[i] ^= 0x01;
	}
	/* truncated */
	test_write_file(cfg.tpm_store, "rec.prv", orig, len - 1);
	assert_int_equal(try_get(be, "prv"), MST_ERR_TAMPERED);
	test_write_file(cfg.tpm_store, "rec.prv", orig, len);
	assert_int_equal(try_get(be, "prv"), MST_OK);
	assert_int_equal(try_get(be, "other"), MST_OK);
	free(orig);
	K->close(be);
}

/* Every prefix of each kind of file, and random garbage: a named error,
 * never a crash, and the good files still work afterwards. */
static void test_truncated_and_garbage(void **state)
{
	static const char *const files[] = { "rec.prv", "rec.pub", "user.pin", "meta" };
	mst_slot_config cfg;
	uint8_t junk[600];
	size_t f, cut, len, i;
	void *be;

	(void)state;
	be = test_user_store(&cfg, "trunc");
	assert_int_equal(K->put(be, "prv", 1, 1, (const uint8_t *)"private bytes", 13), MST_OK);
	assert_int_equal(K->put(be, "pub", 2, 0, (const uint8_t *)"public bytes", 12), MST_OK);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		uint8_t *orig = test_read_file(cfg.tpm_store, files[f], &len);

		/* every prefix of the small files, every 7th of the private record */
		for (cut = 0; cut < len; cut += f == 0 ? 7 : 1) {
			mst_rc rc;
			void *x = NULL;

			test_write_file(cfg.tpm_store, files[f], orig, cut);
			if (f < 2)
				rc = try_get(be, files[f] + 4);
			else if (f == 2)
				rc = K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4);
			else
				rc = K->open(&cfg, &x);
			if (rc != MST_ERR_TAMPERED)
				fail_msg("%s cut to %zu of %zu: %s", files[f], cut, len, mst_strerror(rc));
			assert_null(x);
		}
		for (i = 0; i < 20; i++) {
			size_t n = (size_t)(rand() % (int)sizeof(junk));
			size_t k;
			mst_rc rc;

			for (k = 0; k < n; k++)
				junk[k] = (uint8_t)rand();
			/* a valid head now and then, so the parser goes deeper */
			if (n > 8 && i % 2)
				memcpy(junk, orig, 8);
			test_write_file(cfg.tpm_store, files[f], junk, n);
			if (f < 2)
				rc = try_get(be, files[f] + 4);
			else if (f == 2)
				rc = K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4);
			else {
				void *x = NULL;
				rc = K->open(&cfg, &x);
				assert_null(x);
			}
			assert_true(rc == MST_ERR_TAMPERED || rc == MST_ERR_UNSUPPORTED);
		}
		test_write_file(cfg.tpm_store, files[f], orig, len);
		free(orig);
	}
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	assert_int_equal(try_get(be, "prv"), MST_OK);
	assert_int_equal(test_da_counter(0), 0);
	K->close(be);
}

static void test_swapped_files(void **state)
{
	mst_slot_config cfg;
	tpm_record_file rec;
	tpm_wbuf w = { 0 };
	uint8_t *a, *b, *pub;
	size_t alen, blen, plen;
	void *be;

	(void)state;
	be = test_user_store(&cfg, "swap");
	assert_int_equal(K->put(be, "a", 1, 1, (const uint8_t *)"key of a", 8), MST_OK);
	assert_int_equal(K->put(be, "b", 1, 1, (const uint8_t *)"key of b", 8), MST_OK);
	assert_int_equal(K->put(be, "pub", 2, 0, (const uint8_t *)"public bytes", 12), MST_OK);
	a = test_read_file(cfg.tpm_store, "rec.a", &alen);
	b = test_read_file(cfg.tpm_store, "rec.b", &blen);
	/* a file copied under another record's name */
	test_write_file(cfg.tpm_store, "rec.b", a, alen);
	assert_int_equal(try_get(be, "b"), MST_ERR_TAMPERED);
	/* a's sealed key re-wrapped in a well-formed file named b: the name
	 * sealed inside the TPM object does not match */
	assert_int_equal(tpm_record_decode(a, alen, "a", &rec), MST_OK);
	tpm_record_head_private("b", rec.kind, rec.store_id, &rec.sealed, rec.iv, &w);
	wbuf_u32(&w, (uint32_t)rec.body_len);
	wbuf_bytes(&w, rec.body, rec.body_len);
	assert_int_equal(w.err, 0);
	test_write_file(cfg.tpm_store, "rec.b", w.buf, w.len);
	wbuf_free(&w);
	assert_int_equal(try_get(be, "b"), MST_ERR_TAMPERED);
	test_write_file(cfg.tpm_store, "rec.b", b, blen);
	assert_int_equal(try_get(be, "b"), MST_OK);
	/* a record of another store on the same TPM, same name: refused
	 * before the TPM sees a wrong auth (the lockout counter stays) */
	{
		mst_slot_config cfg2;
		uint8_t *f;
		size_t flen;
		void *be2;

		be2 = test_user_store(&cfg2, "swap-other");
		assert_int_equal(K->put(be2, "a", 1, 1, (const uint8_t *)"other a", 7), MST_OK);
		K->close(be2);
		f = test_read_file(cfg2.tpm_store, "rec.a", &flen);
		test_write_file(cfg.tpm_store, "rec.a", f, flen);
		free(f);
		assert_int_equal(try_get(be, "a"), MST_ERR_TAMPERED);
		assert_non_null(strstr(keystore_tpm_last_error(be), "another store"));
		assert_int_equal(test_da_counter(0), 0);
		test_write_file(cfg.tpm_store, "rec.a", a, alen);
		assert_int_equal(try_get(be, "a"), MST_OK);
	}
	/* public record: checksum */
	pub = test_read_file(cfg.tpm_store, "rec.pub", &plen);
	pub[plen - 40] ^= 0x80;
	test_write_file(cfg.tpm_store, "rec.pub", pub, plen);
	{
		uint8_t *d = NULL;
		size_t len;

		assert_int_equal(K->get(be, "pub", 0, 2, &d, &len), MST_ERR_TAMPERED);
		assert_null(d);
		assert_non_null(strstr(keystore_tpm_last_error(be), "rec.pub"));
	}
	/* the two PIN objects exchanged */
	K->logout(be);
	free(a);
	free(b);
	a = test_read_file(cfg.tpm_store, "so.pin", &alen);
	b = test_read_file(cfg.tpm_store, "user.pin", &blen);
	test_write_file(cfg.tpm_store, "so.pin", b, blen);
	test_write_file(cfg.tpm_store, "user.pin", a, alen);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_TAMPERED);
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_ERR_TAMPERED);
	test_write_file(cfg.tpm_store, "so.pin", a, alen);
	test_write_file(cfg.tpm_store, "user.pin", b, blen);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	K->close(be);
	/* a damaged meta file: open refuses, naming it */
	free(pub);
	pub = test_read_file(cfg.tpm_store, "meta", &plen);
	pub[8] ^= 1;
	test_write_file(cfg.tpm_store, "meta", pub, plen);
	{
		void *x = NULL;

		assert_int_equal(K->open(&cfg, &x), MST_ERR_TAMPERED);
		assert_null(x);
		assert_non_null(strstr(keystore_tpm_last_error(NULL), "meta"));
	}
	free(a);
	free(b);
	free(pub);
}

/* Every file of a folder, concatenated with its name, to compare states. */
static uint8_t *snapshot(const char *dir, size_t *len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint8_t *all = NULL;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		uint8_t *f;
		size_t flen, nl = strlen(de->d_name) + 1;

		if (de->d_name[0] == '.')
			continue;
		f = test_read_file(dir, de->d_name, &flen);
		all = realloc(all, n + nl + flen);
		assert_non_null(all);
		memcpy(all + n, de->d_name, nl);
		memcpy(all + n + nl, f, flen);
		n += nl + flen;
		free(f);
	}
	closedir(d);
	*len = n;
	return all;
}

static void test_second_tpm(void **state)
{
	mst_slot_config cfg, moved;
	keystore_info info;
	uint8_t *before, *after;
	size_t blen, alen, n = 8;
	keystore_entry e[8];
	void *be;

	(void)state;
	be = test_user_store(&cfg, "home");
	assert_int_equal(K->put(be, "ssk", 1, 1, (const uint8_t *)"bound to TPM 1", 14), MST_OK);
	assert_int_equal(K->put(be, "cert", 2, 0, (const uint8_t *)"public", 6), MST_OK);
	K->close(be);

	test_cfg(&moved, "moved", 1);
	test_copy_dir(cfg.tpm_store, moved.tpm_store);
	before = snapshot(moved.tpm_store, &blen);
	be = test_open(&moved);
	assert_int_equal(K->info(be, &info), MST_OK);
	assert_int_equal(info.initialized, 1);
	assert_int_equal(K->list(be, e, &n), MST_OK);
	assert_int_equal(n, 1);      /* public records are just files */
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_ERR_TAMPERED);
	assert_non_null(strstr(keystore_tpm_last_error(be), "another TPM"));
	assert_int_equal(K->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_ERR_TAMPERED);
	/* nor can it be re-initialised without the SO PIN working here */
	assert_int_equal(K->init_token(be, TEST_SO_PIN, 8, "thief"), MST_ERR_TAMPERED);
	K->close(be);
	after = snapshot(moved.tpm_store, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	assert_int_equal(test_da_counter(1), 0);
	/* still fine at home */
	be = test_open(&cfg);
	assert_int_equal(K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
	assert_int_equal(try_get(be, "ssk"), MST_OK);
	K->close(be);
	free(before);
	free(after);
}

int tpm_test_tamper_group(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flip_private, test_da_fresh),
		cmocka_unit_test_setup(test_truncated_and_garbage, test_da_fresh),
		cmocka_unit_test_setup(test_swapped_files, test_da_fresh),
		cmocka_unit_test_setup(test_second_tpm, test_da_fresh),
	};

	return cmocka_run_group_tests_name("keystore_tpm_tamper", tests, NULL, NULL);
}
