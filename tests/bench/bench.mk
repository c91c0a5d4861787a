# tests/bench/bench.mk: benchmarks (not timed tests).  `make bench` builds
# and runs them; the figures go to doc/sakke.md.
noinst_PROGRAMS += tests/bench/bench_sakke
tests_bench_bench_sakke_SOURCES = tests/bench/bench_sakke.c
tests_bench_bench_sakke_LDADD = token/libmstcore.la $(CRYPTO_LIBS)

.PHONY: bench
bench: tests/bench/bench_sakke$(EXEEXT)
	./tests/bench/bench_sakke$(EXEEXT)

# SIP call set-up latency through both kamailio servers (doc/sip.md)
dist_noinst_SCRIPTS += tests/bench/sip_latency.sh
.PHONY: bench-sip
bench-sip: all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
		$(SHELL) '$(abs_top_srcdir)/tests/bench/sip_latency.sh'
