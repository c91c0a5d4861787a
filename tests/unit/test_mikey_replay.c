/* tests/unit/test_mikey_replay.c - the replay cache file: seen messages
 * refused across "restarts", entries expire, recipients kept apart, a
 * corrupt or full file refused (fail closed), writes atomic. */
#include <unistd.h>
#include <sys/stat.h>
#include "test_util.h"
#include "mikeysakke/replay.h"

static char dir[64], path[128];
static const uint8_t rand1[16] = { 1 }, rand2[16] = { 2 }, signer[32] = { 0xaa }, me[32] = { 0xbb },
		     other[32] = { 0xcc };

static int setup(void **state)
{
	strcpy(dir, "/tmp/mst-replay-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/cache", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static ms_rc add(const uint8_t *rand, const uint8_t *to, int64_t t, int64_t now)
{
	struct ms_replay_key k = { 0x01020304, rand, 16, signer, 32, to, 32 };

	return ms_replay_check_and_add(path, &k, t, 300, now);
}

static void test_seen_refused_and_persisted(void **state)
{
	struct stat st;
	char tmp[160];

	unlink(path);
	assert_int_equal(add(rand1, me, 1000, 1000), MS_OK);
	assert_int_equal(add(rand1, me, 1000, 1010), MS_ERR_REPLAY);      /* same message */
	assert_int_equal(add(rand2, me, 1000, 1010), MS_OK);              /* another RAND */
	assert_int_equal(add(rand1, other, 1000, 1010), MS_OK);           /* another member */
	assert_int_equal(add(rand1, me, 1000, 1290), MS_ERR_REPLAY);      /* still in the window */
	/* after message time + window the entry is gone (the window refuses it anyway) */
	assert_int_equal(add(rand1, me, 1000, 1301), MS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 20);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);   /* no temporary left behind */
}

static void test_corrupt_file_refused(void **state)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("mikey-sakke-replay 1\nnot hex 12\n", f);
	fclose(f);
	assert_int_equal(add(rand1, me, 1000, 1000), MS_ERR_IO);
	f = fopen(path, "w");
	fputs("something else\n", f);
	fclose(f);
	assert_int_equal(add(rand1, me, 1000, 1000), MS_ERR_IO);
}

static void test_full_cache_fails_closed(void **state)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	assert_non_null(f);
	fputs("mikey-sakke-replay 1\n", f);
	for (i = 0; i < MS_REPLAY_MAX; i++)
		fprintf(f, "%064x 5000\n", i);
	fclose(f);
	assert_int_equal(add(rand1, me, 1000, 1000), MS_ERR_IO);
	/* once those expire there is room again */
	assert_int_equal(add(rand1, me, 6000, 6000), MS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_refused_and_persisted),
		cmocka_unit_test(test_corrupt_file_refused),
		cmocka_unit_test(test_full_cache_fails_closed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
