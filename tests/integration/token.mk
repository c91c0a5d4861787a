# tests/integration/token.mk: the PKCS#11 module against a real SoftHSM2,
# directly, through p11-kit-proxy.so, and driven by pkcs11-tool.
check_PROGRAMS += tests/integration/test_token
tests_integration_test_token_SOURCES = \
	tests/integration/test_token.c tests/integration/test_token.h tests/integration/p11_slot.h \
	tests/integration/test_token_util.c \
	tests/integration/test_token_import.c \
	tests/integration/test_token_crypto.c \
	tests/integration/test_token_dpck.c \
	tests/integration/test_token_stress.c \
	tests/integration/test_token_objects.c \
	tests/integration/test_token_vendors.c \
	tests/integration/test_token_templates.c \
	tests/integration/test_token_tpm_store.c
tests_integration_test_token_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS) -pthread
tests_integration_test_token_LDADD = $(TEST_CORE_LIBS) -ldl -lpthread

TESTS += tests/integration/token.sh tests/integration/token-pkcs11-tool.sh
dist_check_SCRIPTS += tests/integration/token.sh tests/integration/token-pkcs11-tool.sh
# the same bodies on tpm-backed slots (MSTOKEN_TEST_BACKEND=tpm, swtpm)
TESTS += tests/integration/token-tpm.sh tests/integration/token-pkcs11-tool-tpm.sh
dist_check_SCRIPTS += tests/integration/token-tpm.sh tests/integration/token-pkcs11-tool-tpm.sh
dist_noinst_DATA += tests/integration/token-env.sh
