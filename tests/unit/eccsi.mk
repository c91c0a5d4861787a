# tests/unit/eccsi.mk: cmocka tests of ECCSI, the MIKEY PRF and identifiers
# (RFC vectors and the vendor interop vectors of tests/vectors/).
noinst_HEADERS += tests/vectors/interop_vectors.h tests/unit/eccsi_rfc_vectors.h
dist_noinst_SCRIPTS += tests/vectors/gen_interop.py

check_PROGRAMS += tests/unit/test_eccsi tests/unit/test_eccsi_faults \
	tests/unit/test_mikey_prf tests/unit/test_identity
TESTS += tests/unit/test_eccsi tests/unit/test_eccsi_faults \
	tests/unit/test_mikey_prf tests/unit/test_identity

tests_unit_test_eccsi_SOURCES = tests/unit/test_eccsi.c
tests_unit_test_eccsi_CFLAGS = $(TEST_CFLAGS) -pthread
tests_unit_test_eccsi_LDADD = $(TEST_CORE_LIBS) -lpthread

# OpenSSL allocation failures injected one by one (own program: the
# allocator must be replaced before OpenSSL's first allocation)
tests_unit_test_eccsi_faults_SOURCES = tests/unit/test_eccsi_faults.c
tests_unit_test_eccsi_faults_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_eccsi_faults_LDADD = $(TEST_CORE_LIBS)

tests_unit_test_mikey_prf_SOURCES = tests/unit/test_mikey_prf.c
tests_unit_test_mikey_prf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mikey_prf_LDADD = $(TEST_CORE_LIBS)

tests_unit_test_identity_SOURCES = tests/unit/test_identity.c
tests_unit_test_identity_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_identity_LDADD = $(TEST_CORE_LIBS)

# the committed vector header is what the generator makes from the JSON
dist_check_SCRIPTS += tests/unit/interop_header.sh
TESTS += tests/unit/interop_header.sh
