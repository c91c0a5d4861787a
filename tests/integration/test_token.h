/* tests/integration/test_token.h - shared fixture of the module tests.
 *
 * The module under test is dlopen'ed from $MSTOKEN_MODULE (the built
 * mstoken-pkcs11.so, or p11-kit-proxy.so configured to load only it);
 * token.sh sets up SoftHSM2 and an mstoken.conf with two slots, "alice"
 * and "bob".  Tests run in order and build on each other's tokens.
 */
#ifndef MST_TEST_TOKEN_H
#define MST_TEST_TOKEN_H

#undef CRYPTOKI_GNU
#include <p11-kit/pkcs11.h>
#include "mstoken/pkcs11-mstoken.h"
#include "test_util.h"
/* the generated vector header defines every table static; a test file
 * uses a few of them */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#include "vectors/interop_vectors.h"
#pragma GCC diagnostic pop

#define SO_PIN "12345678"
#define USER_PIN "1234"
#define SW_KMS_URI "kms.mydev.streamwide.com"

/* string literals as the non-const pointers PKCS#11 prototypes take */
#define PIN(s) ((CK_UTF8CHAR_PTR)(uintptr_t)(s))
#define BYTES(s) ((CK_BYTE_PTR)(uintptr_t)(s))

extern CK_FUNCTION_LIST_PTR p11;

/* Load $MSTOKEN_MODULE and C_Initialize it (OS locking). */
void tok_load(void);
void tok_unload(void);
/* Slot whose description starts with "mstoken <label> ". */
CK_SLOT_ID tok_slot(const char *label);
/* RW session, logged in as the user when login != 0. */
CK_SESSION_HANDLE tok_session(const char *label, int login);
/* Every object the session sees (count only). */
CK_ULONG tok_count(CK_SESSION_HANDLE s);
/* The one object of a class with this CKA_ID, 0 if none. */
CK_OBJECT_HANDLE tok_find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const void *id, size_t id_len);
/* The community public key (ECCSI KPAK or SAKKE Z_T) with this label. */
CK_OBJECT_HANDLE tok_community(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const char *kms_uri);
/* Private key of a user: uid || suffix (1 ECCSI, 2 SAKKE). */
CK_OBJECT_HANDLE tok_user_key(CK_SESSION_HANDLE s, const uint8_t *uid, size_t uid_len, int suffix);
CK_RV tok_create_data(CK_SESSION_HANDLE s, const char *app, const char *xml, CK_OBJECT_HANDLE *h);
/* Trust is the SO's: log the session's slot in as the SO (logging the
 * user out first; returns 1 if it was logged in) and back. */
int tok_login_so(CK_SESSION_HANDLE s);
void tok_login_back(CK_SESSION_HANDLE s, int user);
/* Import a KmsCertificate as the SO (tok_login_so, create, back): the
 * create's answer.  Handles of private objects change (re-login). */
CK_RV tok_so_import(CK_SESSION_HANDLE s, const char *xml, CK_OBJECT_HANDLE *h);
/* The same with one more attribute (extra != NULL) in the template. */
CK_RV tok_create_data_with(CK_SESSION_HANDLE s, const char *app, const char *xml,
			   const CK_ATTRIBUTE *extra, CK_OBJECT_HANDLE *h);
/* cmocka fixtures: load the module again if a test left it unloaded (a
 * test that unloads it and fails before loading it again must not leave
 * the next tests without one); unload it. */
int tok_fixture_reload(void **state);
int tok_fixture_unload(void **state);
CK_TOKEN_INFO tok_info(const char *label);
/* A session secret key holding value (extractable). */
CK_OBJECT_HANDLE tok_secret(CK_SESSION_HANDLE s, const uint8_t *value, size_t len);
/* The non-extractable secret key o holds value: a MIKEY PRF output of o
 * (readable, as only PRF outputs are) equals the same PRF computed here
 * on value (libmstcore).  How tests check an SSV that never leaves. */
void tok_assert_secret_is(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, const uint8_t *value,
			  size_t len);
/* Read CKA_VALUE into buf (capacity *len): the return value of the call. */
CK_RV tok_value(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, uint8_t *buf, CK_ULONG *len);

/* KMS XML of the streamwide community and its users (bare elements). */
char *xml_certificate(const char *kms_uri, const uint8_t *z, const uint8_t *kpak);
char *xml_keyset(const char *kms_uri, const char *user_uri, const uint8_t *uid, size_t uid_len,
		 const uint8_t *rsk, const uint8_t *ssk, const uint8_t *pvt);
/* The streamwide key set of a user ("gms", "alice", "bob", "iwf"). */
const struct interop_key_set *sw_user(const char *user);
const char *sw_uri(const char *user);
char *sw_keyset_xml(const char *user);
/* Rewrite the <KeyPeriodNo> of a key set made by xml_keyset. */
void xml_set_period(char *xml, unsigned long period_no);

/* MSTOKEN_TEST_BACKEND=tpm: the slots are tpm stores under
 * $MSTOKEN_TEST_TPM_STORES/<label> (token-env.sh). */
int tok_backend_is_tpm(void);
/* Record names (rec.NAME files) of the tpm store of a slot. */
size_t tpm_store_records(const char *label, char names[][72], size_t max);
/* Flip an octet of every key value record (NAME ending ".v") and SO
 * endorsement (".e") not in before: the count edited. */
int tpm_store_tamper_new_values(const char *label, char before[][72], size_t n_before);

/* Over every private record file rec.*SUFFIX of the slot's tpm store,
 * write a valid public record file of this kind and data, as someone who
 * may write the folder would; the count.  tpm_store_restore puts the
 * original files back. */
size_t tpm_store_forge_public(const char *label, const char *suffix, uint32_t kind,
			      const uint8_t *data, size_t len);
void tpm_store_restore(const char *label);

/* Test groups (test_token_*.c). */
void test_info_and_mechanisms(void **state);
void test_init_token_and_pins(void **state);
void test_pin_lockout_and_so_unlock(void **state);
void test_import_certificate(void **state);
void test_import_keysets(void **state);
void test_sample_kms_responses(void **state);
void test_key_periods_coexist(void **state);
void test_invalid_keysets_store_nothing(void **state);
void test_secrets_unreadable(void **state);
void test_private_objects_need_login(void **state);
void test_sign_verify(void **state);
void test_verify_vendor_signatures(void **state);
void test_unwrap_vendor_payloads(void **state);
void test_derive_vendor_kdf(void **state);
void test_dpck_decrypt(void **state);   /* test_token_dpck.c */
void test_generate_wrap_unwrap_round_trip(void **state);
void test_wrap_rules(void **state);
void test_threads_sign(void **state);
void test_fork_child(void **state);
void test_tampered_record(void **state);
void test_forged_public_records(void **state);
void test_initialize_args(void **state);
void test_object_management(void **state);
void test_all_vendor_key_sets(void **state);
void test_edge_cases(void **state);
void test_template_empty_values(void **state);   /* test_token_templates.c */

#endif
