/* tests/fuzz/fuzz_objcodec.c - libFuzzer target for the ".a" record of a
 * token object (pkcs11/objcodec.c), as the module reads it back from a
 * keystore whose records an attacker may have written.
 *
 * Promises checked besides "no crash": a record that decodes encodes to
 * the very same octets (the format has one spelling); every attribute of
 * a decoded object can be read through C_GetAttributeValue's reader, first
 * sized (pValue NULL) and then fetched, and the sizes agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkcs11/objcodec.h"
#include "pkcs11/object.h"
#include "pkcs11/attrs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_back(p11_object *o)
{
	CK_ATTRIBUTE t[8];
	CK_ULONG n = 0, i;
	size_t k;
	CK_RV rv;
	int hard;

	for (k = 0; k < o->n_attrs && n < 8; k++, n++)
		t[n] = (CK_ATTRIBUTE){ o->attrs[k].type, NULL, 0 };
	if (n < 8)
		t[n++] = (CK_ATTRIBUTE){ CKA_VALUE, NULL, 0 };
	(void)attrs_read(o, t, n);
	for (i = 0; i < n; i++)
		if (t[i].ulValueLen != CK_UNAVAILABLE_INFORMATION) {
			t[i].pValue = malloc(t[i].ulValueLen ? t[i].ulValueLen : 1);
			if (t[i].pValue == NULL)
				abort();
		}
	rv = attrs_read(o, t, n);
	/* any other answer may stop before the end of the template */
	hard = rv != CKR_OK && rv != CKR_ATTRIBUTE_SENSITIVE && rv != CKR_ATTRIBUTE_TYPE_INVALID &&
	       rv != CKR_BUFFER_TOO_SMALL;
	for (i = 0; i < n; i++) {
		const p11_attr *a = obj_attr(o, t[i].type);

		if (!hard && t[i].type != CKA_CLASS && t[i].pValue != NULL && a != NULL &&
		    t[i].ulValueLen != CK_UNAVAILABLE_INFORMATION &&
		    (t[i].ulValueLen != a->len ||
		     (a->len && memcmp(t[i].pValue, a->value, a->len) != 0))) {
			fprintf(stderr, "attribute 0x%lx: read %lu octets, holds %zu\n",
				(unsigned long)t[i].type, (unsigned long)t[i].ulValueLen, a->len);
			abort();
		}
		free(t[i].pValue);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	p11_object *o = object_new(NULL, 0);
	uint8_t *out = NULL;
	size_t len = 0;

	if (o == NULL)
		return 0;
	if (objcodec_decode(data, size, o) == CKR_OK) {
		if (objcodec_encode(o, &out, &len) != CKR_OK || len != size ||
		    memcmp(out, data, size) != 0)
			abort();
		free(out);
		(void)obj_is_private(o);
		(void)obj_is_token(o);
		read_back(o);
	}
	object_free(o);
	return 0;
}
