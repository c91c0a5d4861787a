/* kms/fileio.c - bounded reads and all-or-nothing writes. */
#include "config.h"
#include "kms/fileio.h"
#include "kms/kms.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"
#include "util/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

mst_rc kms_path(char *out, size_t cap, const char *dir, const char *name, char *err, size_t err_len)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap)
		return kx_fail(err, err_len, MST_ERR_RANGE, "path too long: %.80s...", dir);
	return MST_OK;
}

static void release(uint8_t *buf, size_t cap, int secret)
{
	if (buf == NULL)
		return;
	if (secret) {
		secmem_free(buf);
	} else {
		secure_wipe(buf, cap);
		free(buf);
	}
}

void kms_release_file(uint8_t *buf, size_t len, int secret)
{
	release(buf, len + 1, secret);
}

mst_rc kms_read_file(const char *path, size_t max, int secret, uint8_t **buf, size_t *len,
		     char *err, size_t err_len)
{
	struct stat st;
	uint8_t *b;
	size_t got = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); /* a FIFO must not block us */
	if (fd < 0)
		return kx_fail(err, err_len, MST_ERR_IO, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kx_fail(err, err_len, MST_ERR_IO, "cannot read %s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return kx_fail(err, err_len, MST_ERR_RANGE, "%s: %lld octets, more than the %zu accepted",
			       path, (long long)st.st_size, max);
	}
	b = secret ? secmem_alloc((size_t)st.st_size + 1) : calloc(1, (size_t)st.st_size + 1);
	if (b == NULL) {
		close(fd);
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of memory reading %s", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			close(fd);
			release(b, (size_t)st.st_size + 1, secret);
			return kx_fail(err, err_len, MST_ERR_IO, "cannot read %s: %s", path, strerror(e));
		}
		got += (size_t)r;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	return MST_OK;
}

/* Staging, committing and the temporary files are the shared atomic-file
 * writer's (util/atomicfile.c); here only the KMS's error wording. */
mst_rc kms_stage(const char *path, const void *data, size_t len, mode_t mode, kms_staged *s,
		 char *err, size_t err_len)
{
	int e;

	memset(s, 0, sizeof *s);
	if (snprintf(s->path, sizeof s->path, "%s", path) >= (int)sizeof s->path)
		return kx_fail(err, err_len, MST_ERR_RANGE, "path too long: %.80s...", path);
	e = af_stage(path, data, len, mode, &s->af);
	if (e != 0) {
		/* name the folder when it is the folder that is missing */
		int dir_fd = af_open_folder_of(path);
		char copy[PATH_MAX];

		if (dir_fd >= 0) {
			close(dir_fd);
			return kx_fail(err, err_len, MST_ERR_IO, "cannot write %s: %s", path, strerror(e));
		}
		snprintf(copy, sizeof copy, "%s", path);
		return kx_fail(err, err_len, MST_ERR_IO, "cannot write in %s: %s", dirname(copy),
			       strerror(e));
	}
	return MST_OK;
}

mst_rc kms_commit(kms_staged *s, char *err, size_t err_len)
{
	int e = af_commit(&s->af);

	if (e != 0)
		return kx_fail(err, err_len, MST_ERR_IO, "cannot write %s: %s", s->path, strerror(e));
	return MST_OK;
}

void kms_abort(kms_staged *s)
{
	af_abort(&s->af);
}

mst_rc kms_write_file(const char *path, const void *data, size_t len, mode_t mode,
		      char *err, size_t err_len)
{
	kms_staged s;
	mst_rc rc = kms_stage(path, data, len, mode, &s, err, err_len);

	return rc == MST_OK ? kms_commit(&s, err, err_len) : rc;
}

mst_rc kms_write_pair(const char *first, const void *first_data, size_t first_len,
		      mode_t first_mode, const char *second, const void *second_data,
		      size_t second_len, mode_t second_mode, char *err, size_t err_len)
{
	kms_staged a, b;
	mst_rc rc;

	if ((rc = kms_stage(first, first_data, first_len, first_mode, &a, err, err_len)) != MST_OK)
		return rc;
	if ((rc = kms_stage(second, second_data, second_len, second_mode, &b, err, err_len)) != MST_OK) {
		kms_abort(&a);
		return rc;
	}
	if ((rc = kms_commit(&a, err, err_len)) != MST_OK) {
		kms_abort(&b);
		return rc;
	}
	return kms_commit(&b, err, err_len);
}
