/* token/secmem.h - memory for key bytes.
 *
 * Secrets live in pages that are locked (never swapped), excluded from core
 * dumps and wiped with OPENSSL_cleanse when freed.  When the process may not
 * lock more memory the allocation still succeeds (unlocked but still
 * excluded from dumps and wiped); secmem_locked() tells which happened.
 */
#ifndef MST_SECMEM_H
#define MST_SECMEM_H

#include <stddef.h>

/* Zeroed block of n bytes for secret data, or NULL. */
void *secmem_alloc(size_t n);
/* Wipe and release a block from secmem_alloc (NULL is allowed). */
void secmem_free(void *p);
/* Size the block was allocated with (0 for NULL). */
size_t secmem_size(const void *p);
/* Nonzero when the block is locked in memory. */
int secmem_locked(const void *p);
/* Wipe n bytes that held secret data (stack buffers, structs). */
void secure_wipe(void *p, size_t n);
/* Constant-time comparison: 0 when equal. */
int secure_memcmp(const void *a, const void *b, size_t n);
/* Declare n bytes computed from secrets public: a verdict the caller is
 * told anyway, or a digest that names a key without saying anything about
 * it.  Code branches on them; under valgrind's constant-time check
 * (secrets marked undefined) this marks them defined.  A no-op otherwise. */
void ct_declassify(const void *p, size_t n);

#endif
