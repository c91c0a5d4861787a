/* tests/unit/test_atomicfile.c - the shared atomic-file writer
 * (util/atomicfile.c) and its three users' file rules (issue 11 item 9):
 * a symlink planted at the temporary or lock name is never followed, files
 * are 0600, nothing is left behind; the replay cache and the TPM store
 * refuse planted lock symlinks, the TPM store refuses a folder of another
 * owner or one others can write. */
#include <config.h>
#include "test_util.h"
#include "util/atomicfile.h"
#include "mikeysakke/replay.h"
#include "tpm/tpm_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char dir[64];

/* The writer's temporary names come from getrandom(); this definition
 * (linked before libc) makes the next one predictable so that the test can
 * plant a symlink exactly there. */
static int predictable;

ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
	if (predictable) {
		predictable = 0;
		memset(buf, 0x11, n);
		return (ssize_t)n;
	}
	return syscall(SYS_getrandom, buf, n, flags);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mst-af-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
	return system(cmd);
}

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_text(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, want);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* files in dir (other than the given ones) = leftovers */
static int count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.' || strncmp(de->d_name, AF_TEMP_PREFIX, strlen(AF_TEMP_PREFIX)) == 0;
	closedir(d);
	return n;
}

static void write_is_whole_private_and_clean(void **state)
{
	char p[128];

	(void)state;
	umask(022);
	path_of(p, sizeof p, "f");
	assert_int_equal(af_write(p, "one", 3, 0600), 0);
	assert_text(p, "one");
	assert_int_equal(mode_of(p), 0600);
	assert_int_equal(af_write(p, "two!", 4, 0644), 0);   /* replaced, final mode given */
	assert_text(p, "two!");
	assert_int_equal(mode_of(p), 0644);
	assert_int_equal(count_files(), 1);                  /* no temporary left */
	unlink(p);
}

static void abort_leaves_nothing(void **state)
{
	char p[128];
	af_staged s;

	(void)state;
	path_of(p, sizeof p, "g");
	assert_int_equal(af_stage(p, "x", 1, 0600, &s), 0);
	assert_int_equal(count_files(), 1);                  /* the temporary */
	assert_int_not_equal(access(p, F_OK), 0);            /* not in place yet */
	af_abort(&s);
	af_abort(&s);                                        /* twice is harmless */
	assert_int_equal(count_files(), 0);
}

static void symlink_at_temporary_name_not_followed(void **state)
{
	char p[128], victim[128], tmp[192];

	(void)state;
	path_of(p, sizeof p, "h");
	path_of(victim, sizeof victim, "victim");
	write_text(victim, "untouched");
	snprintf(tmp, sizeof tmp, "%s/" AF_TEMP_PREFIX "h.1111111111111111", dir);
	assert_int_equal(symlink(victim, tmp), 0);
	predictable = 1;
	assert_int_equal(af_write(p, "secret", 6, 0600), 0);
	assert_int_equal(predictable, 0);                    /* the planted name was tried */
	assert_text(victim, "untouched");
	assert_text(p, "secret");
	assert_int_equal(mode_of(p), 0600);
	{
		struct stat st;

		assert_int_equal(lstat(tmp, &st), 0);
		assert_true(S_ISLNK(st.st_mode));           /* left as it was */
	}
	unlink(tmp);
	unlink(p);
	unlink(victim);
}

static void symlink_at_target_replaced_not_followed(void **state)
{
	char p[128], victim[128];

	(void)state;
	path_of(p, sizeof p, "i");
	path_of(victim, sizeof victim, "victim");
	write_text(victim, "untouched");
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(af_write(p, "new", 3, 0600), 0);
	assert_text(victim, "untouched");
	assert_int_equal(mode_of(p), 0600);                  /* a file now, not the link */
	unlink(p);
	unlink(victim);
}

static void lock_rules(void **state)
{
	char p[128], victim[128];
	int fd;

	(void)state;
	path_of(p, sizeof p, "lock");
	fd = af_open_lock(p);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(p), 0600);
	fd = af_open_lock(p);                                /* an existing one reopens */
	assert_true(fd >= 0);
	close(fd);
	unlink(p);
	path_of(victim, sizeof victim, "victim");
	assert_int_equal(symlink(victim, p), 0);             /* dangling: would create victim */
	assert_int_equal(af_open_lock(p), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_not_equal(access(victim, F_OK), 0);
	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);                /* not a regular file */
	assert_int_equal(af_open_lock(p), -1);
	assert_int_equal(errno, EPERM);
	unlink(p);
	if (geteuid() == 0) {
		write_text(p, "");
		assert_int_equal(chown(p, 65534, 65534), 0); /* another user's file */
		assert_int_equal(af_open_lock(p), -1);
		assert_int_equal(errno, EPERM);
		unlink(p);
	}
}

static ms_rc replay_add(const char *path)
{
	static const uint8_t r[16] = { 7 }, signer[32] = { 1 }, me[32] = { 2 };
	struct ms_replay_key k = { 1, r, 16, signer, 32, me, 32 };

	return ms_replay_check_and_add(path, &k, 1000, 300, 1000);
}

static void replay_cache_files(void **state)
{
	char p[128], lock[160], victim[128], oldtmp[192];

	(void)state;
	umask(022);
	path_of(p, sizeof p, "replay.cache");
	snprintf(lock, sizeof lock, "%s.lock", p);
	path_of(victim, sizeof victim, "victim");
	write_text(victim, "untouched");
	/* the old writer's predictable temporary name, planted */
	snprintf(oldtmp, sizeof oldtmp, "%s.tmp.%ld", p, (long)getpid());
	assert_int_equal(symlink(victim, oldtmp), 0);
	assert_int_equal(replay_add(p), MS_OK);
	assert_text(victim, "untouched");
	assert_int_equal(mode_of(p), 0600);
	assert_int_equal(mode_of(lock), 0600);
	assert_int_equal(replay_add(p), MS_ERR_REPLAY);
	unlink(oldtmp);
	/* a lock name planted as a symlink: refused, nothing created through it */
	unlink(lock);
	unlink(victim);
	assert_int_equal(symlink(victim, lock), 0);
	assert_int_equal(replay_add(p), MS_ERR_IO);
	assert_int_not_equal(access(victim, F_OK), 0);
	unlink(lock);
	unlink(p);
}

static void tpm_store_folder_rules(void **state)
{
	char store[128], why[160], lock[160], victim[128];
	tpm_store st;

	(void)state;
	path_of(store, sizeof store, "store");
	assert_int_equal(tpm_store_open(&st, store, why, sizeof why), MST_OK);
	assert_int_equal(tpm_store_write(&st, "rec", (const uint8_t *)"abc", 3), MST_OK);
	tpm_store_close(&st);
	path_of(lock, sizeof lock, "store/rec");
	assert_int_equal(mode_of(lock), 0600);
	assert_int_equal(mode_of(store), 0700);

	assert_int_equal(chmod(store, 0770), 0);              /* group may write */
	assert_int_equal(tpm_store_open(&st, store, why, sizeof why), MST_ERR_IO);
	assert_string_equal(why, "group or others may write into it");
	assert_int_equal(chmod(store, 0700), 0);

	path_of(lock, sizeof lock, "store/lock");             /* lock planted as symlink */
	path_of(victim, sizeof victim, "victim");
	unlink(lock);
	assert_int_equal(symlink(victim, lock), 0);
	assert_int_equal(tpm_store_open(&st, store, why, sizeof why), MST_ERR_IO);
	assert_non_null(strstr(why, "lock file"));
	assert_int_not_equal(access(victim, F_OK), 0);
	unlink(lock);

	if (geteuid() != 0) {
		skip();  /* needs root to give the folder to another user */
		return;
	}
	assert_int_equal(chown(store, 65534, 65534), 0);
	assert_int_equal(tpm_store_open(&st, store, why, sizeof why), MST_ERR_IO);
	assert_string_equal(why, "it is owned by another user");
	assert_int_equal(chown(store, 0, 0), 0);
	assert_int_equal(tpm_store_open(&st, store, why, sizeof why), MST_OK);
	tpm_store_close(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_is_whole_private_and_clean),
		cmocka_unit_test(abort_leaves_nothing),
		cmocka_unit_test(symlink_at_temporary_name_not_followed),
		cmocka_unit_test(symlink_at_target_replaced_not_followed),
		cmocka_unit_test(lock_rules),
		cmocka_unit_test(replay_cache_files),
		cmocka_unit_test(tpm_store_folder_rules),
	};
	return cmocka_run_group_tests_name("atomicfile", tests, setup, teardown);
}
