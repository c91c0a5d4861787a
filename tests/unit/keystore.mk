# tests/unit/keystore.mk: configuration parsing and the PKCS#11-HSM keystore
# backend (each test runs its own SoftHSM2 in a temporary folder).
TEST_STORE_LIBS = token/libmststore.la $(TEST_CORE_LIBS)

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR=\"$(sysconfdir)\"
tests_unit_test_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_config_LDADD = $(TEST_STORE_LIBS)
TESTS += tests/unit/test_config_secure.sh
dist_check_SCRIPTS += tests/unit/test_config_secure.sh

EXTRA_DIST += tests/softhsm-env.sh

KEYSTORE_FIXTURE = tests/unit/keystore_fixture.c tests/unit/keystore_fixture.h
KEYSTORE_TEST_LIBS = $(TEST_STORE_LIBS) -ldl -lpthread

check_PROGRAMS += tests/unit/test_keystore_pkcs11
TESTS += tests/unit/test_keystore_pkcs11
tests_unit_test_keystore_pkcs11_SOURCES = tests/unit/test_keystore_pkcs11.c $(KEYSTORE_FIXTURE)
tests_unit_test_keystore_pkcs11_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_keystore_pkcs11_LDADD = $(KEYSTORE_TEST_LIBS)

check_PROGRAMS += tests/unit/test_keystore_process
TESTS += tests/unit/test_keystore_process
tests_unit_test_keystore_process_SOURCES = tests/unit/test_keystore_process.c $(KEYSTORE_FIXTURE)
tests_unit_test_keystore_process_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_keystore_process_LDADD = $(KEYSTORE_TEST_LIBS)

TESTS += tests/unit/test_softhsm_env.sh
dist_check_SCRIPTS += tests/unit/test_softhsm_env.sh

# the shared atomic-file writer and its users' file rules (issue 11 item 9)
check_PROGRAMS += tests/unit/test_atomicfile
TESTS += tests/unit/test_atomicfile
tests_unit_test_atomicfile_SOURCES = tests/unit/test_atomicfile.c
tests_unit_test_atomicfile_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_atomicfile_LDADD = client/libmsclient.la tpm/libmsttpm.la $(TEST_CORE_LIBS) $(TSS2_LIBS)
