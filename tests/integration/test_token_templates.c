/* tests/integration/test_token_templates.c - templates that once crashed
 * the module (found by tests/fuzz/fuzz_pkcs11.c). */
#include "test_token.h"

/* An empty value (pValue NULL, ulValueLen 0) is a legal value for a
 * byte-string attribute; the check of one-way booleans read one octet
 * of every attribute's value, so { CKA_LABEL, NULL, 0 } dereferenced
 * NULL in C_CreateObject, C_GenerateKey, C_SetAttributeValue and
 * C_CopyObject. */
void test_template_empty_values(void **state)
{
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_BBOOL no = CK_FALSE;
	CK_ULONG len = 16;
	CK_MECHANISM gen = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE create[] = {
		{ CKA_CLASS, &data, sizeof data }, { CKA_TOKEN, &no, sizeof no },
		{ CKA_LABEL, NULL, 0 },
	};
	CK_ATTRIBUTE key_t[] = {
		{ CKA_TOKEN, &no, sizeof no }, { CKA_VALUE_LEN, &len, sizeof len },
		{ CKA_LABEL, NULL, 0 },
	};
	CK_ATTRIBUTE empty_label = { CKA_LABEL, NULL, 0 };
	CK_OBJECT_HANDLE o, copy, key;
	uint8_t label[4];
	CK_ATTRIBUTE get = { CKA_LABEL, label, sizeof label };

	(void)state;
	assert_int_equal(p11->C_CreateObject(s, create, 3, &o), CKR_OK);
	assert_int_equal(p11->C_GenerateKey(s, &gen, key_t, 3, &key), CKR_OK);
	assert_int_equal(p11->C_SetAttributeValue(s, o, &empty_label, 1), CKR_OK);
	assert_int_equal(p11->C_CopyObject(s, o, &empty_label, 1, &copy), CKR_OK);
	assert_int_equal(p11->C_GetAttributeValue(s, copy, &get, 1), CKR_OK);
	assert_int_equal(get.ulValueLen, 0);
	assert_int_equal(p11->C_DestroyObject(s, copy), CKR_OK);
	assert_int_equal(p11->C_DestroyObject(s, o), CKR_OK);
	assert_int_equal(p11->C_DestroyObject(s, key), CKR_OK);
	p11->C_CloseSession(s);
}
