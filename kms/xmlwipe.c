/* kms/xmlwipe.c - wiping allocators for libxml2 (glibc malloc underneath;
 * malloc_usable_size gives the size of a block to wipe). */
#include "config.h"
#include "kms/xmlwipe.h"
#include "token/secmem.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlmemory.h>

static void wipe_free(void *p)
{
	if (p != NULL) {
		secure_wipe(p, malloc_usable_size(p));
		free(p);
	}
}

/* Never realloc in place: a moved block would leave its old copy behind. */
static void *wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	q = malloc(n != 0 ? n : 1);
	if (q == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}

static char *wipe_strdup(const char *s)
{
	return strdup(s);
}

int kms_xml_wipe_allocators(void)
{
	return xmlMemSetup(wipe_free, malloc, wipe_realloc, wipe_strdup);
}
