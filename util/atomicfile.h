/* util/atomicfile.h - the one writer of files that must be all or nothing,
 * shared by the replay cache (client/), the KMS (kms/) and the TPM store
 * (tpm/).  It sits below every layer (no status type, no OpenSSL): calls
 * return 0 or an errno value, and each caller words its own error.
 *
 * A write goes to a temporary file beside the target, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600 (so a symlink or file planted at
 * the temporary name is never followed or reused, and secrets never sit in
 * a readable file), is fsynced, given its final mode, renamed over the
 * target (the commit point) and the folder is fsynced (so the rename
 * survives a crash).  After a crash the target holds its old or its new
 * complete content; a stale temporary file may remain (AF_TEMP_PREFIX).
 *
 * Lock files are opened without following symlinks, created 0600 with
 * O_EXCL, and must be regular files owned by the caller.
 */
#ifndef MST_UTIL_ATOMICFILE_H
#define MST_UTIL_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Temporary names are AF_TEMP_PREFIX <target> "." <16 hex digits>. */
#define AF_TEMP_PREFIX ".tmp."
#define AF_NAME_MAX 255

/* A file written under its temporary name, not yet in place. */
typedef struct {
	int dir_fd;              /* the folder */
	int own_dir;             /* dir_fd opened by af_stage (closed by commit/abort) */
	int pending;             /* the temporary file exists */
	char name[AF_NAME_MAX + 1];
	char tmp[AF_NAME_MAX + 1];
} af_staged;

/* The folder of path, opened O_DIRECTORY (-1 and errno on failure). */
int af_open_folder_of(const char *path);

/* Write data to a fresh temporary file in dir_fd beside name, fsynced, with
 * the given final mode.  dir_fd stays the caller's. */
int af_stage_at(int dir_fd, const char *name, const void *data, size_t len, mode_t mode,
		af_staged *s);
/* The same for a path (the folder is opened here and kept in s). */
int af_stage(const char *path, const void *data, size_t len, mode_t mode, af_staged *s);
/* Rename the staged file into place and fsync the folder. */
int af_commit(af_staged *s);
/* Remove the temporary file of a stage not committed (safe to repeat). */
void af_abort(af_staged *s);

/* af_stage + af_commit. */
int af_write_at(int dir_fd, const char *name, const void *data, size_t len, mode_t mode);
int af_write(const char *path, const void *data, size_t len, mode_t mode);

/* Open (creating 0600 if absent) a lock file for flock: never through a
 * symlink, and only a regular file owned by the effective user.  Returns a
 * descriptor, or -1 with errno (ELOOP for a symlink, EPERM for a file of
 * another owner or kind). */
int af_open_lock_at(int dir_fd, const char *name);
int af_open_lock(const char *path);

/* 0 when the open folder is owned by the effective user and neither group
 * nor others may write into it; else EPERM (owner) or EACCES (mode). */
int af_check_private_folder(int dir_fd);

#endif
