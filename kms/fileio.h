/* kms/fileio.h - files of mstoken-kms: bounded reads, and writes that are
 * all or nothing (util/atomicfile.h: temporary file created O_EXCL|O_NOFOLLOW
 * 0600 in the same folder, fsync, rename, fsync of the folder), so a failure
 * never leaves a half-written file behind.
 */
#ifndef MST_KMS_FILEIO_H
#define MST_KMS_FILEIO_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "token/status.h"
#include "util/atomicfile.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
/* Two files that belong together: both staged, then first renamed into
 * place, then second.  Should the second rename fail, the first is
 * already in place (callers order them so that this is detectable). */
mst_rc kms_write_pair(const char *first, const void *first_data, size_t first_len,
		      mode_t first_mode, const char *second, const void *second_data,
		      size_t second_len, mode_t second_mode, char *err, size_t err_len);

#endif

/* Whole regular file of at most max octets, NUL-terminated.  secret != 0
 * reads into locked memory (secmem).  Release with kms_release_file(). */
mst_rc kms_read_file(const char *path, size_t max, int secret, uint8_t **buf, size_t *len,
		     char *err, size_t err_len);
void kms_release_file(uint8_t *buf, size_t len, int secret);

/* A file written under a temporary name, not yet in place. */
typedef struct {
	char path[PATH_MAX];   /* for messages */
	af_staged af;
} kms_staged;

/* Write data to a temporary file beside path with the given mode, synced. */
mst_rc kms_stage(const char *path, const void *data, size_t len, mode_t mode, kms_staged *s,
		 char *err, size_t err_len);
/* Rename it into place and sync the folder. */
mst_rc kms_commit(kms_staged *s, char *err, size_t err_len);
/* Remove the temporary file of a stage not committed (safe to repeat). */
void kms_abort(kms_staged *s);
/* kms_stage + kms_commit. */
mst_rc kms_write_file(const char *path, const void *data, size_t len, mode_t mode,
		      char *err, size_t err_len);

/* Two files that belong together: both staged, then first renamed into
 * place, then second.  Should the second rename fail, the first is
 * already in place (callers order them so that this is detectable). */
mst_rc kms_write_pair(const char *first, const void *first_data, size_t first_len,
		      mode_t first_mode, const char *second, const void *second_data,
		      size_t second_len, mode_t second_mode, char *err, size_t err_len);

#endif
