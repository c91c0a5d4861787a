# tests/unit/kmsxml.mk: KMS XML reader/writer (cmocka) and the mstoken-kms
# command-line tests (shell).
KMSXML_TESTS = tests/unit/test_kmsxml tests/unit/test_kmsxml_refuse tests/unit/test_kmsxml_wipe
check_PROGRAMS += $(KMSXML_TESTS)
TESTS += $(KMSXML_TESTS)
noinst_HEADERS += tests/unit/kmsxml_testlib.h
tests_unit_test_kmsxml_SOURCES = tests/unit/test_kmsxml.c
tests_unit_test_kmsxml_CFLAGS = $(TEST_CFLAGS) $(XML_CFLAGS)
tests_unit_test_kmsxml_LDADD = $(TEST_CORE_LIBS) $(XML_LIBS)
tests_unit_test_kmsxml_refuse_SOURCES = tests/unit/test_kmsxml_refuse.c
tests_unit_test_kmsxml_refuse_CFLAGS = $(TEST_CFLAGS) $(XML_CFLAGS)
tests_unit_test_kmsxml_refuse_LDADD = $(TEST_CORE_LIBS) $(XML_LIBS)
tests_unit_test_kmsxml_wipe_SOURCES = tests/unit/test_kmsxml_wipe.c
tests_unit_test_kmsxml_wipe_CFLAGS = $(TEST_CFLAGS) $(XML_CFLAGS)
tests_unit_test_kmsxml_wipe_LDADD = $(TEST_CORE_LIBS) $(XML_LIBS)

# kmsxml-check: reads and checks a key set with token/kmsxml as a token
# would (for key sets from msref, a KMS that is not ours; see kms_ref.sh).
check_PROGRAMS += tests/unit/kmsxml-check
tests_unit_kmsxml_check_SOURCES = tests/unit/kmsxml_check.c kms/fileio.c kms/period.c
tests_unit_kmsxml_check_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS)
tests_unit_kmsxml_check_LDADD = token/libmstcore.la $(CRYPTO_LIBS) $(XML_LIBS)

# mstoken-kms end to end (shell); kms_lib.sh holds their helpers.
TESTS += tests/integration/kms.sh
dist_check_SCRIPTS += tests/integration/kms.sh
EXTRA_DIST += tests/integration/kms_lib.sh tests/integration/tap.sh
# key sets checked by the independent msref (tests/ref/msref.py, part ref)
TESTS += tests/integration/kms_ref.sh
dist_check_SCRIPTS += tests/integration/kms_ref.sh

# the KMS interface's signature and key wrap (token/kmsxml_sec.c)
check_PROGRAMS += tests/unit/test_kmsxml_sec
TESTS += tests/unit/test_kmsxml_sec
tests_unit_test_kmsxml_sec_SOURCES = tests/unit/test_kmsxml_sec.c
tests_unit_test_kmsxml_sec_CFLAGS = $(TEST_CFLAGS) $(XML_CFLAGS)
tests_unit_test_kmsxml_sec_LDADD = $(TEST_CORE_LIBS) $(XML_LIBS)
