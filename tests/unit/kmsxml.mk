# tests/unit/kmsxml.mk: KMS XML reader/writer (cmocka) and the mstoken-kms
# command-line tests (shell).
check_PROGRAMS += tests/unit/test_kmsxml
TESTS += tests/unit/test_kmsxml
tests_unit_test_kmsxml_SOURCES = tests/unit/test_kmsxml.c tests/unit/kmsxml_testlib.h
tests_unit_test_kmsxml_CFLAGS = $(TEST_CFLAGS) $(XML_CFLAGS)
tests_unit_test_kmsxml_LDADD = $(TEST_CORE_LIBS) $(XML_LIBS)
