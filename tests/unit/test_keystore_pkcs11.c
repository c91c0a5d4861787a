/* tests/unit/test_keystore_pkcs11.c - the PKCS#11-HSM keystore backend
 * against a real SoftHSM2 living in a temporary folder.
 *
 * Tampering is done the way an attacker holding the PIN would: through the
 * backing module directly, beside the backend.
 */
#include <config.h>
#include "test_util.h"
#include "token/keystore.h"
#include "token/secmem.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>

#define SO_PIN "12345678"
#define USER_PIN "1234"
#define P(s) (s), strlen(s)

static char tmpdir[64];
static const keystore_backend *ks = &keystore_backend_pkcs11;

/* Like assert_int_equal, naming the backend's own error on a mismatch. */
#define assert_rc(be, call, want) do { mst_rc _rc = (call); \
	if (_rc != (want)) \
		fail_msg("%s -> %s (want %s); backend: %s", #call, mst_strerror(_rc), \
			 mst_strerror(want), keystore_last_error(ks, (be))); } while (0)

static mst_slot_config slot_config(const char *token)
{
	mst_slot_config cfg;

	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.label, token);
	cfg.backend = MST_BACKEND_PKCS11;
	strcpy(cfg.pkcs11_module, MST_DEFAULT_HSM_MODULE);
	strcpy(cfg.pkcs11_token, token);
	return cfg;
}

static int group_setup(void **state)
{
	char path[512];
	FILE *f;

	(void)state;
	if (access(MST_DEFAULT_HSM_MODULE, R_OK) != 0) {
		fprintf(stderr, "SoftHSM2 module %s missing\n", MST_DEFAULT_HSM_MODULE);
		return -1;
	}
	/* SoftHSM2 rewrites a token file per change: on tmpfs when there is
	 * one, so the test takes a second rather than many. */
	strcpy(tmpdir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/mst-keystore-XXXXXX"
						      : "/tmp/mst-keystore-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/tokens", tmpdir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/softhsm2.conf", tmpdir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	/* SoftHSM2's default library.reset_on_fork = false is kept on
	 * purpose: the fork test must work without it. */
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
		"log.level = ERROR\n", tmpdir);
	fclose(f);
	return setenv("SOFTHSM2_CONF", path, 1);
}

static int group_teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Open a keystore on backing token `token`, initialised with our label
 * "alice", the SO PIN and the user PIN. */
static void *fresh_store(const char *token)
{
	mst_slot_config cfg = slot_config(token);
	void *be = NULL;

	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	assert_rc(be, ks->init_token(be, P(SO_PIN), "alice"), MST_OK);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->init_pin(be, P(USER_PIN)), MST_OK);
	ks->logout(be);
	return be;
}

static int store_setup(void **state)
{
	*state = fresh_store("ks-test");
	return 0;
}

static int store_teardown(void **state)
{
	ks->close(*state);
	return 0;
}

/* Private data comes in secmem memory, public data in malloc'd memory. */
static void expect_record_is(void *be, const char *name, int is_private, uint32_t kind,
			     const char *text)
{
	uint32_t k = 0;
	uint8_t *data = NULL;
	size_t len = 0;

	assert_rc(be, ks->get(be, name, &k, &data, &len), MST_OK);
	assert_int_equal(k, kind);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(data, text, len);
	if (is_private) {
		assert_true(secmem_size(data) >= len);
		secmem_free(data);
	} else {
		free(data);
	}
}

#define expect_record(be, name, kind, text) expect_record_is(be, name, 1, kind, text)
#define expect_public(be, name, kind, text) expect_record_is(be, name, 0, kind, text)

static void expect_get_fails(void *be, const char *name, mst_rc want)
{
	uint32_t k;
	uint8_t *data = NULL;
	size_t len;

	assert_rc(be, ks->get(be, name, &k, &data, &len), want);
	assert_null(data);
}

/* ---- the backing module, used directly ---- */

struct backing {
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
};

static struct backing backing_open(const char *token)
{
	struct backing b;
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16, i;
	CK_TOKEN_INFO ti;
	CK_RV rv;
	void *dl = dlopen(MST_DEFAULT_HSM_MODULE, RTLD_NOW | RTLD_NODELETE);

	assert_non_null(dl);
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	assert_non_null(get);
	assert_int_equal(get(&b.f), CKR_OK);
	/* The backend initialised it already; we must not finalise it. */
	rv = b.f->C_Initialize(NULL);
	assert_int_equal(rv, CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(b.f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(b.f->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if (memcmp(ti.label, token, strlen(token)) == 0 && ti.label[strlen(token)] == ' ')
			break;
	}
	assert_true(i < n);
	assert_int_equal(b.f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION,
					    NULL, NULL, &b.s), CKR_OK);
	dlclose(dl);
	return b;
}

static void backing_close(struct backing *b)
{
	b->f->C_CloseSession(b->s);
}

/* Handles of the record objects named `name` (at most 8). */
static size_t backing_find(struct backing *b, const char *name, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char app[] = "mstoken";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_APPLICATION, app, 7 },
		{ CKA_LABEL, (void *)(uintptr_t)name, strlen(name) },
	};
	CK_ULONG n = 0;

	assert_int_equal(b->f->C_FindObjectsInit(b->s, t, 3), CKR_OK);
	assert_int_equal(b->f->C_FindObjects(b->s, h, 8, &n), CKR_OK);
	assert_int_equal(b->f->C_FindObjectsFinal(b->s), CKR_OK);
	return n;
}

static CK_OBJECT_HANDLE backing_one(struct backing *b, const char *name)
{
	CK_OBJECT_HANDLE h[8];

	assert_int_equal(backing_find(b, name, h), 1);
	return h[0];
}

static size_t backing_value(struct backing *b, CK_OBJECT_HANDLE h, uint8_t *buf, size_t cap)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, cap };

	assert_int_equal(b->f->C_GetAttributeValue(b->s, h, &a, 1), CKR_OK);
	return a.ulValueLen;
}

static void backing_create(struct backing *b, const char *name, int is_private,
			   const uint8_t *val, size_t len)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, priv = is_private ? CK_TRUE : CK_FALSE;
	char app[] = "mstoken";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &priv, sizeof priv },
		{ CKA_APPLICATION, app, 7 },
		{ CKA_LABEL, (void *)(uintptr_t)name, strlen(name) },
		{ CKA_VALUE, (void *)(uintptr_t)val, len },
	};
	CK_OBJECT_HANDLE h;

	assert_int_equal(b->f->C_CreateObject(b->s, t, 6, &h), CKR_OK);
}

/* SoftHSM2 will not change CKA_VALUE of a data object: an attacker
 * replaces the object by one with the same label and privacy. */
static void backing_replace(struct backing *b, const char *name, const uint8_t *val, size_t len)
{
	CK_OBJECT_HANDLE h = backing_one(b, name);
	CK_BBOOL priv = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_PRIVATE, &priv, sizeof priv };

	assert_int_equal(b->f->C_GetAttributeValue(b->s, h, &a, 1), CKR_OK);
	assert_int_equal(b->f->C_DestroyObject(b->s, h), CKR_OK);
	backing_create(b, name, priv == CK_TRUE, val, len);
}

static void backing_set_label(struct backing *b, CK_OBJECT_HANDLE h, const char *label)
{
	CK_ATTRIBUTE a = { CKA_LABEL, (void *)(uintptr_t)label, strlen(label) };

	assert_int_equal(b->f->C_SetAttributeValue(b->s, h, &a, 1), CKR_OK);
}

/* ---- tests ---- */

static void init_token_sets_info(void **state)
{
	mst_slot_config cfg = slot_config("ks-info");
	keystore_info info;
	char serial[17];
	void *be;

	(void)state;
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.initialized, 0);
	assert_string_equal(info.label, "");
	assert_rc(be, ks->put(be, "n", 1, 0, (const uint8_t *)"x", 1), MST_ERR_NOT_INITIALIZED);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_ERR_NOT_INITIALIZED);

	assert_rc(be, ks->init_token(be, P(SO_PIN), "alice"), MST_OK);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.initialized, 1);
	assert_int_equal(info.user_pin_initialized, 0);
	assert_int_equal(info.user_pin_locked, 0);
	assert_int_equal(info.so_pin_count_low, 0);
	assert_string_equal(info.label, "alice");
	assert_int_equal(strlen(info.serial), 16);
	strcpy(serial, info.serial);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_NOT_INITIALIZED);

	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->init_pin(be, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_initialized, 1);
	ks->logout(be);
	assert_rc(be, ks->init_pin(be, P(USER_PIN)), MST_ERR_NOT_LOGGED_IN);

	/* Initialising again erases every record and gives a new serial. */
	assert_rc(be, ks->put(be, "pub", 7, 0, (const uint8_t *)"hello", 5), MST_OK);
	assert_rc(be, ks->init_token(be, P("wrong-so"), "bob"), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_count_low, 1);
	assert_rc(be, ks->init_token(be, P(SO_PIN), "bob"), MST_OK);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_string_equal(info.label, "bob");
	assert_string_not_equal(info.serial, serial);
	assert_int_equal(info.user_pin_initialized, 0);
	assert_int_equal(info.so_pin_count_low, 0);
	expect_get_fails(be, "pub", MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->init_token(be, P(SO_PIN), "0123456789abcdef0123456789abcdefX"), MST_ERR_ARGS);
	assert_string_equal(keystore_last_error(ks, be), "C_InitToken: CKR 0x000000a0");
	ks->close(be);
}

static void user_pin_locks_after_five(void **state)
{
	void *be = *state;
	keystore_info info;
	int i;

	/* A success resets the counter. */
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("0000")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_count_low, 1);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_count_low, 0);
	ks->logout(be);

	for (i = 1; i <= 4; i++) {
		assert_rc(be, ks->login(be, KEYSTORE_USER, P("0000")), MST_ERR_PIN_INCORRECT);
		assert_rc(be, ks->info(be, &info), MST_OK);
		assert_int_equal(info.user_pin_count_low, 1);
		assert_int_equal(info.user_pin_final_try, i == 4);
		assert_int_equal(info.user_pin_locked, 0);
	}
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("0000")), MST_ERR_PIN_LOCKED);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_PIN_LOCKED);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_locked, 1);
	assert_int_equal(info.so_pin_locked, 0);

	/* The SO sets a new user PIN: unlocked, counter cleared. */
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->init_pin(be, P("5678")), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_locked, 0);
	assert_int_equal(info.user_pin_count_low, 0);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("5678")), MST_OK);
	/* Impossible lengths are refused without counting. */
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("12")), MST_ERR_PIN_INVALID);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_count_low, 0);
}

static void so_pin_locks_after_ten(void **state)
{
	void *be = fresh_store("ks-so");   /* stays locked: not the shared token */
	keystore_info info;
	int i;

	for (i = 1; i <= 9; i++)
		assert_rc(be, ks->login(be, KEYSTORE_SO, P("87654321")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_final_try, 1);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P("87654321")), MST_ERR_PIN_LOCKED);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_ERR_PIN_LOCKED);
	assert_rc(be, ks->init_token(be, P(SO_PIN), "x"), MST_ERR_PIN_LOCKED);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_locked, 1);
	assert_int_equal(info.user_pin_locked, 0);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	ks->close(be);
	(void)state;
}

static void set_pin_changes_pin(void **state)
{
	void *be = *state;
	keystore_info info;

	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P(USER_PIN), P("4321")), MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P("9999"), P("4321")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_count_low, 1);
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P(USER_PIN), P("4321")), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("4321")), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->set_pin(be, KEYSTORE_SO, P(SO_PIN), P("abcdefgh")), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P("abcdefgh")), MST_OK);
	assert_rc(be, ks->set_pin(be, KEYSTORE_SO, P("abcdefgh"), P(SO_PIN)), MST_OK);
}

static int has_entry(const keystore_entry *e, size_t n, const char *name, uint32_t kind,
		     int is_private)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return e[i].kind == kind && e[i].is_private == is_private;
	return 0;
}

static void public_and_private_records(void **state)
{
	void *be = *state;
	keystore_entry e[4];
	size_t n;
	static uint8_t big[64 * 1024 + 1];

	assert_rc(be, ks->put(be, "cert.1", 3, 0, (const uint8_t *)"public!", 7), MST_OK);
	assert_rc(be, ks->put(be, "key-1", 4, 1, (const uint8_t *)"secret", 6), MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->put(be, "key-1", 4, 1, (const uint8_t *)"secret", 6), MST_OK);
	assert_rc(be, ks->put(be, "key_2", 5, 1, (const uint8_t *)"other", 5), MST_OK);
	n = 4;
	assert_rc(be, ks->list(be, e, &n), MST_OK);
	assert_int_equal(n, 3);
	assert_true(has_entry(e, n, "cert.1", 3, 0));
	assert_true(has_entry(e, n, "key-1", 4, 1));
	assert_true(has_entry(e, n, "key_2", 5, 1));
	n = 2;
	assert_rc(be, ks->list(be, e, &n), MST_ERR_RANGE);
	assert_int_equal(n, 3);
	n = 0;
	assert_rc(be, ks->list(be, NULL, &n), MST_OK);
	assert_int_equal(n, 3);
	expect_public(be, "cert.1", 3, "public!");
	expect_record(be, "key-1", 4, "secret");

	/* Replacing keeps one record. */
	assert_rc(be, ks->put(be, "key-1", 6, 1, (const uint8_t *)"newer secret", 12), MST_OK);
	expect_record(be, "key-1", 6, "newer secret");
	n = 4;
	assert_rc(be, ks->list(be, e, &n), MST_OK);
	assert_int_equal(n, 3);

	/* Logged out: private records are invisible. */
	ks->logout(be);
	n = 4;
	assert_rc(be, ks->list(be, e, &n), MST_OK);
	assert_int_equal(n, 1);
	assert_true(has_entry(e, n, "cert.1", 3, 0));
	expect_get_fails(be, "key-1", MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->remove(be, "key-1"), MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	expect_get_fails(be, "key-1", MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->put(be, "key-3", 1, 1, (const uint8_t *)"x", 1), MST_ERR_NOT_LOGGED_IN);
	ks->logout(be);
	expect_public(be, "cert.1", 3, "public!");

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->remove(be, "key-1"), MST_OK);
	assert_rc(be, ks->remove(be, "key-1"), MST_ERR_NOT_FOUND);
	expect_get_fails(be, "key-1", MST_ERR_NOT_FOUND);
	assert_rc(be, ks->remove(be, "cert.1"), MST_OK);
	expect_record(be, "key_2", 5, "other");

	/* Bad arguments are refused before anything is stored. */
	assert_rc(be, ks->put(be, "bad name", 1, 1, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_rc(be, ks->put(be, "bad/name", 1, 1, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_rc(be, ks->put(be, "", 1, 1, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_rc(be, ks->put(be, "a1234567890123456789012345678901234567890123456789012345678901234",
				 1, 1, (const uint8_t *)"x", 1), MST_ERR_ARGS);
	assert_rc(be, ks->put(be, "empty", 1, 1, (const uint8_t *)"x", 0), MST_ERR_ARGS);
	assert_rc(be, ks->put(be, "big", 1, 1, big, sizeof big), MST_ERR_RANGE);
	assert_rc(be, ks->put(be, "max", 1, 1, big, sizeof big - 1), MST_OK);
	expect_get_fails(be, "bad name", MST_ERR_ARGS);
	n = 4;
	assert_rc(be, ks->list(be, e, &n), MST_OK);
	assert_int_equal(n, 2);
}

/* The backing objects of private records hold no plaintext, and the seal
 * key cannot be read out of the backing token. */
static void sealed_in_backing_token(void **state)
{
	void *be = *state;
	struct backing b;
	uint8_t v[256];
	size_t len;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE keys[4];
	CK_ULONG n;
	CK_BBOOL sens = CK_FALSE, extr = CK_TRUE;
	CK_ATTRIBUTE flags[] = { { CKA_SENSITIVE, &sens, 1 }, { CKA_EXTRACTABLE, &extr, 1 } };
	CK_ATTRIBUTE value = { CKA_VALUE, v, sizeof v };

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->put(be, "k", 9, 1, (const uint8_t *)"plaintext-marker", 16), MST_OK);
	b = backing_open("ks-test");
	len = backing_value(&b, backing_one(&b, "k"), v, sizeof v);
	assert_int_equal(len, 13 + 12 + 16 + 16);
	assert_null(memmem(v, len, "plaintext-marker", 16));

	assert_int_equal(b.f->C_FindObjectsInit(b.s, &t, 1), CKR_OK);
	assert_int_equal(b.f->C_FindObjects(b.s, keys, 4, &n), CKR_OK);
	b.f->C_FindObjectsFinal(b.s);
	assert_int_equal(n, 1);
	assert_int_equal(b.f->C_GetAttributeValue(b.s, keys[0], flags, 2), CKR_OK);
	assert_int_equal(sens, CK_TRUE);
	assert_int_equal(extr, CK_FALSE);
	assert_int_equal(b.f->C_GetAttributeValue(b.s, keys[0], &value, 1),
			 CKR_ATTRIBUTE_SENSITIVE);
	backing_close(&b);
}

static void put_text(void *be, const char *name, int is_private, const char *text)
{
	assert_rc(be, ks->put(be, name, 1, is_private, (const uint8_t *)text, strlen(text)), MST_OK);
}

static void tampered_records_are_refused(void **state)
{
	void *be = *state;
	struct backing b;
	uint8_t v[256];
	size_t len;
	CK_OBJECT_HANDLE hc, hd;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "flip", 1, "flip me");
	put_text(be, "cut", 1, "cut me");
	put_text(be, "swap-c", 1, "record c");
	put_text(be, "swap-d", 1, "record d");
	put_text(be, "version", 1, "bad version");
	put_text(be, "kind", 1, "kind changed");
	put_text(be, "pub-cut", 0, "public");
	put_text(be, "intact", 1, "still fine");
	b = backing_open("ks-test");

	len = backing_value(&b, backing_one(&b, "flip"), v, sizeof v);
	v[len - 20] ^= 0x01;   /* a ciphertext byte */
	backing_replace(&b, "flip", v, len);

	len = backing_value(&b, backing_one(&b, "cut"), v, sizeof v);
	backing_replace(&b, "cut", v, len - 1);

	hc = backing_one(&b, "swap-c");
	hd = backing_one(&b, "swap-d");
	backing_set_label(&b, hc, "swap-d");
	backing_set_label(&b, hd, "swap-c");

	len = backing_value(&b, backing_one(&b, "version"), v, sizeof v);
	v[0] = 2;
	backing_replace(&b, "version", v, len);

	len = backing_value(&b, backing_one(&b, "kind"), v, sizeof v);
	v[4] ^= 0x02;   /* kind 1 -> 3: authenticated data */
	backing_replace(&b, "kind", v, len);

	backing_replace(&b, "pub-cut", (const uint8_t *)"\x01\x00", 2);
	backing_close(&b);

	expect_get_fails(be, "flip", MST_ERR_TAMPERED);
	assert_string_equal(keystore_last_error(ks, be),
			    "C_Decrypt (record authentication): CKR 0x00000005");
	expect_get_fails(be, "cut", MST_ERR_TAMPERED);
	expect_get_fails(be, "swap-c", MST_ERR_TAMPERED);
	expect_get_fails(be, "swap-d", MST_ERR_TAMPERED);
	expect_get_fails(be, "version", MST_ERR_TAMPERED);
	expect_get_fails(be, "kind", MST_ERR_TAMPERED);
	expect_get_fails(be, "pub-cut", MST_ERR_TAMPERED);
	expect_record(be, "intact", 1, "still fine");
	/* A tampered record can still be replaced or removed. */
	put_text(be, "flip", 1, "fresh");
	expect_record(be, "flip", 1, "fresh");
	assert_rc(be, ks->remove(be, "cut"), MST_OK);
}

/* A crash between "create new" and "destroy old" leaves two objects. */
static void newer_generation_wins(void **state)
{
	void *be = *state;
	struct backing b;
	CK_OBJECT_HANDLE h[8];
	uint8_t old_priv[256], old_pub[256], forged[256];
	size_t priv_len, pub_len, forged_len;
	keystore_entry e[4];
	size_t n = 4;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "sk", 1, "old secret");
	put_text(be, "pk", 0, "old public");
	b = backing_open("ks-test");
	priv_len = backing_value(&b, backing_one(&b, "sk"), old_priv, sizeof old_priv);
	pub_len = backing_value(&b, backing_one(&b, "pk"), old_pub, sizeof old_pub);
	put_text(be, "sk", 1, "new secret");
	put_text(be, "pk", 0, "new public");
	backing_create(&b, "sk", 1, old_priv, priv_len);
	backing_create(&b, "pk", 0, old_pub, pub_len);
	assert_int_equal(backing_find(&b, "sk", h), 2);
	assert_int_equal(backing_find(&b, "pk", h), 2);

	assert_rc(be, ks->list(be, e, &n), MST_OK);
	assert_int_equal(n, 2);
	assert_int_equal(backing_find(&b, "pk", h), 1);
	expect_public(be, "pk", 1, "new public");
	expect_record(be, "sk", 1, "new secret");
	assert_int_equal(backing_find(&b, "sk", h), 1);

	/* A forged higher generation must not evict the good record. */
	forged_len = backing_value(&b, backing_one(&b, "sk"), forged, sizeof forged);
	forged[12] = 0x77;
	backing_create(&b, "sk", 1, forged, forged_len);
	expect_get_fails(be, "sk", MST_ERR_TAMPERED);
	assert_int_equal(backing_find(&b, "sk", h), 2);
	backing_close(&b);
}

static void two_slots_share_one_module(void **state)
{
	void *a = fresh_store("ks-a"), *b = fresh_store("ks-b");
	keystore_entry e[2];
	size_t n = 2;

	(void)state;
	assert_rc(a, ks->login(a, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(b, ks->login(b, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(a, "k", 1, "from a");
	put_text(b, "k", 1, "from b");
	put_text(b, "only-b", 0, "b");
	expect_record(a, "k", 1, "from a");
	expect_record(b, "k", 1, "from b");
	assert_rc(a, ks->list(a, e, &n), MST_OK);
	assert_int_equal(n, 1);
	/* Logging one slot out leaves the other logged in. */
	ks->logout(a);
	expect_get_fails(a, "k", MST_ERR_NOT_LOGGED_IN);
	expect_record(b, "k", 1, "from b");
	ks->close(a);
	expect_record(b, "k", 1, "from b");
	ks->close(b);
}

static void reopen_after_close(void **state)
{
	mst_slot_config cfg = slot_config("ks-test");
	void *be = *state;
	keystore_info info;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "kept", 1, "across close");
	ks->close(be);   /* last user: the module is finalised */
	*state = NULL;
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	*state = be;
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_string_equal(info.label, "alice");
	expect_get_fails(be, "kept", MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	expect_record(be, "kept", 1, "across close");
	put_text(be, "after", 1, "reopen");
	expect_record(be, "after", 1, "reopen");
}

static void open_refuses_bad_module(void **state)
{
	mst_slot_config cfg = slot_config("x");
	void *be = (void *)&cfg;

	(void)state;
	strcpy(cfg.pkcs11_module, "/nonexistent/module.so");
	assert_rc(NULL, ks->open(&cfg, &be), MST_ERR_BACKEND);
	assert_null(be);
	assert_non_null(strstr(keystore_last_error(ks, NULL), "cannot load /nonexistent/module.so"));
	strcpy(cfg.pkcs11_module, "/dev/null");
	assert_rc(NULL, ks->open(&cfg, &be), MST_ERR_BACKEND);
	cfg.backend = MST_BACKEND_TPM;
	assert_rc(NULL, ks->open(&cfg, &be), MST_ERR_ARGS);
	assert_ptr_equal(keystore_backend_for(&cfg), &keystore_backend_tpm);
	cfg.backend = MST_BACKEND_PKCS11;
	assert_ptr_equal(keystore_backend_for(&cfg), &keystore_backend_pkcs11);
}

/* Runs in the child: each failed step gives its own exit status. */
static int child_uses_keystore(void *parent_be)
{
	mst_slot_config cfg = slot_config("ks-test");
	keystore_entry e[4];
	size_t n = 4, len;
	uint8_t *data;
	uint32_t kind;
	void *be;
	int ok;

	/* The parent's keystore is not usable here, and closing it must not
	 * disturb the parent. */
	if (ks->list(parent_be, e, &n) != MST_ERR_BACKEND)
		return 10;
	ks->close(parent_be);
	if (ks->open(&cfg, &be) != MST_OK)
		return 11;
	/* The parent's login must not leak into the child. */
	if (ks->list(be, e, &n) != MST_OK || n != 1)
		return 17;
	if (ks->login(be, KEYSTORE_USER, P(USER_PIN)) != MST_OK)
		return 12;
	n = 4;
	if (ks->list(be, e, &n) != MST_OK || n != 2)
		return 13;
	if (ks->get(be, "forked", &kind, &data, &len) != MST_OK)
		return 14;
	ok = kind == 1 && len == 6 && memcmp(data, "secret", 6) == 0;
	secmem_free(data);
	if (!ok)
		return 15;
	if (ks->put(be, "from-child", 1, 1, (const uint8_t *)"child", 5) != MST_OK)
		return 16;
	ks->close(be);
	return 0;
}

static void fork_and_check(void *be)
{
	int status;
	pid_t pid;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "forked", 1, "secret");
	put_text(be, "pub", 0, "public");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_uses_keystore(be));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The parent carries on with its own session. */
	expect_record(be, "forked", 1, "secret");
	expect_record(be, "from-child", 1, "child");
}

/* SoftHSM2's default: the child inherits the parent's module state. */
static void fork_child_opens_again(void **state)
{
	fork_and_check(*state);
}

/* library.reset_on_fork = true: SoftHSM2 resets itself in the child. */
static void fork_child_with_reset_on_fork(void **state)
{
	mst_slot_config cfg = slot_config("ks-test");
	char conf[600], *plain = strdup(getenv("SOFTHSM2_CONF"));
	FILE *f;
	void *be;

	assert_non_null(plain);
	snprintf(conf, sizeof conf, "%s/reset-on-fork.conf", tmpdir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
		"log.level = ERROR\nlibrary.reset_on_fork = true\n", tmpdir);
	fclose(f);
	/* SoftHSM2 reads its configuration at C_Initialize: finalise first. */
	ks->close(*state);
	*state = NULL;
	setenv("SOFTHSM2_CONF", conf, 1);
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	*state = be;
	fork_and_check(be);
	ks->close(be);
	*state = NULL;
	setenv("SOFTHSM2_CONF", plain, 1);
	free(plain);
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	*state = be;
}

/* An application that initialised the module itself keeps it: our last
 * close must not finalise it under the application's feet. */
static void module_initialised_by_application(void **state)
{
	mst_slot_config cfg = slot_config("ks-app");
	CK_FUNCTION_LIST_PTR f;
	CK_C_GetFunctionList get;
	void *dl = dlopen(MST_DEFAULT_HSM_MODULE, RTLD_NOW | RTLD_NODELETE), *be;

	(void)state;
	assert_non_null(dl);
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	assert_int_equal(get(&f), CKR_OK);
	/* No keystore is open now: our earlier closes finalised the module. */
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	assert_rc(be, ks->init_token(be, P(SO_PIN), "app"), MST_OK);
	ks->close(be);
	assert_int_equal(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	/* And when we initialised it, the last close finalised it. */
	assert_rc(NULL, ks->open(&cfg, &be), MST_OK);
	ks->close(be);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	dlclose(dl);
}

/* Someone closes our session behind our back (C_CloseAllSessions in the
 * same process): one call fails, the next ones recover with a new session. */
static void lost_session_recovers(void **state)
{
	void *be = *state;
	struct backing b;
	uint32_t kind;
	uint8_t *data = NULL;
	size_t len;
	CK_SESSION_INFO si;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "survivor", 1, "still here");
	b = backing_open("ks-test");
	assert_int_equal(b.f->C_GetSessionInfo(b.s, &si), CKR_OK);
	assert_int_equal(b.f->C_CloseAllSessions(si.slotID), CKR_OK);
	assert_rc(be, ks->get(be, "survivor", &kind, &data, &len), MST_ERR_BACKEND);
	assert_string_equal(keystore_last_error(ks, be), "C_FindObjectsInit: CKR 0x000000b3");
	expect_get_fails(be, "survivor", MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	expect_record(be, "survivor", 1, "still here");
}

struct worker {
	void *be;
	const char *name;
	int failures;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char text[32];
	uint8_t *data;
	uint32_t kind;
	size_t len;
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(text, sizeof text, "%s-%d", w->name, i);
		if (ks->put(w->be, w->name, (uint32_t)i, 1, (const uint8_t *)text,
			    strlen(text)) != MST_OK ||
		    ks->get(w->be, w->name, &kind, &data, &len) != MST_OK) {
			w->failures++;
			continue;
		}
		if (kind != (uint32_t)i || len != strlen(text) || memcmp(data, text, len) != 0)
			w->failures++;
		secmem_free(data);
	}
	return NULL;
}

/* Two slots on one module used from two threads at once (each keystore by
 * one thread, as the module's slot locks guarantee). */
static void two_threads_two_slots(void **state)
{
	struct worker w[2] = { { fresh_store("ks-t1"), "t1", 0 },
			       { fresh_store("ks-t2"), "t2", 0 } };
	pthread_t t[2];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_rc(w[i].be, ks->login(w[i].be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
		ks->close(w[i].be);
	}
}

/* A damaged PIN state object fails closed, and init_token repairs it. */
static void damaged_pin_state_fails_closed(void **state)
{
	void *be = *state;
	struct backing b;
	keystore_info info;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	char app[] = "mstoken-state", bad[] = "short";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &no, sizeof no },
		{ CKA_APPLICATION, app, sizeof app - 1 },
		{ CKA_VALUE, bad, sizeof bad - 1 },
	};
	CK_OBJECT_HANDLE h;

	b = backing_open("ks-test");
	assert_int_equal(b.f->C_CreateObject(b.s, t, 5, &h), CKR_OK);
	backing_close(&b);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.user_pin_locked, 1);
	assert_int_equal(info.so_pin_locked, 1);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_PIN_LOCKED);
	assert_string_equal(keystore_last_error(ks, be), "PIN state object malformed");
	assert_rc(be, ks->init_token(be, P(SO_PIN), "again"), MST_OK);
	assert_rc(be, ks->info(be, &info), MST_OK);
	assert_int_equal(info.so_pin_locked, 0);
	assert_string_equal(info.label, "again");
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_token_sets_info),
		STORE_TEST(user_pin_locks_after_five),
		cmocka_unit_test(so_pin_locks_after_ten),
		STORE_TEST(set_pin_changes_pin),
		STORE_TEST(public_and_private_records),
		STORE_TEST(sealed_in_backing_token),
		STORE_TEST(tampered_records_are_refused),
		STORE_TEST(newer_generation_wins),
		cmocka_unit_test(two_slots_share_one_module),
		STORE_TEST(lost_session_recovers),
		STORE_TEST(damaged_pin_state_fails_closed),
		cmocka_unit_test(two_threads_two_slots),
		STORE_TEST(reopen_after_close),
		cmocka_unit_test(open_refuses_bad_module),
		STORE_TEST(fork_child_opens_again),
		STORE_TEST(fork_child_with_reset_on_fork),
		cmocka_unit_test(module_initialised_by_application),
	};
	return cmocka_run_group_tests_name("keystore_pkcs11", tests, group_setup, group_teardown);
}
