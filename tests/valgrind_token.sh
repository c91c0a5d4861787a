#!/bin/sh
# tests/valgrind_token.sh - the token test programs under valgrind memcheck
# (issue 11, run by .ci/hardening valgrind on a build without sanitizers):
# every memory error fails, and so does a definite leak.  Prints
#   valgrind memcheck: N programs, E errors
# Run from a build folder with top_srcdir and top_builddir set.
set -u
b=${top_builddir:-.}
s=${top_srcdir:-.}
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
--show-leak-kinds=definite --child-silent-after-fork=yes --num-callers=30 \
--suppressions=$s/tests/valgrind.supp"
MSTOKEN_INTEROP_DIR=$s/tests/vectors
export top_srcdir=$s top_builddir=$b MSTOKEN_INTEROP_DIR
n=0 bad=0
run() { # name, command...: under memcheck, its exit status in valgrind-NAME.rc
	name=$1; shift
	$VG "$@" >"$b/valgrind-$name.log" 2>&1
	echo $? >"$b/valgrind-$name.rc"
}
tally() { # name...: one line each, counted in n and bad
	for name; do
		rc=$(cat "$b/valgrind-$name.rc" 2>/dev/null || echo "none")
		case $rc in
		0) n=$((n + 1)); echo "valgrind ok: $name" ;;
		77) echo "valgrind skip: $name" ;;
		*) n=$((n + 1)); bad=$((bad + 1))
		   echo "valgrind FAIL: $name (exit $rc)"; tail -n 60 "$b/valgrind-$name.log" ;;
		esac
	done
}
# (test_sakke is left out for time, 75 s under memcheck: sakke_ct.sh runs
# SAKKE under memcheck in every make check, and ASan covers the rest;
# test_kmsxml_wipe replaces free() with a scan of the whole freed block for
# secrets, which reads its never-written bytes by design)
# Two lanes, so that both cores work (the PBKDF2 of every PIN makes the
# keystore and token programs take minutes each under memcheck): the two
# keystore programs in one, everything else in the other.
built() { # program names: those of them built in tests/unit
	for t; do [ -x "$b/tests/unit/$t" ] && echo "$t"; done
}
rm -f "$b"/valgrind-*.rc
lane=$(built test_keystore_pkcs11 test_keystore_process)
rest=$(built test_core test_eccsi test_eccsi_faults test_mikey_prf \
	 test_identity test_kmsxml test_kmsxml_refuse test_config \
	 test_atomicfile test_dpck)
for t in $lane; do run "$t" "$b/tests/unit/$t"; done &
lane_pid=$!
for t in $rest; do run "$t" "$b/tests/unit/$t"; done
ran="$(echo $lane $rest)"
# the module through PKCS#11 on a private SoftHSM2 (tests/integration/token.sh, direct load)
. "$s/tests/integration/token-env.sh"
if token_setup >/dev/null; then
	# 8 threads x 2 signatures instead of x 1000: the same paths, in minutes
	MSTOKEN_MODULE=$MODULE MSTOKEN_STRESS_SIGS=2 run test_token "$b/tests/integration/test_token"
	ran="$ran test_token"
	(token_teardown) >/dev/null  # it ends with exit: keep it in a subshell
fi
wait "$lane_pid"
tally $ran
echo "valgrind memcheck: $n programs, $bad errors"
[ $bad -eq 0 ]
