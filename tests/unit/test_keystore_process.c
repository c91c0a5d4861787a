/* tests/unit/test_keystore_process.c - the PKCS#11-HSM keystore backend in
 * a process: slots sharing one module, threads, close and re-open, a module
 * the application initialised, fork().
 */
#include <config.h>
#include "keystore_fixture.h"
#include "token/secmem.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

static void two_slots_share_one_module(void **state)
{
	void *a = fresh_store("ks-a"), *b = fresh_store("ks-b");
	keystore_entry e[2];
	size_t n = 2;

	(void)state;
	assert_rc(a, ks->login(a, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(b, ks->login(b, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(a, "k", 1, "from a");
	put_text(b, "k", 1, "from b");
	put_text(b, "only-b", 0, "b");
	expect_record(a, "k", 1, "from a");
	expect_record(b, "k", 1, "from b");
	assert_rc(a, ks->list(a, e, &n), MST_OK);
	assert_int_equal(n, 1);
	/* Logging one slot out leaves the other logged in. */
	ks->logout(a);
	expect_get_fails(a, "k", 1, 1, MST_ERR_NOT_LOGGED_IN);
	expect_record(b, "k", 1, "from b");
	ks->close(a);
	expect_record(b, "k", 1, "from b");
	ks->close(b);
}

static void reopen_after_close(void **state)
{
	mst_slot_config cfg = slot_config("ks-test");
	void *be = *state;
	keystore_info info;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "kept", 1, "across close");
	ks->close(be);   /* last user: the module is finalised */
	*state = NULL;
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	*state = be;
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_string_equal(info.label, "alice");
	expect_get_fails(be, "kept", 1, 1, MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	expect_record(be, "kept", 1, "across close");
	put_text(be, "after", 1, "reopen");
	expect_record(be, "after", 1, "reopen");
}

static void open_refuses_bad_module(void **state)
{
	mst_slot_config cfg = slot_config("x");
	void *be = (void *)&cfg;

	(void)state;
	strcpy(cfg.pkcs11_module, "/nonexistent/module.so");
	assert_rc(NULL, ks->open(&cfg, &be), MST_ERR_BACKEND);
	assert_null(be);
	assert_non_null(strstr(keystore_last_error(ks, NULL), "cannot load /nonexistent/module.so"));
	strcpy(cfg.pkcs11_module, "/dev/null");
	assert_rc(NULL, ks->open(&cfg, &be), MST_ERR_BACKEND);
	cfg.backend = MST_BACKEND_TPM;
	assert_rc(NULL, ks->open(&cfg, &be), MST_ERR_ARGS);
	assert_ptr_equal(keystore_backend_for(&cfg), &keystore_backend_tpm);
	cfg.backend = MST_BACKEND_PKCS11;
	assert_ptr_equal(keystore_backend_for(&cfg), &keystore_backend_pkcs11);
}

/* Runs in the child: each failed step gives its own exit status. */
static int child_uses_keystore(void *parent_be)
{
	mst_slot_config cfg = slot_config("ks-test");
	keystore_entry e[4];
	size_t n = 4, len;
	uint8_t *data;
	void *be;
	int ok;

	/* The parent's keystore is not usable here, and closing it must not
	 * disturb the parent. */
	if (ks->list(parent_be, e, &n) != MST_ERR_BACKEND)
		return 10;
	ks->close(parent_be);
	if (ks->open(&cfg, &be) != MST_OK)
		return 11;
	/* The parent's login must not leak into the child. */
	if (ks->list(be, e, &n) != MST_OK || n != 1)
		return 17;
	if (ks->login(be, KEYSTORE_USER, P(USER_PIN)) != MST_OK)
		return 12;
	n = 4;
	if (ks->list(be, e, &n) != MST_OK || n != 2)
		return 13;
	if (ks->get(be, "forked", 1, 1, &data, &len) != MST_OK)
		return 14;
	ok = len == 6 && memcmp(data, "secret", 6) == 0;
	secmem_free(data);
	if (!ok)
		return 15;
	if (ks->put(be, "from-child", 1, 1, (const uint8_t *)"child", 5) != MST_OK)
		return 16;
	ks->close(be);
	return 0;
}

static void fork_and_check(void *be)
{
	int status;
	pid_t pid;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "forked", 1, "secret");
	put_text(be, "pub", 0, "public");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_uses_keystore(be));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The parent carries on with its own session. */
	expect_record(be, "forked", 1, "secret");
	expect_record(be, "from-child", 1, "child");
}

/* SoftHSM2's default: the child inherits the parent's module state. */
static void fork_child_opens_again(void **state)
{
	fork_and_check(*state);
}

/* library.reset_on_fork = true: SoftHSM2 resets itself in the child. */
static void fork_child_with_reset_on_fork(void **state)
{
	mst_slot_config cfg = slot_config("ks-test");
	char conf[600], *plain = strdup(getenv("SOFTHSM2_CONF"));
	FILE *f;
	void *be;

	assert_non_null(plain);
	snprintf(conf, sizeof conf, "%s/reset-on-fork.conf", ks_tmpdir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
		"log.level = ERROR\nlibrary.reset_on_fork = true\n", ks_tmpdir);
	fclose(f);
	/* SoftHSM2 reads its configuration at C_Initialize: finalise first. */
	ks->close(*state);
	*state = NULL;
	setenv("SOFTHSM2_CONF", conf, 1);
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	*state = be;
	fork_and_check(be);
	ks->close(be);
	*state = NULL;
	setenv("SOFTHSM2_CONF", plain, 1);
	free(plain);
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	*state = be;
}

/* An application that initialised the module itself keeps it: our last
 * close must not finalise it under the application's feet. */
static void module_initialised_by_application(void **state)
{
	mst_slot_config cfg = slot_config("ks-app");
	CK_FUNCTION_LIST_PTR f;
	CK_C_GetFunctionList get;
	void *dl = dlopen(MST_DEFAULT_HSM_MODULE, RTLD_NOW | RTLD_NODELETE), *be;

	(void)state;
	assert_non_null(dl);
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	assert_int_equal(get(&f), CKR_OK);
	/* No keystore is open now: our earlier closes finalised the module. */
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	assert_rc(be, ks->init_token(be, P(SO_PIN), "app"), MST_OK);
	ks->close(be);
	assert_int_equal(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	/* And when we initialised it, the last close finalised it. */
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	ks->close(be);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	dlclose(dl);
}

/* Someone closes our session behind our back (C_CloseAllSessions in the
 * same process): one call fails, the next ones recover with a new session. */
struct worker {
	void *be;
	const char *name;
	int failures;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char text[32];
	uint8_t *data;
	size_t len;
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(text, sizeof text, "%s-%d", w->name, i);
		if (ks->put(w->be, w->name, (uint32_t)i, 1, (const uint8_t *)text,
			    strlen(text)) != MST_OK ||
		    ks->get(w->be, w->name, 1, (uint32_t)i, &data, &len) != MST_OK) {
			w->failures++;
			continue;
		}
		if (len != strlen(text) || memcmp(data, text, len) != 0)
			w->failures++;
		secmem_free(data);
	}
	return NULL;
}

/* Two slots on one module used from two threads at once (each keystore by
 * one thread, as the module's slot locks guarantee). */
static void two_threads_two_slots(void **state)
{
	struct worker w[2] = { { fresh_store("ks-t1"), "t1", 0 },
			       { fresh_store("ks-t2"), "t2", 0 } };
	pthread_t t[2];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_rc(w[i].be, ks->login(w[i].be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
		ks->close(w[i].be);
	}
}

/* A damaged PIN state object fails closed, and init_token repairs it. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_slots_share_one_module),
		cmocka_unit_test(two_threads_two_slots),
		STORE_TEST(reopen_after_close),
		cmocka_unit_test(open_refuses_bad_module),
		STORE_TEST(fork_child_opens_again),
		STORE_TEST(fork_child_with_reset_on_fork),
		cmocka_unit_test(module_initialised_by_application),
	};
	return cmocka_run_group_tests_name("keystore_process", tests, group_setup, group_teardown);
}
