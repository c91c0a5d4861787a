/* tpm/tpm_store.h - the store folder of the TPM backend: files only.
 *
 * One file per record or auth object.  Every write goes through a temporary
 * file, fsync, rename and an fsync of the folder, so after a crash a file
 * holds either its old or its new complete content.  A lock file (flock)
 * lets several processes share one store: shared for reads, exclusive for
 * changes.  The folder is created with mode 0700, files with 0600.
 */
#ifndef MST_TPM_STORE_H
#define MST_TPM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

#define TPM_STORE_FILE_MAX (1u << 20)   /* no store file is larger */
#define TPM_STORE_TEMP_PREFIX ".tmp."   /* util/atomicfile.h AF_TEMP_PREFIX */

typedef struct {
	int dir_fd;
	int lock_fd;
	int locked;
} tpm_store;

/* Create (0700, parents too) or open the folder and its lock file;
 * MST_ERR_IO also for a folder another user owns or that group or others
 * may write, and for a lock file that is a symlink or not the user's; why
 * then says which. */
mst_rc tpm_store_open(tpm_store *st, const char *path, char *why, size_t why_len);
void tpm_store_close(tpm_store *st);

/* flock the store: shared for readers, exclusive for writers. */
mst_rc tpm_store_lock(tpm_store *st, int exclusive);
void tpm_store_unlock(tpm_store *st);

/* Replace file atomically with data (caller holds the exclusive lock). */
mst_rc tpm_store_write(tpm_store *st, const char *file, const uint8_t *data, size_t len);
/* Whole file into a malloc'd buffer; MST_ERR_NOT_FOUND when absent. */
mst_rc tpm_store_read(tpm_store *st, const char *file, uint8_t **data, size_t *len);
/* Remove a file and make the removal durable; absent is not an error. */
mst_rc tpm_store_unlink(tpm_store *st, const char *file);
/* Call visit for each file whose name starts with prefix (in readdir
 * order); a nonzero return from visit stops the walk and is returned. */
int tpm_store_each(tpm_store *st, const char *prefix,
		   int (*visit)(void *ctx, const char *file), void *ctx);
/* Remove temporary files a killed writer left (exclusive lock held). */
void tpm_store_clean_temp(tpm_store *st);

#endif
