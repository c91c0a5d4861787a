/* kms/fileio.c - bounded reads and all-or-nothing writes. */
#include "config.h"
#include "kms/fileio.h"
#include "kms/kms.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

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

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The folder part of path, for the temporary name and the folder fsync. */
static void folder_of(const char *path, char out[PATH_MAX])
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof copy, "%s", path);
	snprintf(out, PATH_MAX, "%s", dirname(copy));
}

mst_rc kms_stage(const char *path, const void *data, size_t len, mode_t mode, kms_staged *s,
		 char *err, size_t err_len)
{
	char folder[PATH_MAX], copy[PATH_MAX];
	int fd, n, e;

	memset(s, 0, sizeof *s);
	if (snprintf(s->path, sizeof s->path, "%s", path) >= (int)sizeof s->path)
		return kx_fail(err, err_len, MST_ERR_RANGE, "path too long: %.80s...", path);
	folder_of(path, folder);
	snprintf(copy, sizeof copy, "%s", path);
	n = snprintf(s->tmp, sizeof s->tmp, "%s/.%s.XXXXXX", folder, basename(copy));
	if (n < 0 || (size_t)n >= sizeof s->tmp)
		return kx_fail(err, err_len, MST_ERR_RANGE, "path too long: %.80s...", path);
	fd = mkstemp(s->tmp); /* mode 0600 from the start: no window for secrets */
	if (fd < 0)
		return kx_fail(err, err_len, MST_ERR_IO, "cannot write in %s: %s", folder, strerror(errno));
	s->pending = 1;
	if (write_all(fd, data, len) != 0 || fchmod(fd, mode) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		kms_abort(s);
		return kx_fail(err, err_len, MST_ERR_IO, "cannot write %s: %s", path, strerror(e));
	}
	if (close(fd) != 0) {
		e = errno;
		kms_abort(s);
		return kx_fail(err, err_len, MST_ERR_IO, "cannot write %s: %s", path, strerror(e));
	}
	return MST_OK;
}

mst_rc kms_commit(kms_staged *s, char *err, size_t err_len)
{
	char folder[PATH_MAX];
	int fd;

	if (rename(s->tmp, s->path) != 0) {
		int e = errno;
		kms_abort(s);
		return kx_fail(err, err_len, MST_ERR_IO, "cannot write %s: %s", s->path, strerror(e));
	}
	s->pending = 0;
	/* make the rename itself durable */
	folder_of(s->path, folder);
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return MST_OK;
}

void kms_abort(kms_staged *s)
{
	if (s->pending) {
		(void)unlink(s->tmp);
		s->pending = 0;
	}
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
