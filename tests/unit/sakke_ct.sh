#!/bin/sh
# tests/unit/sakke_ct.sh - runs sakke_ct_check under Valgrind memcheck: any
# branch or memory index that depends on a secret is an error.  Skips (77)
# when valgrind is not installed.
set -u
prog="${top_builddir:-.}/tests/unit/sakke_ct_check"
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
# a sanitizer build (MST_SANITIZERS, tests/tests.mk) cannot run under valgrind
[ -z "${MST_SANITIZERS:-}" ] || { echo "SKIP: $MST_SANITIZERS build, valgrind runs on the plain one"; exit 77; }
vg="valgrind --quiet --error-exitcode=3 --track-origins=no"
# the harness must catch a deliberate secret-dependent branch
if $vg "$prog" --control >/dev/null 2>&1; then
	echo "FAIL: valgrind did not report the control branch"; exit 1
fi
# and must find none in the field, curve and pairing code
if ! $vg "$prog"; then
	echo "FAIL: secret-dependent branch or index (see above)"; exit 1
fi
echo "no secret-dependent branch or memory index found"
