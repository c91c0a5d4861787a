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
	tests/integration/test_token_tpm_store.c \
	tests/integration/backing_pin.c tests/integration/backing_pin.h
tests_integration_test_token_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS) $(TSS2_CFLAGS) -pthread
# tpm/: writing a forged public record file into a tpm store
tests_integration_test_token_LDADD = token/libmststore.la tpm/libmsttpm.la $(TEST_CORE_LIBS) \
	-ldl -lpthread

# a KmsKeySet import frees no unwiped copy of its secret text (own free())
check_PROGRAMS += tests/integration/test_token_wipe
tests_integration_test_token_wipe_SOURCES = tests/integration/test_token_wipe.c \
	tests/integration/test_token_util.c
tests_integration_test_token_wipe_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_integration_test_token_wipe_LDADD = $(TEST_CORE_LIBS) -ldl
# its free() must be the one the dlopen'ed module binds to
tests_integration_test_token_wipe_LDFLAGS = -rdynamic

# issue 11: black-box attacks and the PKCS#11 rules google/pkcs11test
# exposed, on a token of its own (doc/pkcs11.md, "Conformance")
check_PROGRAMS += tests/integration/test_token_conformance
tests_integration_test_token_conformance_SOURCES = \
	tests/integration/test_token_conformance.c tests/integration/test_token.h \
	tests/integration/p11_slot.h tests/integration/test_token_util.c
tests_integration_test_token_conformance_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS) -pthread
tests_integration_test_token_conformance_LDADD = $(TEST_CORE_LIBS) -ldl -lpthread

TESTS += tests/integration/token.sh tests/integration/token-pkcs11-tool.sh
TESTS += tests/integration/token-conformance.sh tests/integration/token-conformance-tpm.sh
dist_check_SCRIPTS += tests/integration/token-conformance.sh \
	tests/integration/token-conformance-tpm.sh
dist_check_SCRIPTS += tests/integration/token.sh tests/integration/token-pkcs11-tool.sh
# the same bodies on tpm-backed slots (MSTOKEN_TEST_BACKEND=tpm, swtpm)
TESTS += tests/integration/token-tpm.sh tests/integration/token-pkcs11-tool-tpm.sh
dist_check_SCRIPTS += tests/integration/token-tpm.sh tests/integration/token-pkcs11-tool-tpm.sh
dist_noinst_DATA += tests/integration/token-env.sh
# issue 11: independent black-box attacks (ctypes client, forged SoftHSM2 records)
# backing-pin: the backing token's user PIN (a secret under ours) for attacks.sh
check_PROGRAMS += tests/integration/backing-pin
tests_integration_backing_pin_SOURCES = tests/integration/backing_pin_tool.c \
	tests/integration/backing_pin.c
tests_integration_backing_pin_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_integration_backing_pin_LDADD = token/libmststore.la $(TEST_CORE_LIBS) -ldl -lpthread
TESTS += tests/integration/attacks.sh tests/integration/attacks-tpm.sh
dist_check_SCRIPTS += tests/integration/attacks.sh tests/integration/attacks-tpm.sh
dist_noinst_SCRIPTS += tests/integration/attacks.py
# token-pkcs11-tool.sh: a PRF output of a kept SSV (uses read_secret.py, client.mk)
dist_noinst_SCRIPTS += tests/integration/p11_prf.py

# the KMS interface's token side (issue 10): TrK/InK objects and signed,
# encrypted KMS responses built with token/kmsxml_sec, on both backends
check_PROGRAMS += tests/integration/test_token_kms
tests_integration_test_token_kms_SOURCES = tests/integration/test_token_kms.c \
	tests/integration/test_token_util.c tests/integration/test_token.h
tests_integration_test_token_kms_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS) $(XML_CFLAGS) -pthread
tests_integration_test_token_kms_LDADD = $(TEST_CORE_LIBS) $(XML_LIBS) -ldl -lpthread
TESTS += tests/integration/token-kms.sh tests/integration/token-kms-tpm.sh
dist_check_SCRIPTS += tests/integration/token-kms.sh tests/integration/token-kms-tpm.sh

# a broken mstoken.conf is reported once through syslog (issue 11 item 10)
check_PROGRAMS += tests/integration/test_config_report
tests_integration_test_config_report_SOURCES = tests/integration/test_config_report.c
tests_integration_test_config_report_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_integration_test_config_report_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
tests_integration_test_config_report_LDADD = -ldl
TESTS += tests/integration/config_report.sh
dist_check_SCRIPTS += tests/integration/config_report.sh

# SIGKILL during import, PIN change and delete on the SoftHSM2 backend
check_PROGRAMS += tests/integration/test_token_kill
tests_integration_test_token_kill_SOURCES = tests/integration/test_token_kill.c \
	tests/integration/test_token_util.c tests/integration/backing_pin.c
tests_integration_test_token_kill_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_integration_test_token_kill_LDADD = token/libmststore.la $(TEST_CORE_LIBS) -ldl -lpthread
TESTS += tests/integration/token-kill.sh
dist_check_SCRIPTS += tests/integration/token-kill.sh
