# tests/integration/tpm.mk: the TPM keystore backend against swtpm.
# test_keystore_tpm.sh starts two swtpm instances (swtpm-env.sh, which the
# other integration tests may source too) and runs the cmocka program.
check_PROGRAMS += tests/integration/test_keystore_tpm
tests_integration_test_keystore_tpm_SOURCES = \
	tests/integration/test_keystore_tpm.c \
	tests/integration/test_keystore_tpm_crash.c \
	tests/integration/test_keystore_tpm_kill.c \
	tests/integration/test_keystore_tpm_bus.c \
	tests/integration/test_keystore_tpm_pins.c \
	tests/integration/tpm_test_util.c tests/integration/tpm_test_util.h
tests_integration_test_keystore_tpm_CFLAGS = $(TEST_CFLAGS) $(TSS2_CFLAGS)
tests_integration_test_keystore_tpm_LDADD = token/libmststore.la tpm/libmsttpm.la $(TEST_CORE_LIBS) $(TSS2_LIBS)
TESTS += tests/integration/test_swtpm_env.sh tests/integration/test_keystore_tpm.sh
dist_check_SCRIPTS += tests/integration/test_swtpm_env.sh tests/integration/test_keystore_tpm.sh
dist_noinst_SCRIPTS += tests/integration/swtpm-env.sh
