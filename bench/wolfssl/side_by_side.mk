# bench/wolfssl/side_by_side.mk: mstoken's core next to wolfSSL's ECCSI and
# SAKKE in one process (README "Performance", "Side by side with wolfSSL").
# Built only when configured --with-wolfssl=PREFIX; `make side-by-side`
# runs it; its cross-checks of both libraries on the RFC keys then run in
# make check too.
EXTRA_DIST += bench/wolfssl/side_by_side.c bench/wolfssl/side_by_side_check.sh
.PHONY: side-by-side
if WOLFSSL_SIDE_BY_SIDE
noinst_PROGRAMS += bench/wolfssl/side_by_side
bench_wolfssl_side_by_side_SOURCES = bench/wolfssl/side_by_side.c
bench_wolfssl_side_by_side_CFLAGS = $(AM_CFLAGS) $(WOLFSSL_CFLAGS)
bench_wolfssl_side_by_side_LDADD = token/libmstcore.la $(CRYPTO_LIBS) $(WOLFSSL_LIBS)
TESTS += bench/wolfssl/side_by_side_check.sh

side-by-side: bench/wolfssl/side_by_side$(EXEEXT)
	./bench/wolfssl/side_by_side$(EXEEXT)
else
side-by-side:
	@echo "side-by-side: configure --with-wolfssl=PREFIX first (README \"Performance\")" >&2; exit 1
endif
