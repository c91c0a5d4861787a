/* tests/integration/test_keystore_tpm_kill.c - a writer killed with
 * SIGKILL at random moments, 100 times: the store must open and every
 * record must read as one complete version (old or new), never a mix. */
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

#define KILLS 100   /* MST_TPM_KILLS overrides (e.g. fewer under valgrind) */
#define N_RECORDS 4
#define KILL_KIND 1  /* every record: the version is in the data */

static const keystore_backend *K = &keystore_backend_tpm;
static const char *const names[N_RECORDS] = { "pub.a", "prv.a", "pub.b", "prv.b" };

static int is_private(int i)
{
	return i & 1;
}

/* Version v of a record: "name:v:" then bytes that depend on both, of a
 * length that changes with v, so a torn write cannot pass as a version. */
static size_t make_data(const char *name, uint32_t v, uint8_t *out, size_t cap)
{
	size_t len = 64 + v % 700, i;
	int h = snprintf((char *)out, cap, "%s:%08x:", name, v);

	assert_true(len <= cap && (size_t)h < len);
	for (i = (size_t)h; i < len; i++)
		out[i] = (uint8_t)(v * 31u + i * 17u + (uint8_t)name[0]);
	return len;
}

/* The version a read record claims, after checking it is that version. */
static uint32_t check_data(const char *name, const uint8_t *d, size_t len)
{
	uint8_t want[1024];
	unsigned v = 0;
	size_t wlen;
	char head[80];

	assert_true(len > 16 && len < sizeof(head) + 1024);
	memcpy(head, d, sizeof(head) - 1 < len ? sizeof(head) - 1 : len);
	head[sizeof(head) - 1] = '\0';
	if (sscanf(head + strlen(name), ":%8x:", &v) != 1)
		fail_msg("record %s: no version header", name);
	wlen = make_data(name, v, want, sizeof(want));
	assert_int_equal(len, wlen);
	assert_memory_equal(d, want, wlen);
	return v;
}

static void put_version(void *be, int i, uint32_t v)
{
	uint8_t buf[1024];
	size_t len = make_data(names[i], v, buf, sizeof(buf));
	mst_rc rc = K->put(be, names[i], KILL_KIND, is_private(i), buf, len);

	if (rc != MST_OK)
		fail_msg("put %s v%u: %s: %s", names[i], v, mst_strerror(rc), keystore_tpm_last_error(be));
}

/* Writes versions base, base+1, ... of every record until killed; says
 * on the pipe when its first put starts. */
static void writer(const mst_slot_config *cfg, uint32_t base, int ready_fd)
{
	void *be = NULL;
	uint32_t v;
	int i;

	if (K->open(cfg, &be) != MST_OK || K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4) != MST_OK)
		_exit(3);
	for (v = base;; v++)
		for (i = 0; i < N_RECORDS; i++) {
			uint8_t buf[1024];
			size_t len = make_data(names[i], v, buf, sizeof(buf));

			if (v == base && i == 0 && write(ready_fd, "w", 1) != 1)
				_exit(5);
			if (K->put(be, names[i], KILL_KIND, is_private(i), buf, len) != MST_OK)
				_exit(4);
		}
}

/* Start a writer and SIGKILL it 0-40 ms after its first put began (the
 * machine may be busy: waiting for the start keeps every kill inside the
 * put loop, at a random point of a put). */
static void run_and_kill(const mst_slot_config *cfg, unsigned k)
{
	int fds[2], status = 0;
	char c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		writer(cfg, (k + 1) * 100000u, fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		fail_msg("kill %u: writer failed before its first put (status 0x%x)", k, status);
	}
	close(fds[0]);
	usleep((useconds_t)(rand() % 40000));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		fail_msg("kill %u: writer ended by itself (status 0x%x)", k, status);
}

static int temp_files_left(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "tmp.", 4) == 0;
	closedir(d);
	return n;
}

static void test_sigkill_during_puts(void **state)
{
	mst_slot_config cfg;
	uint32_t seen[N_RECORDS] = { 0 };
	unsigned changed = 0, k, kills = KILLS;
	const char *env = getenv("MST_TPM_KILLS");
	void *be;
	int i;

	(void)state;
	if (env && atoi(env) > 0)
		kills = (unsigned)atoi(env);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	be = test_user_store(&cfg, "kill");
	for (i = 0; i < N_RECORDS; i++)
		put_version(be, i, 0);
	K->close(be);

	for (k = 0; k < kills; k++) {
		run_and_kill(&cfg, k);
		be = test_open(&cfg);
		assert_int_equal(temp_files_left(cfg.tpm_store), 0);
		{
			mst_rc rc = K->login(be, KEYSTORE_USER, TEST_USER_PIN, 4);

			if (rc != MST_OK)
				fail_msg("kill %u: login: %s: %s", k, mst_strerror(rc), keystore_tpm_last_error(be));
		}
		for (i = 0; i < N_RECORDS; i++) {
			uint8_t *d = NULL;
			size_t len = 0;
			uint32_t v;
			mst_rc rc = K->get(be, names[i], is_private(i), KILL_KIND, &d, &len);

			if (rc != MST_OK)
				fail_msg("kill %u: %s: %s: %s", k, names[i], mst_strerror(rc),
					 keystore_tpm_last_error(be));
			v = check_data(names[i], d, len);
			if (is_private(i))
				secmem_free(d);
			else
				free(d);
			/* never older than what was already seen */
			assert_true(v >= seen[i]);
			changed += v != seen[i];
			seen[i] = v;
		}
		K->close(be);
	}
	/* the writers did get records written between the kills */
	print_message("%u record versions changed over %u kills\n", changed, kills);
	assert_true(changed > 0);
}

int tpm_test_kill_group(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_during_puts),
	};

	test_da_setup(0, TEST_MAX_TRIES, 3600);
	return cmocka_run_group_tests_name("keystore_tpm_kill", tests, NULL, NULL);
}
