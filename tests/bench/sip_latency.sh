#!/bin/sh
# tests/bench/sip_latency.sh - call set-up latency over SIP on loopback
# through both kamailio servers (issue 8 item 6; a benchmark, not a test):
# alice places N calls to bob (mikey-sakke ue --calls N, no media), once
# with every I_MESSAGE pre-generated (--pool N) and once made at INVITE
# time (--pool 0); prints the median, min and max of INVITE -> 183 and
# INVITE -> 200 from alice's step lines (the "ms=" of 183-received and
# 200-received, counted from the start of the call, before the I_MESSAGE
# is taken from the pool or made, so that the pool's gain shows), and the
# time to the INVITE (invite-sent ms=).  `make bench-sip`.
set -u
N=${SIP_BENCH_CALLS:-20}
. "$top_srcdir/tests/integration/sip_env.sh"
sip_env_setup mst-sipbench || exit $?
trap sip_env_teardown EXIT

# median min max of the numbers on stdin
stats() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'
}

ue_bg bob bob --auto-answer --calls $((2 * N)) --duration 0
wait_line "$T/bob.out" "^registered " || { echo "bob did not register"; exit 1; }
printf '%-34s %8s %14s %8s %14s %8s %14s\n' "$N calls, alice -> A -> B -> bob" "INV med" \
	"(min-max) ms" "183 med" "(min-max) ms" "200 med" "(min-max) ms"
for pool in $N 0; do
	ue alice --call sip:bob@b.example --calls $N --pool $pool --duration 0 --timeout 20 \
		> "$T/alice-$pool.out" 2>&1 || { cat "$T/alice-$pool.out"; exit 1; }
	[ "$(grep -c '^bye-answered status=200' "$T/alice-$pool.out")" = "$N" ] ||
		{ cat "$T/alice-$pool.out"; echo "not every call went through"; exit 1; }
	set -- $(sed -n 's/^invite-sent .* ms=\([0-9]*\)$/\1/p' "$T/alice-$pool.out" | stats) \
		$(sed -n 's/^183-received .* ms=\([0-9]*\)$/\1/p' "$T/alice-$pool.out" | stats) \
		$(sed -n 's/^200-received ms=\([0-9]*\)$/\1/p' "$T/alice-$pool.out" | stats)
	label=$([ $pool = 0 ] && echo "I_MESSAGE made at INVITE time" || echo "pre-generated I_MESSAGE (pool)")
	printf '%-34s %8s %14s %8s %14s %8s %14s\n' "$label" "$1" "($2-$3)" "$4" "($5-$6)" "$7" "($8-$9)"
done
