/* tests/unit/keystore_fixture.c - see keystore_fixture.h. */
#include <config.h>
#include "keystore_fixture.h"
#include "token/secmem.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

char ks_tmpdir[64];
const keystore_backend *const ks = &keystore_backend_pkcs11;

mst_slot_config slot_config(const char *token)
{
	mst_slot_config cfg;

	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.label, token);
	cfg.backend = MST_BACKEND_PKCS11;
	strcpy(cfg.pkcs11_module, MST_DEFAULT_HSM_MODULE);
	strcpy(cfg.pkcs11_token, token);
	return cfg;
}

int group_setup(void **state)
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
	strcpy(ks_tmpdir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/mst-keystore-XXXXXX"
						      : "/tmp/mst-keystore-XXXXXX");
	if (mkdtemp(ks_tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/tokens", ks_tmpdir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/softhsm2.conf", ks_tmpdir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	/* SoftHSM2's default library.reset_on_fork = false is kept on
	 * purpose: the fork test must work without it. */
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
		"log.level = ERROR\n", ks_tmpdir);
	fclose(f);
	return setenv("SOFTHSM2_CONF", path, 1);
}

int group_teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", ks_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Open a keystore on backing token `token`, initialised with our label
 * "alice", the SO PIN and the user PIN. */
void *fresh_store(const char *token)
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

int store_setup(void **state)
{
	*state = fresh_store("ks-test");
	return 0;
}

int store_teardown(void **state)
{
	ks->close(*state);
	return 0;
}

/* Private data comes in secmem memory, public data in malloc'd memory. */
void expect_record_is(void *be, const char *name, int is_private, uint32_t kind,
		      const char *text)
{
	uint8_t *data = NULL;
	size_t len = 0;

	assert_rc(be, ks->get(be, name, is_private, kind, &data, &len), MST_OK);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(data, text, len);
	if (is_private) {
		assert_true(secmem_size(data) >= len);
		secmem_free(data);
	} else {
		free(data);
	}
}


void expect_get_fails(void *be, const char *name, int is_private, uint32_t kind, mst_rc want)
{
	uint8_t *data = NULL;
	size_t len;

	assert_rc(be, ks->get(be, name, is_private, kind, &data, &len), want);
	assert_null(data);
}

/* ---- the backing module, used directly ---- */

struct backing backing_open(const char *token)
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

void backing_close(struct backing *b)
{
	b->f->C_CloseSession(b->s);
}

/* Handles of the record objects named `name` (at most 8). */
size_t backing_find(struct backing *b, const char *name, CK_OBJECT_HANDLE *h)
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

CK_OBJECT_HANDLE backing_one(struct backing *b, const char *name)
{
	CK_OBJECT_HANDLE h[8];

	assert_int_equal(backing_find(b, name, h), 1);
	return h[0];
}

size_t backing_value(struct backing *b, CK_OBJECT_HANDLE h, uint8_t *buf, size_t cap)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, cap };

	assert_int_equal(b->f->C_GetAttributeValue(b->s, h, &a, 1), CKR_OK);
	return a.ulValueLen;
}

void backing_create(struct backing *b, const char *name, int is_private,
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
void backing_replace(struct backing *b, const char *name, const uint8_t *val, size_t len)
{
	CK_OBJECT_HANDLE h = backing_one(b, name);
	CK_BBOOL priv = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_PRIVATE, &priv, sizeof priv };

	assert_int_equal(b->f->C_GetAttributeValue(b->s, h, &a, 1), CKR_OK);
	assert_int_equal(b->f->C_DestroyObject(b->s, h), CKR_OK);
	backing_create(b, name, priv == CK_TRUE, val, len);
}

void backing_set_label(struct backing *b, CK_OBJECT_HANDLE h, const char *label)
{
	CK_ATTRIBUTE a = { CKA_LABEL, (void *)(uintptr_t)label, strlen(label) };

	assert_int_equal(b->f->C_SetAttributeValue(b->s, h, &a, 1), CKR_OK);
}


void put_text(void *be, const char *name, int is_private, const char *text)
{
	assert_rc(be, ks->put(be, name, 1, is_private, (const uint8_t *)text, strlen(text)), MST_OK);
}

