/* tpm/tpm_store.c - atomic files and a lock in the store folder. */
#include "config.h"
#include "tpm/tpm_store.h"
#include "util/atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_FILE "lock"

/* mkdir -p with mode 0700 for every folder it creates. */
static int make_folders(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		buf[i] = path[i];
	}
	return 0;
}

mst_rc tpm_store_open(tpm_store *st, const char *path, char *why, size_t why_len)
{
	int e;

	st->dir_fd = st->lock_fd = -1;
	st->locked = 0;
	if (why_len > 0)
		why[0] = '\0';
	if (path == NULL || path[0] == '\0')
		return MST_ERR_CONFIG;
	if (make_folders(path) != 0) {
		snprintf(why, why_len, "cannot create it: %s", strerror(errno));
		return MST_ERR_IO;
	}
	st->dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dir_fd < 0) {
		snprintf(why, why_len, "cannot open it: %s", strerror(errno));
		return MST_ERR_IO;
	}
	/* The folder holds sealed blobs and salts: refuse one that another
	 * user owns or that others can write into, rather than trusting what
	 * they could plant or swap. */
	e = af_check_private_folder(st->dir_fd);
	if (e != 0) {
		snprintf(why, why_len, "%s", e == EPERM ? "it is owned by another user" :
			 e == EACCES ? "group or others may write into it" : strerror(e));
		tpm_store_close(st);
		return MST_ERR_IO;
	}
	st->lock_fd = af_open_lock_at(st->dir_fd, LOCK_FILE);
	if (st->lock_fd < 0) {
		snprintf(why, why_len, "its lock file: %s", errno == EPERM ?
			 "not a regular file of this user" : strerror(errno));
		tpm_store_close(st);
		return MST_ERR_IO;
	}
	return MST_OK;
}

void tpm_store_close(tpm_store *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	st->dir_fd = st->lock_fd = -1;
	st->locked = 0;
}

mst_rc tpm_store_lock(tpm_store *st, int exclusive)
{
	int r;

	do
		r = flock(st->lock_fd, exclusive ? LOCK_EX : LOCK_SH);
	while (r != 0 && errno == EINTR);
	if (r != 0)
		return MST_ERR_IO;
	st->locked = 1;
	return MST_OK;
}

void tpm_store_unlock(tpm_store *st)
{
	if (st->locked)
		(void)flock(st->lock_fd, LOCK_UN);
	st->locked = 0;
}

mst_rc tpm_store_write(tpm_store *st, const char *file, const uint8_t *data, size_t len)
{
	if (len > TPM_STORE_FILE_MAX)
		return MST_ERR_IO;
	/* temporary file, fsync, rename (the commit point), folder fsync */
	return af_write_at(st->dir_fd, file, data, len, 0600) == 0 ? MST_OK : MST_ERR_IO;
}

mst_rc tpm_store_read(tpm_store *st, const char *file, uint8_t **data, size_t *len)
{
	struct stat sb;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	*data = NULL;
	*len = 0;
	fd = openat(st->dir_fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? MST_ERR_NOT_FOUND : MST_ERR_IO;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > TPM_STORE_FILE_MAX) {
		close(fd);
		return MST_ERR_IO;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return MST_ERR_NOMEM;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)sb.st_size) {
		free(buf);
		return MST_ERR_IO;
	}
	*data = buf;
	*len = got;
	return MST_OK;
}

mst_rc tpm_store_unlink(tpm_store *st, const char *file)
{
	if (unlinkat(st->dir_fd, file, 0) != 0)
		return errno == ENOENT ? MST_OK : MST_ERR_IO;
	return fsync(st->dir_fd) == 0 ? MST_OK : MST_ERR_IO;
}

int tpm_store_each(tpm_store *st, const char *prefix,
		   int (*visit)(void *ctx, const char *file), void *ctx)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	/* fdopendir takes the descriptor: give it a duplicate */
	fd = openat(st->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) == 0)
			r = visit(ctx, de->d_name);
	}
	closedir(d);
	return r;
}

static int unlink_visit(void *ctx, const char *file)
{
	tpm_store *st = ctx;

	(void)unlinkat(st->dir_fd, file, 0);
	return 0;
}

void tpm_store_clean_temp(tpm_store *st)
{
	(void)tpm_store_each(st, TPM_STORE_TEMP_PREFIX, unlink_visit, st);
}
