# tests/unit/dpck.mk: token/dpck KDF against the dpck_kdf interop vectors.
check_PROGRAMS += tests/unit/test_dpck
TESTS += tests/unit/test_dpck
tests_unit_test_dpck_SOURCES = tests/unit/test_dpck.c
tests_unit_test_dpck_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_dpck_LDADD = $(TEST_CORE_LIBS)
