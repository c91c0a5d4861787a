# tests/bench/bench.mk: benchmarks that are not timed tests.  The crypto
# benchmark is mstoken-bench (bench/bench.mk, `make bench`); this one
# measures SIP call set-up latency through both kamailio servers
# (doc/sip.md, README Performance).
dist_noinst_SCRIPTS += tests/bench/sip_latency.sh
.PHONY: bench-sip
bench-sip: all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
		$(SHELL) '$(abs_top_srcdir)/tests/bench/sip_latency.sh'
