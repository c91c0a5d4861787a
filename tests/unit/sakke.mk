# tests/unit/sakke.mk: SAKKE unit tests (RFC 6508 vectors, field and curve
# self-checks against OpenSSL BN, negative cases, vendor interop data).
noinst_HEADERS += tests/unit/sakke_rfc_vectors.h

check_PROGRAMS += tests/unit/test_sakke
TESTS += tests/unit/test_sakke
tests_unit_test_sakke_SOURCES = tests/unit/test_sakke.c
tests_unit_test_sakke_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sakke_LDADD = $(TEST_CORE_LIBS)

check_PROGRAMS += tests/unit/test_sakke_fp
TESTS += tests/unit/test_sakke_fp
tests_unit_test_sakke_fp_SOURCES = tests/unit/test_sakke_fp.c
tests_unit_test_sakke_fp_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sakke_fp_LDADD = $(TEST_CORE_LIBS)
