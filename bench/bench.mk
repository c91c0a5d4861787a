# bench/bench.mk: mstoken-bench, installed (not run by make check): the
# token's operations timed next to OpenSSL ECDSA P-256 in one process, in
# the core, through the PKCS#11 module and through libmikeysakke (on a
# private SoftHSM2 it sets up itself).  `make bench` builds and runs it.
bin_PROGRAMS += bench/mstoken-bench
bench_mstoken_bench_SOURCES = bench/mstoken-bench.c bench/bench_p11.c bench/bench.h
bench_mstoken_bench_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMST_BENCH_MODULE='"$(p11moduledir)/mstoken-pkcs11.so"'
bench_mstoken_bench_CFLAGS = $(AM_CFLAGS) $(SRTP_CFLAGS) $(P11KIT_CFLAGS)
bench_mstoken_bench_LDADD = client/libmsclient.la token/libmstcore.la $(CRYPTO_LIBS) $(SRTP_LIBS) -ldl -lpthread
EXTRA_DIST += tests/vectors/interop_vectors.h

.PHONY: bench
bench: bench/mstoken-bench$(EXEEXT) pkcs11/mstoken-pkcs11.la
	MSTOKEN_MODULE='$(abs_top_builddir)/pkcs11/.libs/mstoken-pkcs11.so' ./bench/mstoken-bench$(EXEEXT)
