/* tests/unit/keystore_fixture.h - a private SoftHSM2 for keystore tests,
 * stores made ready for use, and direct access to the backing module (the
 * way an attacker holding the PIN would edit records).
 */
#ifndef MST_KEYSTORE_FIXTURE_H
#define MST_KEYSTORE_FIXTURE_H

#include "test_util.h"
#include "token/keystore.h"
#include <p11-kit/pkcs11.h>

#define SO_PIN "12345678"
#define USER_PIN "1234"
#define P(s) (s), strlen(s)

/* Like assert_int_equal, naming the backend's own error on a mismatch. */
#define assert_rc(be, call, want) do { mst_rc _rc = (call); \
	if (_rc != (want)) \
		fail_msg("%s -> %s (want %s); backend: %s", #call, mst_strerror(_rc), \
			 mst_strerror(want), keystore_last_error(ks, (be))); } while (0)

#define expect_record(be, name, kind, text) expect_record_is(be, name, 1, kind, text)
#define expect_public(be, name, kind, text) expect_record_is(be, name, 0, kind, text)
#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)

extern char ks_tmpdir[64];                /* the SoftHSM2 folder of this run */
extern const keystore_backend *const ks;

struct backing {
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
};

/* A pkcs11 slot on backing token `token` of the configured SoftHSM2. */
mst_slot_config slot_config(const char *token);
/* cmocka group fixtures: SOFTHSM2_CONF pointing into a fresh ks_tmpdir. */
int group_setup(void **state);
int group_teardown(void **state);
/* Opened, initialised (label "alice", SO_PIN) and with USER_PIN set. */
void *fresh_store(const char *token);
/* Per-test fixture: *state = fresh_store("ks-test"). */
int store_setup(void **state);
int store_teardown(void **state);
/* get() must give exactly this (and the memory of the right kind). */
void expect_record_is(void *be, const char *name, int is_private, uint32_t kind,
		      const char *text);
/* get() of a record of this privacy and kind must fail with want. */
void expect_get_fails(void *be, const char *name, int is_private, uint32_t kind, mst_rc want);
/* A session of our own on the backing token, beside the backend. */
struct backing backing_open(const char *token);
void backing_close(struct backing *b);
size_t backing_find(struct backing *b, const char *name, CK_OBJECT_HANDLE *h);
CK_OBJECT_HANDLE backing_one(struct backing *b, const char *name);
size_t backing_value(struct backing *b, CK_OBJECT_HANDLE h, uint8_t *buf, size_t cap);
void backing_create(struct backing *b, const char *name, int is_private,
		    const uint8_t *val, size_t len);
void backing_replace(struct backing *b, const char *name, const uint8_t *val, size_t len);
void backing_set_label(struct backing *b, CK_OBJECT_HANDLE h, const char *label);
/* put() of a text record of kind 1 that must succeed. */
void put_text(void *be, const char *name, int is_private, const char *text);

#endif
