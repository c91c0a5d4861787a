# tests/fuzz/fuzz.mk: fuzz targets.
#
# Every fuzz_*.c here is a libFuzzer target (LLVMFuzzerTestOneInput).
# make check runs fuzz_imessage through the plain driver fuzz_replay
# (vendor messages, an optional corpus directory, 100000 seeded mutations).
#
# The libFuzzer builds need a build of their own, instrumented throughout:
#   mkdir build-fuzz && cd build-fuzz
#   ../configure CC=clang --enable-fuzzers && make -j2 fuzzers
#   tests/fuzz/fuzz_seeds seeds       # seed corpora, one folder per target
#   tests/fuzz/fuzz_sdp seeds/sdp     # (or .ci/fuzz: all of it, 30 s each)
# README.md (Security, Fuzzing) has the campaign's commands and figures.
noinst_HEADERS += tests/fuzz/fuzz_imessage.h tests/fuzz/fuzz_seeds.h tests/fuzz/fake_p11.h
check_PROGRAMS += tests/fuzz/fuzz_replay
TESTS += tests/fuzz/fuzz_replay
tests_fuzz_fuzz_replay_SOURCES = tests/fuzz/fuzz_replay.c tests/fuzz/fuzz_imessage.c
tests_fuzz_fuzz_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_replay_LDADD = client/libmsclient.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)

FUZZ_TARGETS = \
	tests/fuzz/fuzz_imessage \
	tests/fuzz/fuzz_sdp \
	tests/fuzz/fuzz_kmsxml \
	tests/fuzz/fuzz_tpmfile \
	tests/fuzz/fuzz_objcodec \
	tests/fuzz/fuzz_p11records \
	tests/fuzz/fuzz_pkcs11
EXTRA_DIST += .ci/fuzz tests/fuzz/regress/sdp/nul-in-key-mgmt \
	tests/fuzz/regress/pkcs11/empty-label-one-way tests/fuzz/regress/pkcs11/null-value-find \
	tests/fuzz/regress/tpmfile/private-sealed-size

if FUZZERS
# the module's objects, for the targets that call into pkcs11/ directly
noinst_LTLIBRARIES += tests/fuzz/libfuzzmodule.la
tests_fuzz_libfuzzmodule_la_SOURCES = $(pkcs11_mstoken_pkcs11_la_SOURCES)
tests_fuzz_libfuzzmodule_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_libfuzzmodule_la_LIBADD = token/libmststore.la $(CRYPTO_LIBS) -lpthread

noinst_PROGRAMS += $(FUZZ_TARGETS) tests/fuzz/fuzz_seeds
FUZZ_LD = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

tests_fuzz_fuzz_imessage_SOURCES = tests/fuzz/fuzz_imessage.c
tests_fuzz_fuzz_imessage_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_imessage_LDADD = client/libmsclient.la $(CRYPTO_LIBS)

tests_fuzz_fuzz_sdp_SOURCES = tests/fuzz/fuzz_sdp.c
tests_fuzz_fuzz_sdp_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_sdp_LDADD = client/libmsclient.la $(CRYPTO_LIBS)

tests_fuzz_fuzz_kmsxml_SOURCES = tests/fuzz/fuzz_kmsxml.c
tests_fuzz_fuzz_kmsxml_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS)
tests_fuzz_fuzz_kmsxml_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_kmsxml_LDADD = token/libmstcore.la $(CRYPTO_LIBS) $(XML_LIBS)

tests_fuzz_fuzz_tpmfile_SOURCES = tests/fuzz/fuzz_tpmfile.c
tests_fuzz_fuzz_tpmfile_CFLAGS = $(AM_CFLAGS) $(TSS2_CFLAGS)
tests_fuzz_fuzz_tpmfile_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_tpmfile_LDADD = tpm/libmsttpm.la token/libmstcore.la $(TSS2_LIBS) $(CRYPTO_LIBS)

tests_fuzz_fuzz_objcodec_SOURCES = tests/fuzz/fuzz_objcodec.c
tests_fuzz_fuzz_objcodec_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_objcodec_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_objcodec_LDADD = tests/fuzz/libfuzzmodule.la

tests_fuzz_fuzz_p11records_SOURCES = tests/fuzz/fuzz_p11records.c tests/fuzz/fake_p11.c
tests_fuzz_fuzz_p11records_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_p11records_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_p11records_LDADD = token/libmststore.la $(CRYPTO_LIBS)

# the stand-in HSM as a module the token loads (fuzz_pkcs11's backing token)
noinst_LTLIBRARIES += tests/fuzz/fake_p11.la
tests_fuzz_fake_p11_la_SOURCES = tests/fuzz/fake_p11.c tests/fuzz/fake_p11_module.c
tests_fuzz_fake_p11_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fake_p11_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_fuzz_fake_p11_la_LIBADD = $(CRYPTO_LIBS)

tests_fuzz_fuzz_pkcs11_SOURCES = tests/fuzz/fuzz_pkcs11.c
tests_fuzz_fuzz_pkcs11_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) \
	-DFAKE_P11_MODULE='"$(abs_top_builddir)/tests/fuzz/.libs/fake_p11.so"'
tests_fuzz_fuzz_pkcs11_LDFLAGS = $(FUZZ_LD)
tests_fuzz_fuzz_pkcs11_LDADD = tests/fuzz/libfuzzmodule.la

# the seed generator is a plain program (no libFuzzer main)
tests_fuzz_fuzz_seeds_SOURCES = tests/fuzz/fuzz_seeds.c tests/fuzz/fake_p11.c
tests_fuzz_fuzz_seeds_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) $(TSS2_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_seeds_LDADD = tests/fuzz/libfuzzmodule.la client/libmsclient.la $(TSS2_LIBS) $(CRYPTO_LIBS)

fuzzers: $(FUZZ_TARGETS:=$(EXEEXT)) tests/fuzz/fuzz_seeds$(EXEEXT) tests/fuzz/fake_p11.la
else
fuzzers:
	@echo "configure with CC=clang --enable-fuzzers to build the fuzz targets"; exit 1
endif
.PHONY: fuzzers
