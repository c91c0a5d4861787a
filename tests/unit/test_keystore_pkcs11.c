/* tests/unit/test_keystore_pkcs11.c - the PKCS#11-HSM keystore backend
 * against a real SoftHSM2 living in a temporary folder: PINs and their
 * counters, records, sealing, tampering, generations.
 *
 * Tampering is done the way an attacker holding the PIN would: through the
 * backing module directly, beside the backend.
 */
#include <config.h>
#include "keystore_fixture.h"
#include "token/backend_pkcs11_int.h"
#include "token/secmem.h"

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
	expect_get_fails(be, "pub", 0, 7, MST_ERR_NOT_LOGGED_IN);
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

	/* nobody logged in: the user PIN changes, the old one checked (C_SetPIN
	 * in a R/W public session); the SO's needs the SO */
	assert_rc(be, ks->set_pin(be, KEYSTORE_SO, P(SO_PIN), P("abcdefgh")), MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P("9999"), P("4321")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P(USER_PIN), P("4321")), MST_OK);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P("4321"), P(USER_PIN)), MST_OK);
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
	expect_get_fails(be, "key-1", 1, 6, MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->remove(be, "key-1", 1), MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	expect_get_fails(be, "key-1", 1, 6, MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->put(be, "key-3", 1, 1, (const uint8_t *)"x", 1), MST_ERR_NOT_LOGGED_IN);
	ks->logout(be);
	expect_public(be, "cert.1", 3, "public!");

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->remove(be, "key-1", 1), MST_OK);
	assert_rc(be, ks->remove(be, "key-1", 1), MST_ERR_NOT_FOUND);
	expect_get_fails(be, "key-1", 1, 6, MST_ERR_NOT_FOUND);
	assert_rc(be, ks->remove(be, "cert.1", 1), MST_ERR_TAMPERED);
	assert_rc(be, ks->remove(be, "cert.1", 0), MST_OK);
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
	expect_get_fails(be, "bad name", 1, 1, MST_ERR_ARGS);
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

	expect_get_fails(be, "flip", 1, 1, MST_ERR_TAMPERED);
	assert_string_equal(keystore_last_error(ks, be),
			    "C_Decrypt (record authentication): CKR 0x00000005");
	expect_get_fails(be, "cut", 1, 1, MST_ERR_TAMPERED);
	expect_get_fails(be, "swap-c", 1, 1, MST_ERR_TAMPERED);
	expect_get_fails(be, "swap-d", 1, 1, MST_ERR_TAMPERED);
	expect_get_fails(be, "version", 1, 1, MST_ERR_TAMPERED);
	expect_get_fails(be, "kind", 1, 1, MST_ERR_TAMPERED);
	expect_get_fails(be, "pub-cut", 0, 1, MST_ERR_TAMPERED);
	expect_record(be, "intact", 1, "still fine");
	/* A tampered record can still be replaced or removed. */
	put_text(be, "flip", 1, "fresh");
	expect_record(be, "flip", 1, "fresh");
	assert_rc(be, ks->remove(be, "cut", 1), MST_OK);
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
	expect_get_fails(be, "sk", 1, 1, MST_ERR_TAMPERED);
	assert_int_equal(backing_find(&b, "sk", h), 2);
	backing_close(&b);
}

/* Issue 11 item 1: anyone with a public session on the backing token can
 * add a public object under a private record's name, with any generation.
 * It never stands in for the private record, outranks it or deletes it. */
static void public_copy_never_outranks_private(void **state)
{
	void *be = *state;
	struct backing b;
	CK_OBJECT_HANDLE h[8];
	uint8_t v[256];
	size_t len;
	keystore_entry e[4];
	size_t n = 4;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "key", 1, "real secret");
	put_text(be, "pubrec", 0, "public");
	b = backing_open("ks-test");
	len = backing_value(&b, backing_one(&b, "key"), v, sizeof v);
	v[5] = 0x7f;            /* generation far above the real one */
	memcpy(v + 13, "forged", 6);
	backing_create(&b, "key", 0, v, 13 + 6);
	assert_int_equal(backing_find(&b, "key", h), 2);

	expect_record(be, "key", 1, "real secret");
	assert_int_equal(backing_find(&b, "key", h), 2);   /* nothing deleted */
	assert_rc(be, ks->list(be, e, &n), MST_OK);
	assert_int_equal(n, 2);
	assert_true(has_entry(e, n, "key", 1, 1));
	/* the wrong kind, or the other privacy, is refused */
	expect_get_fails(be, "key", 1, 2, MST_ERR_TAMPERED);
	expect_get_fails(be, "pubrec", 1, 1, MST_ERR_TAMPERED);
	/* remove() of the public copy leaves the private record */
	assert_rc(be, ks->remove(be, "key", 0), MST_OK);
	assert_int_equal(backing_find(&b, "key", h), 1);
	expect_record(be, "key", 1, "real secret");
	(void)len;
	backing_close(&b);
}

static void lost_session_recovers(void **state)
{
	void *be = *state;
	struct backing b;
	uint8_t *data = NULL;
	size_t len;
	CK_SESSION_INFO si;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	put_text(be, "survivor", 1, "still here");
	b = backing_open("ks-test");
	assert_int_equal(b.f->C_GetSessionInfo(b.s, &si), CKR_OK);
	assert_int_equal(b.f->C_CloseAllSessions(si.slotID), CKR_OK);
	assert_rc(be, ks->get(be, "survivor", 1, 1, &data, &len), MST_ERR_BACKEND);
	assert_string_equal(keystore_last_error(ks, be), "C_FindObjectsInit: CKR 0x000000b3");
	expect_get_fails(be, "survivor", 1, 1, MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	expect_record(be, "survivor", 1, "still here");
}

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

/* Public object of the endorsement key's application (as an attacker
 * with a public session on the backing token can write). */
static void forge_endorse_obj(const char *label)
{
	struct backing b = backing_open("ks-test");
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	char app[] = "mstoken-endorse";
	uint8_t val[81];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &no, sizeof no },
		{ CKA_APPLICATION, app, sizeof app - 1 },
		{ CKA_LABEL, (void *)(uintptr_t)label, strlen(label) },
		{ CKA_VALUE, val, sizeof val },
	};
	CK_OBJECT_HANDLE h;

	memset(val, 0x5a, sizeof val);
	val[0] = 1;
	val[1] = val[2] = val[3] = 0;
	val[4] = 1;     /* one PBKDF2 iteration: cheap to try, still no key */
	assert_int_equal(b.f->C_CreateObject(b.s, t, 6, &h), CKR_OK);
	backing_close(&b);
}

/* The SO and the user reach the same endorsement key; nobody else does. */
static void endorsement_key(void **state)
{
	void *be = *state, *other;
	uint8_t so_tag[KEYSTORE_TAG_LEN], tag[KEYSTORE_TAG_LEN];
	const uint8_t msg[] = "community";

	assert_rc(be, ks->endorse(be, msg, sizeof msg, tag), MST_ERR_NOT_LOGGED_IN);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->endorse(be, msg, sizeof msg, so_tag), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->endorse(be, msg, sizeof msg, tag), MST_ERR_NOT_LOGGED_IN);
	/* a forged hand-over object is ignored: the real one gives K */
	forge_endorse_obj("user");
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->endorse(be, msg, sizeof msg, tag), MST_OK);
	assert_memory_equal(tag, so_tag, sizeof tag);
	ks->logout(be);
	/* the next login reads K sealed for the user; a forged hand-over
	 * object then does not replace it */
	forge_endorse_obj("user");
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	assert_rc(be, ks->endorse(be, msg, sizeof msg, tag), MST_OK);
	assert_memory_equal(tag, so_tag, sizeof tag);
	ks->logout(be);
	/* a new SO PIN keeps K; a forged SO object gives nobody another K */
	forge_endorse_obj("so");
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->set_pin(be, KEYSTORE_SO, P(SO_PIN), P("87654321")), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->login(be, KEYSTORE_SO, P("87654321")), MST_OK);
	assert_rc(be, ks->endorse(be, msg, sizeof msg, tag), MST_OK);
	assert_memory_equal(tag, so_tag, sizeof tag);
	ks->logout(be);
	/* another store has another key */
	other = fresh_store("ks-other");
	assert_rc(other, ks->login(other, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(other, ks->endorse(other, msg, sizeof msg, tag), MST_OK);
	assert_memory_not_equal(tag, so_tag, sizeof tag);
	ks->close(other);
}

/* A key planted under the seal key's label (by anyone holding the PIN of
 * the backing token) must not be used to seal: neither an extractable one
 * nor a sensitive one imported with a value the planter knows. */
static void plant_seal_key(void *be, struct backing *b, CK_BBOOL sensitive, CK_BBOOL extractable)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE;
	uint8_t val[32] = { 0x42 };
	char label[] = "mstoken-seal-key";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt },
		{ CKA_LABEL, label, sizeof label - 1 }, { CKA_TOKEN, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 }, { CKA_SENSITIVE, &sensitive, 1 },
		{ CKA_EXTRACTABLE, &extractable, 1 }, { CKA_ENCRYPT, &yes, 1 },
		{ CKA_DECRYPT, &yes, 1 }, { CKA_VALUE, val, sizeof val },
	};
	CK_ATTRIBUTE find = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE keys[4], h;
	CK_ULONG n, i;
	char pin[80];

	/* the backing token's user PIN is the secret R kept under ours */
	assert_rc(be, keystore_pkcs11_backing_user_pin(be, P(USER_PIN), pin, sizeof pin), MST_OK);
	assert_int_equal(strlen(pin), 64);
	assert_int_equal(b->f->C_Login(b->s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)), CKR_OK);
	assert_int_equal(b->f->C_FindObjectsInit(b->s, &find, 1), CKR_OK);
	assert_int_equal(b->f->C_FindObjects(b->s, keys, 4, &n), CKR_OK);
	b->f->C_FindObjectsFinal(b->s);
	for (i = 0; i < n; i++)
		assert_int_equal(b->f->C_DestroyObject(b->s, keys[i]), CKR_OK);
	assert_int_equal(b->f->C_CreateObject(b->s, t, sizeof t / sizeof t[0], &h), CKR_OK);
	assert_int_equal(b->f->C_Logout(b->s), CKR_OK);
}

static void planted_seal_key_refused(void **state)
{
	void *be = *state;
	struct backing b;

	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	ks->logout(be);
	b = backing_open("ks-test");
	plant_seal_key(be, &b, CK_FALSE, CK_TRUE);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_TAMPERED);
	assert_non_null(strstr(keystore_last_error(ks, be), "refusing to seal"));
	assert_rc(be, ks->put(be, "k", 9, 1, (const uint8_t *)"x", 1), MST_ERR_NOT_LOGGED_IN);
	plant_seal_key(be, &b, CK_TRUE, CK_FALSE);   /* sensitive, but its value is known */
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_ERR_TAMPERED);
	backing_close(&b);
}

#define PIN(s) ((CK_UTF8CHAR_PTR)(uintptr_t)(s))

/* The objects of the user PIN secret R (application "mstoken-pin"). */
static size_t pin_objects(struct backing *b, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char app[] = "mstoken-pin";
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_APPLICATION, app, 11 } };
	CK_ULONG n = 0;

	assert_int_equal(b->f->C_FindObjectsInit(b->s, t, 2), CKR_OK);
	assert_int_equal(b->f->C_FindObjects(b->s, h, 8, &n), CKR_OK);
	b->f->C_FindObjectsFinal(b->s);
	return n;
}

static void backing_pin(void *be, const char *pin, char *out)
{
	assert_rc(be, keystore_pkcs11_backing_user_pin(be, P(pin), out, 80), MST_OK);
}

/* SoftHSM2's user PIN is a random R under ours: a user PIN change replaces
 * one public object (new generation first) and leaves SoftHSM2 alone, so a
 * change cut short between the two steps leaves the new PIN working; a
 * token without R (made before it) falls back to SoftHSM2's own PIN. */
static void user_pin_secret(void **state)
{
	void *be = *state;
	struct backing b = backing_open("ks-test");
	char r[80], again[80];
	uint8_t old[256];
	size_t old_len;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	char app[] = "mstoken-pin", label[] = "user";
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls }, { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &no, 1 },
		{ CKA_APPLICATION, app, 11 }, { CKA_LABEL, label, 4 }, { CKA_VALUE, old, 0 },
	};
	CK_OBJECT_HANDLE h[8], made;
	size_t n, i;

	put_text(be, "kept", 0, "survives every PIN change");
	backing_pin(be, USER_PIN, r);
	assert_int_equal(strlen(r), 64);
	assert_int_equal(b.f->C_Login(b.s, CKU_USER, PIN(USER_PIN), strlen(USER_PIN)),
			 CKR_PIN_INCORRECT);
	assert_int_equal(b.f->C_Login(b.s, CKU_USER, PIN(r), 64), CKR_OK);
	assert_int_equal(b.f->C_Logout(b.s), CKR_OK);
	assert_rc(be, keystore_pkcs11_backing_user_pin(be, P("9999"), again, sizeof again),
		  MST_ERR_PIN_INCORRECT);

	/* a change in a public session keeps R: only its object changes */
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P(USER_PIN), P("4321")), MST_OK);
	backing_pin(be, "4321", again);
	assert_string_equal(again, r);
	assert_int_equal(pin_objects(&b, h), 1);

	/* cut short: the copy under "4321" is still there beside the new one */
	old_len = backing_value(&b, h[0], old, sizeof old);
	t[5].ulValueLen = old_len;
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P("4321"), P("5678")), MST_OK);
	assert_int_equal(b.f->C_CreateObject(b.s, t, 6, &made), CKR_OK);
	assert_int_equal(pin_objects(&b, h), 2);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("4321")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("5678")), MST_OK);
	assert_int_equal(pin_objects(&b, h), 1);   /* the winner removed the older */
	expect_public(be, "kept", 1, "survives every PIN change");
	/* logged in, the same */
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P("5678"), P(USER_PIN)), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("5678")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	ks->logout(be);
	backing_pin(be, USER_PIN, again);
	assert_string_equal(again, r);

	/* a token made before R: SoftHSM2's user PIN is ours, no object */
	n = pin_objects(&b, h);
	for (i = 0; i < n; i++)
		assert_int_equal(b.f->C_DestroyObject(b.s, h[i]), CKR_OK);
	assert_int_equal(b.f->C_Login(b.s, CKU_USER, PIN(r), 64), CKR_OK);
	assert_int_equal(b.f->C_SetPIN(b.s, PIN(r), 64, PIN("2468"), 4), CKR_OK);
	assert_int_equal(b.f->C_Logout(b.s), CKR_OK);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("1111")), MST_ERR_PIN_INCORRECT);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("2468")), MST_OK);
	assert_rc(be, ks->set_pin(be, KEYSTORE_USER, P("2468"), P("1357")), MST_OK);
	ks->logout(be);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P("1357")), MST_OK);
	ks->logout(be);
	backing_pin(be, "1357", again);
	assert_string_equal(again, "1357");
	/* the SO's init_pin moves it to a new R */
	assert_rc(be, ks->login(be, KEYSTORE_SO, P(SO_PIN)), MST_OK);
	assert_rc(be, ks->init_pin(be, P(USER_PIN)), MST_OK);
	ks->logout(be);
	backing_pin(be, USER_PIN, again);
	assert_int_equal(strlen(again), 64);
	assert_string_not_equal(again, r);
	assert_rc(be, ks->login(be, KEYSTORE_USER, P(USER_PIN)), MST_OK);
	expect_public(be, "kept", 1, "survives every PIN change");
	secure_wipe(r, sizeof r);
	secure_wipe(again, sizeof again);
	backing_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_token_sets_info),
		STORE_TEST(user_pin_locks_after_five),
		cmocka_unit_test(so_pin_locks_after_ten),
		STORE_TEST(set_pin_changes_pin),
		STORE_TEST(user_pin_secret),
		STORE_TEST(public_and_private_records),
		STORE_TEST(sealed_in_backing_token),
		STORE_TEST(tampered_records_are_refused),
		STORE_TEST(newer_generation_wins),
		STORE_TEST(public_copy_never_outranks_private),
		STORE_TEST(lost_session_recovers),
		STORE_TEST(damaged_pin_state_fails_closed),
		STORE_TEST(planted_seal_key_refused),
		/* last: it changes the SO PIN the next setup would need */
		STORE_TEST(endorsement_key),
	};
	return cmocka_run_group_tests_name("keystore_pkcs11", tests, group_setup, group_teardown);
}
