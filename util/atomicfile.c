/* util/atomicfile.c - all-or-nothing file writes and safe lock files
 * (see util/atomicfile.h for the rules and why). */
#include "config.h"
#include "util/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int af_open_folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char folder[4096];
	size_t n;

	if (slash == NULL)
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof folder) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(folder, path, n);
	folder[n] = '\0';
	return open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int random_suffix(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	size_t got = 0;
	int i;

	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		got += (size_t)n;
	}
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[16] = '\0';
	return 0;
}

int af_stage_at(int dir_fd, const char *name, const void *data, size_t len, mode_t mode,
		af_staged *s)
{
	char sfx[17];
	int fd = -1, e, tries;

	memset(s, 0, sizeof *s);
	s->dir_fd = dir_fd;
	if (name[0] == '\0' || strchr(name, '/') != NULL)
		return EINVAL;
	if (snprintf(s->name, sizeof s->name, "%s", name) >= (int)sizeof s->name)
		return ENAMETOOLONG;
	/* O_EXCL|O_NOFOLLOW: whatever sits at the temporary name (a planted
	 * symlink or file) makes us pick another name, never write through it */
	for (tries = 0; fd < 0 && tries < 8; tries++) {
		if ((e = random_suffix(sfx)) != 0)
			return e;
		if (snprintf(s->tmp, sizeof s->tmp, AF_TEMP_PREFIX "%s.%s", name, sfx) >=
		    (int)sizeof s->tmp)
			return ENAMETOOLONG;
		fd = openat(dir_fd, s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return errno;
	}
	if (fd < 0)
		return EEXIST;
	s->pending = 1;
	e = write_all(fd, data, len);
	if (e == 0 && (mode & 07777) != 0600 && fchmod(fd, mode & 07777) != 0)
		e = errno;
	if (e == 0 && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e != 0)
		af_abort(s);
	return e;
}

int af_stage(const char *path, const void *data, size_t len, mode_t mode, af_staged *s)
{
	int dir_fd = af_open_folder_of(path), e;

	memset(s, 0, sizeof *s);
	s->dir_fd = -1;
	if (dir_fd < 0)
		return errno;
	e = af_stage_at(dir_fd, base_of(path), data, len, mode, s);
	if (e != 0) {
		close(dir_fd);
		s->dir_fd = -1;
		return e;
	}
	s->own_dir = 1;
	return 0;
}

static void release_dir(af_staged *s)
{
	if (s->own_dir && s->dir_fd >= 0)
		close(s->dir_fd);
	s->own_dir = 0;
	s->dir_fd = -1;
}

int af_commit(af_staged *s)
{
	int e = 0;

	if (!s->pending)
		return EINVAL;
	/* the rename is the commit point; the folder fsync makes it durable */
	if (renameat(s->dir_fd, s->tmp, s->dir_fd, s->name) != 0) {
		e = errno;
		af_abort(s);
		return e;
	}
	s->pending = 0;
	if (fsync(s->dir_fd) != 0)
		e = errno;
	release_dir(s);
	return e;
}

void af_abort(af_staged *s)
{
	if (s->pending)
		(void)unlinkat(s->dir_fd, s->tmp, 0);
	s->pending = 0;
	release_dir(s);
}

int af_write_at(int dir_fd, const char *name, const void *data, size_t len, mode_t mode)
{
	af_staged s;
	int e = af_stage_at(dir_fd, name, data, len, mode, &s);

	return e != 0 ? e : af_commit(&s);
}

int af_write(const char *path, const void *data, size_t len, mode_t mode)
{
	af_staged s;
	int e = af_stage(path, data, len, mode, &s);

	return e != 0 ? e : af_commit(&s);
}

int af_open_lock_at(int dir_fd, const char *name)
{
	struct stat st;
	int fd, tries;

	for (tries = 0; tries < 8; tries++) {
		fd = openat(dir_fd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 && errno == ENOENT) {
			fd = openat(dir_fd, name,
				    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
			if (fd < 0 && errno == EEXIST)
				continue; /* another process created it first: open theirs */
		}
		if (fd < 0)
			return -1;
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			close(fd);
			errno = EPERM;
			return -1;
		}
		return fd;
	}
	errno = EEXIST;
	return -1;
}

int af_open_lock(const char *path)
{
	int dir_fd = af_open_folder_of(path), fd, e;

	if (dir_fd < 0)
		return -1;
	fd = af_open_lock_at(dir_fd, base_of(path));
	e = errno;
	close(dir_fd);
	errno = e;
	return fd;
}

int af_check_private_folder(int dir_fd)
{
	struct stat st;

	if (fstat(dir_fd, &st) != 0)
		return errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return EPERM;
	if ((st.st_mode & 022) != 0)
		return EACCES;
	return 0;
}
