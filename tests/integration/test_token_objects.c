/* tests/integration/test_token_objects.c - C_Initialize arguments and
 * object management: create, copy, change, destroy, sizes, persistence. */
#include "test_token.h"

static int locks, unlocks, creates, destroys;

static CK_RV app_create(CK_VOID_PTR_PTR m)
{
	static int mutex;

	creates++;
	*m = &mutex;
	return CKR_OK;
}

static CK_RV app_destroy(CK_VOID_PTR m)
{
	(void)m;
	destroys++;
	return CKR_OK;
}

static CK_RV app_lock(CK_VOID_PTR m)
{
	(void)m;
	locks++;
	return CKR_OK;
}

static CK_RV app_unlock(CK_VOID_PTR m)
{
	(void)m;
	unlocks++;
	return CKR_OK;
}

static int through_proxy(void)
{
	return strstr(getenv("MSTOKEN_MODULE"), "p11-kit-proxy") != NULL;
}

/* Direct loading only: p11-kit's proxy answers C_Initialize itself
 * (reference counting, its own locking) before it reaches the module. */
void test_initialize_args(void **state)
{
	CK_C_INITIALIZE_ARGS args;
	CK_ULONG n;

	(void)state;
	if (through_proxy())
		skip();
	assert_int_equal(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
	assert_int_equal(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	memset(&args, 0, sizeof(args));
	args.CreateMutex = app_create;          /* some callbacks but not all */
	assert_int_equal(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args.DestroyMutex = app_destroy;
	args.LockMutex = app_lock;
	args.UnlockMutex = app_unlock;
	args.pReserved = &n;
	assert_int_equal(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args.pReserved = NULL;
	/* the application's mutexes, since CKF_OS_LOCKING_OK is not set */
	assert_int_equal(p11->C_Initialize(&args), CKR_OK);
	assert_int_equal(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
	assert_int_equal(creates, 1);
	assert_int_equal(destroys, 1);
	assert_true(locks >= 2);
	assert_int_equal(locks, unlocks);
	args.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(p11->C_Initialize(&args), CKR_OK);
}

static CK_OBJECT_HANDLE data_object(CK_SESSION_HANDLE s, const char *label, int token)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL tok = token ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &tok, sizeof(tok) },
		{ CKA_LABEL, (void *)(uintptr_t)label, strlen(label) },
		{ CKA_VALUE, (void *)(uintptr_t)"payload", 7 },
	};
	CK_OBJECT_HANDLE h;

	assert_int_equal(p11->C_CreateObject(s, t, 4, &h), CKR_OK);
	return h;
}

static CK_ULONG count_label(CK_SESSION_HANDLE s, const char *label)
{
	CK_ATTRIBUTE t = { CKA_LABEL, (void *)(uintptr_t)label, strlen(label) };
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n = 0;

	assert_int_equal(p11->C_FindObjectsInit(s, &t, 1), CKR_OK);
	assert_int_equal(p11->C_FindObjects(s, h, 8, &n), CKR_OK);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	return n;
}

void test_object_management(void **state)
{
	CK_SESSION_HANDLE s = tok_session("bob", 1), ro;
	CK_OBJECT_HANDLE d, c, k;
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE relabel = { CKA_LABEL, (void *)(uintptr_t)"renamed", 7 };
	CK_ATTRIBUTE bad_type = { 0x7FFFFFF0UL, &no, sizeof(no) };
	CK_ATTRIBUTE no_copy = { CKA_COPYABLE, &no, sizeof(no) };
	CK_ATTRIBUTE to_session = { CKA_TOKEN, &no, sizeof(no) };
	CK_ATTRIBUTE pub[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_ATTRIBUTE sens = { CKA_SENSITIVE, &yes, sizeof(yes) };
	uint8_t buf[64];
	CK_ULONG size, len = sizeof(buf);

	(void)state;
	d = data_object(s, "persisted", 1);
	data_object(s, "ephemeral", 0);
	assert_int_equal(p11->C_GetObjectSize(s, d, &size), CKR_OK);
	assert_true(size >= 7);
	/* changes are stored; the table refuses what may not change */
	assert_int_equal(p11->C_SetAttributeValue(s, d, &relabel, 1), CKR_OK);
	assert_int_equal(p11->C_SetAttributeValue(s, d, &bad_type, 1), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(p11->C_SetAttributeValue(s, d, &to_session, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(p11->C_CopyObject(s, d, &to_session, 1, &c), CKR_OK);
	assert_int_equal(count_label(s, "renamed"), 2);
	assert_int_equal(p11->C_DestroyObject(s, c), CKR_OK);
	assert_int_equal(p11->C_DestroyObject(s, c), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(p11->C_SetAttributeValue(s, d, &no_copy, 1), CKR_OK);
	assert_int_equal(p11->C_CopyObject(s, d, NULL, 0, &c), CKR_ACTION_PROHIBITED);
	/* keys other than generic secrets come from imports only */
	assert_int_equal(p11->C_CreateObject(s, pub, 1, &c), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(p11->C_CreateObject(s, NULL, 0, &c), CKR_TEMPLATE_INCOMPLETE);
	/* a readable secret becomes sensitive, never back */
	k = tok_secret(s, (const uint8_t *)"0123456789abcdef", 16);
	assert_int_equal(tok_value(s, k, buf, &len), CKR_OK);
	assert_int_equal(len, 16);
	assert_int_equal(p11->C_SetAttributeValue(s, k, &sens, 1), CKR_OK);
	len = sizeof(buf);
	assert_int_equal(tok_value(s, k, buf, &len), CKR_ATTRIBUTE_SENSITIVE);
	sens.pValue = &no;
	assert_int_equal(p11->C_SetAttributeValue(s, k, &sens, 1), CKR_ATTRIBUTE_READ_ONLY);
	/* a read-only session cannot touch token objects */
	assert_int_equal(p11->C_OpenSession(tok_slot("bob"), CKF_SERIAL_SESSION, NULL, NULL, &ro),
			 CKR_OK);
	assert_int_equal(p11->C_SetAttributeValue(ro, d, &relabel, 1), CKR_SESSION_READ_ONLY);
	assert_int_equal(p11->C_DestroyObject(ro, d), CKR_SESSION_READ_ONLY);
	assert_int_equal(p11->C_OpenSession(tok_slot("bob"), 0, NULL, NULL, &c),
			 CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_int_equal(p11->C_CloseSession(ro), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);

	/* token objects outlive the module, session objects do not */
	tok_unload();
	tok_load();
	s = tok_session("bob", 1);
	assert_int_equal(count_label(s, "renamed"), 1);
	assert_int_equal(count_label(s, "ephemeral"), 0);
	assert_int_equal(count_label(s, "persisted"), 0);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* Length queries, short buffers, probing secrets by search, oversized
 * input, a wrong old PIN. */
void test_edge_cases(void **state)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_OBJECT_HANDLE e = tok_user_key(s, a->uid, 32, 1), k, found;
	static const uint8_t key[16] = "0123456789abcdef";
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE probe[] = { { CKA_CLASS, &cls, sizeof(cls) },
				 { CKA_VALUE, (void *)(uintptr_t)key, 16 } };
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	uint8_t label[8], *big, sig[129];
	CK_ATTRIBUTE a_label = { CKA_LABEL, NULL, 0 };
	CK_ULONG n, len = sizeof(sig);

	(void)state;
	/* size query, then a buffer too short */
	assert_int_equal(p11->C_GetAttributeValue(s, e, &a_label, 1), CKR_OK);
	assert_int_equal(a_label.ulValueLen, strlen(sw_uri("alice")));
	a_label.pValue = label;
	a_label.ulValueLen = sizeof(label);
	assert_int_equal(p11->C_GetAttributeValue(s, e, &a_label, 1), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(a_label.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	/* a key value cannot be found by guessing it */
	k = tok_secret(s, key, 16);
	assert_int_equal(p11->C_FindObjectsInit(s, probe, 2), CKR_OK);
	assert_int_equal(p11->C_FindObjects(s, &found, 1, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	assert_int_equal(p11->C_DestroyObject(s, k), CKR_OK);
	/* at most 1 MiB to sign */
	big = calloc(1, 1024 * 1024 + 1);
	assert_non_null(big);
	assert_int_equal(p11->C_SignInit(s, &m, e), CKR_OK);
	assert_int_equal(p11->C_SignUpdate(s, big, 1024 * 1024), CKR_OK);
	assert_int_equal(p11->C_SignUpdate(s, big, 1), CKR_DATA_LEN_RANGE);
	assert_int_equal(p11->C_SignFinal(s, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	free(big);
	/* C_SetPIN checks the old PIN */
	assert_int_equal(p11->C_SetPIN(s, PIN("9999"), 4, PIN("5555"), 4), CKR_PIN_INCORRECT);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}
