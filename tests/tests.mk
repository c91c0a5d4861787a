# tests/: cmocka unit tests, integration scripts, benchmarks, fuzz targets.
# Unit tests are cmocka programs; integration tests are shell scripts that
# set up (and tear down) their own SoftHSM2 / swtpm in a temporary folder.

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SAN_SH_ENV) $(SHELL)
LOG_COMPILER = $(SAN_ENV)

# --- sanitizer builds (configure --enable-sanitizers[=thread], .ci/hardening)
# Any report stops the program and fails its test.  pkcs11-tool, which
# loads the module without being built with ASan, runs through
# tests/asan-pkcs11-tool (ASan runtime preloaded for it alone).
SAN_COMMON = UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if ASAN
SAN_ENV = env MST_SANITIZERS=address $(SAN_COMMON) ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:strict_string_checks=1
else
if TSAN
SAN_ENV = env MST_SANITIZERS=thread TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
else
SAN_ENV =
endif
endif
SAN_SH_ENV = $(SAN_ENV)
EXTRA_DIST += tests/asan-pkcs11-tool.in tests/lsan-sofia-sip.supp tests/valgrind.supp
DISTCLEANFILES += tests/asan-pkcs11-tool
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	MSTOKEN_INTEROP_DIR='$(abs_top_srcdir)/tests/vectors'; export MSTOKEN_INTEROP_DIR;

TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/tests
TEST_CORE_LIBS = token/libmstcore.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
noinst_HEADERS += tests/test_util.h

check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c
tests_unit_test_core_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_LDADD = $(TEST_CORE_LIBS)

EXTRA_DIST += tests/integration/env.sh.in

include tests/unit/sakke.mk
include tests/unit/eccsi.mk
include tests/unit/kmsxml.mk
include tests/unit/keystore.mk
include tests/unit/client.mk
include tests/unit/dpck.mk
include tests/integration/token.mk
include tests/integration/tpm.mk
include tests/integration/client.mk
include tests/integration/kms_serve.mk
include tests/bench/bench.mk
include tests/fuzz/fuzz.mk
include tests/ref/ref.mk
dist_noinst_DATA += tests/vectors/interop_vectors.json tests/vectors/kms-init-response.xml tests/vectors/kms-keyprov-response.xml tests/vectors/kms-interface.xsd tests/vectors/streamwide-test-vectors.md tests/vectors/README.md
# make install under --prefix lands there only (run by .ci/hardening)
dist_noinst_SCRIPTS += tests/install_prefix.sh tests/valgrind_token.sh
