# bench/bench.mk: mstoken-bench, installed (not run by make check):
# the token's operations timed next to OpenSSL ECDSA P-256 in one process.
# `make bench` builds and runs it.
bin_PROGRAMS += bench/mstoken-bench
bench_mstoken_bench_SOURCES = bench/mstoken-bench.c
bench_mstoken_bench_LDADD = token/libmstcore.la $(CRYPTO_LIBS)

.PHONY: bench
bench: bench/mstoken-bench$(EXEEXT)
	./bench/mstoken-bench$(EXEEXT)
