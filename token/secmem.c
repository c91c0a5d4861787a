/* token/secmem.c - locked, dump-excluded, wiped allocations for secrets.
 *
 * Every block is its own anonymous mapping: that is the unit mlock() and
 * MADV_DONTDUMP work on, and secrets are few and small (a key set is well
 * under a page), so the page granularity costs nothing that matters.
 */
#include <config.h>   /* the build's (token/config.h is mstoken.conf's) */
#include "token/secmem.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/crypto.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

struct secmem_header {
	size_t map_len;   /* length of the whole mapping */
	size_t user_len;  /* bytes the caller asked for */
	int locked;
	int pad;
};

#define HDR_SIZE ((sizeof(struct secmem_header) + 15u) & ~(size_t)15u)

static struct secmem_header *header_of(const void *p)
{
	return (struct secmem_header *)(void *)((uint8_t *)(uintptr_t)p - HDR_SIZE);
}

void *secmem_alloc(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t psz = page > 0 ? (size_t)page : 4096u;
	size_t len;
	uint8_t *base;
	struct secmem_header *h;

	if (n == 0 || n > (size_t)1 << 30)
		return NULL;
	len = ((n + HDR_SIZE + psz - 1) / psz) * psz;
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	(void)madvise(base, len, MADV_DONTDUMP);
#endif
#ifdef MADV_WIPEONFORK
	/* a forked child must not inherit key bytes */
	(void)madvise(base, len, MADV_WIPEONFORK);
#endif
	h = (struct secmem_header *)(void *)base;
	h->map_len = len;
	h->user_len = n;
	h->locked = mlock(base, len) == 0;
	return base + HDR_SIZE;
}

void secmem_free(void *p)
{
	struct secmem_header *h;
	size_t len;
	int locked;

	if (p == NULL)
		return;
	h = header_of(p);
	len = h->map_len;
	locked = h->locked;
	/* a block inherited across fork() reads as zeros (MADV_WIPEONFORK),
	 * header included: unmap its first page, the whole of any block
	 * made for a key (a longer one leaves its tail mapped) */
	if (len == 0) {
		long page = sysconf(_SC_PAGESIZE);

		(void)munmap(h, page > 0 ? (size_t)page : 4096u);
		return;
	}
	OPENSSL_cleanse(h, len);
	if (locked)
		(void)munlock(h, len);
	(void)munmap(h, len);
}

size_t secmem_size(const void *p)
{
	return p ? header_of(p)->user_len : 0;
}

int secmem_locked(const void *p)
{
	return p ? header_of(p)->locked : 0;
}

void secure_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

int secure_memcmp(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) != 0;
}

void ct_declassify(const void *p, size_t n)
{
#ifdef HAVE_VALGRIND_MEMCHECK_H
	(void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#else
	(void)p;
	(void)n;
#endif
}
