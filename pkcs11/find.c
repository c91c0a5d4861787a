/* pkcs11/find.c - object search.  The matching handles are taken at
 * C_FindObjectsInit; one destroyed meanwhile is skipped when returned. */
#include "config.h"
#include "pkcs11/find.h"

#include <stdlib.h>

#include "pkcs11/attrs.h"
#include "pkcs11/object.h"

void find_op_end(p11_session *s)
{
	free(s->find.handles);
	s->find.handles = NULL;
	s->find.n = s->find.pos = 0;
	s->find.active = 0;
}

CK_RV find_init(p11_session *s, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	const p11_object *o;
	size_t count = 0;
	CK_RV rv;

	if (s->find.active)
		return CKR_OPERATION_ACTIVE;
	rv = attrs_template_ok(t, n);
	if (rv != CKR_OK)
		return rv;
	for (o = s->slot->objects; o != NULL; o = o->next)
		count++;
	s->find.handles = calloc(count ? count : 1, sizeof(CK_OBJECT_HANDLE));
	if (s->find.handles == NULL)
		return CKR_HOST_MEMORY;
	for (o = s->slot->objects; o != NULL; o = o->next)
		if (object_visible(s, o) && attrs_match(o, t, n))
			s->find.handles[s->find.n++] = o->handle;
	s->find.active = 1;
	return CKR_OK;
}

CK_RV find_next(p11_session *s, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count)
{
	CK_ULONG got = 0;

	if (!s->find.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (count == NULL || (out == NULL && max != 0))
		return CKR_ARGUMENTS_BAD;
	while (got < max && s->find.pos < s->find.n) {
		CK_OBJECT_HANDLE h = s->find.handles[s->find.pos++];
		p11_object *o;

		if (object_lookup(s, h, &o) == CKR_OK)
			out[got++] = h;
	}
	*count = got;
	return CKR_OK;
}

CK_RV find_final(p11_session *s)
{
	if (!s->find.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	find_op_end(s);
	return CKR_OK;
}
