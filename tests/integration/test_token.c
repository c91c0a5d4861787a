/* tests/integration/test_token.c - the mstoken PKCS#11 module end to end:
 * token and PIN administration here, import, crypto and stress in the
 * other test_token_*.c files.  Run by token.sh directly and through
 * p11-kit-proxy.so. */
#include "test_token.h"

static void pad32(CK_UTF8CHAR *out, const char *label)
{
	memset(out, ' ', 32);
	memcpy(out, label, strlen(label));
}

void test_info_and_mechanisms(void **state)
{
	CK_MECHANISM_TYPE mechs[16];
	CK_MECHANISM_INFO mi;
	CK_ULONG n = 16, i, found = 0;
	CK_SLOT_ID slot = tok_slot("alice");
	CK_INFO info;

	(void)state;
	assert_int_equal(p11->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 2);
	assert_int_equal(p11->C_GetMechanismList(slot, mechs, &n), CKR_OK);
	for (i = 0; i < n; i++)
		if (mechs[i] == CKM_MSTOKEN_ECCSI || mechs[i] == CKM_MSTOKEN_SAKKE ||
		    mechs[i] == CKM_MSTOKEN_MIKEY_PRF || mechs[i] == CKM_GENERIC_SECRET_KEY_GEN)
			found++;
	assert_int_equal(found, 4);
	assert_int_equal(p11->C_GetMechanismInfo(slot, CKM_MSTOKEN_ECCSI, &mi), CKR_OK);
	assert_true(mi.flags & CKF_SIGN);
	assert_true(mi.flags & CKF_VERIFY);
	assert_int_equal(p11->C_GetMechanismInfo(slot, CKM_MSTOKEN_SAKKE, &mi), CKR_OK);
	assert_true((mi.flags & (CKF_WRAP | CKF_UNWRAP)) == (CKF_WRAP | CKF_UNWRAP));
	assert_int_equal(p11->C_GetMechanismInfo(slot, CKM_MSTOKEN_MIKEY_PRF, &mi), CKR_OK);
	assert_true(mi.flags & CKF_DERIVE);
	assert_int_equal(p11->C_GetMechanismInfo(slot, CKM_SHA256, &mi), CKR_MECHANISM_INVALID);
	/* what the token does not do says so */
	{
		CK_MECHANISM sha = { CKM_SHA256, NULL, 0 };
		CK_SESSION_HANDLE s = tok_session("alice", 0);

		assert_int_equal(p11->C_DigestInit(s, &sha), CKR_FUNCTION_NOT_SUPPORTED);
		assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	}
}

void test_init_token_and_pins(void **state)
{
	static const char *const labels[] = { "alice", "bob" };
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		pad32(label, labels[i]);
		assert_int_equal(p11->C_InitToken(tok_slot(labels[i]), PIN(SO_PIN),
						  strlen(SO_PIN), label), CKR_OK);
		ti = tok_info(labels[i]);
		assert_true(ti.flags & CKF_TOKEN_INITIALIZED);
		assert_false(ti.flags & CKF_USER_PIN_INITIALIZED);
		assert_true(ti.flags & CKF_LOGIN_REQUIRED);
		assert_true(ti.flags & CKF_RNG);
		assert_memory_equal(ti.label, label, 32);

		s = tok_session(labels[i], 0);
		/* no user PIN yet */
		assert_int_not_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_OK);
		/* only the SO sets it */
		assert_int_equal(p11->C_InitPIN(s, PIN(USER_PIN), 4),
				 CKR_USER_NOT_LOGGED_IN);
		assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)),
				 CKR_OK);
		assert_int_equal(p11->C_GetSessionInfo(s, &si), CKR_OK);
		assert_int_equal(si.state, CKS_RW_SO_FUNCTIONS);
		assert_int_equal(p11->C_InitPIN(s, PIN(USER_PIN), 4), CKR_OK);
		assert_int_equal(p11->C_Logout(s), CKR_OK);
		assert_true(tok_info(labels[i]).flags & CKF_USER_PIN_INITIALIZED);

		assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_OK);
		assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4),
				 CKR_USER_ALREADY_LOGGED_IN);
		assert_int_equal(p11->C_GetSessionInfo(s, &si), CKR_OK);
		assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
		/* the user changes the PIN and back */
		assert_int_equal(p11->C_SetPIN(s, PIN(USER_PIN), 4,
					       PIN("56789"), 5), CKR_OK);
		assert_int_equal(p11->C_Logout(s), CKR_OK);
		assert_int_equal(p11->C_Login(s, CKU_USER, PIN("56789"), 5), CKR_OK);
		assert_int_equal(p11->C_SetPIN(s, PIN("56789"), 5,
					       PIN(USER_PIN), 4), CKR_OK);
		assert_int_equal(p11->C_Logout(s), CKR_OK);
		assert_int_equal(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
		/* a session open: no re-initialisation under its feet */
		assert_int_equal(p11->C_InitToken(tok_slot(labels[i]), PIN(SO_PIN),
						  strlen(SO_PIN), label), CKR_SESSION_EXISTS);
		assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	}
}

void test_pin_lockout_and_so_unlock(void **state)
{
	CK_SESSION_HANDLE s = tok_session("bob", 0);
	int seen_low = 0, seen_final = 0, tries;
	CK_FLAGS f;
	CK_RV rv = CKR_OK;

	(void)state;
	for (tries = 0; tries < 20; tries++) {
		rv = p11->C_Login(s, CKU_USER, PIN("0000"), 4);
		if (rv == CKR_PIN_LOCKED)
			break;
		assert_int_equal(rv, CKR_PIN_INCORRECT);
		f = tok_info("bob").flags;
		seen_low |= (f & CKF_USER_PIN_COUNT_LOW) != 0;
		seen_final |= (f & CKF_USER_PIN_FINAL_TRY) != 0;
		if (f & CKF_USER_PIN_LOCKED)
			break;
	}
	assert_true(seen_low);
	assert_true(seen_final);
	assert_true(tok_info("bob").flags & CKF_USER_PIN_LOCKED);
	/* locked: even the right PIN is refused */
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_PIN_LOCKED);
	/* the SO unlocks by setting the user PIN again */
	assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)), CKR_OK);
	assert_int_equal(p11->C_InitPIN(s, PIN(USER_PIN), 4), CKR_OK);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	f = tok_info("bob").flags;
	assert_false(f & (CKF_USER_PIN_LOCKED | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW));
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

static int setup(void **state)
{
	(void)state;
	tok_load();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_and_mechanisms),
		cmocka_unit_test(test_init_token_and_pins),
		cmocka_unit_test(test_pin_lockout_and_so_unlock),
		cmocka_unit_test(test_import_certificate),
		cmocka_unit_test(test_import_keysets),
		cmocka_unit_test(test_sample_kms_responses),
		cmocka_unit_test(test_key_periods_coexist),
		cmocka_unit_test(test_invalid_keysets_store_nothing),
		cmocka_unit_test(test_secrets_unreadable),
		cmocka_unit_test(test_private_objects_need_login),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_verify_vendor_signatures),
		cmocka_unit_test(test_unwrap_vendor_payloads),
		cmocka_unit_test(test_derive_vendor_kdf),
		cmocka_unit_test(test_dpck_decrypt),
		cmocka_unit_test(test_generate_wrap_unwrap_round_trip),
		cmocka_unit_test(test_wrap_rules),
		cmocka_unit_test(test_threads_sign),
		cmocka_unit_test(test_fork_child),
		cmocka_unit_test_teardown(test_tampered_record, tok_fixture_reload),
		cmocka_unit_test_teardown(test_forged_public_records, tok_fixture_reload),
		cmocka_unit_test(test_initialize_args),
		cmocka_unit_test_teardown(test_object_management, tok_fixture_reload),
		cmocka_unit_test(test_all_vendor_key_sets),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_template_empty_values),
	};

	return cmocka_run_group_tests(tests, setup, tok_fixture_unload);
}
