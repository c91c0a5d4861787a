#!/bin/sh
# tests/unit/sakke_ct.sh - runs the constant-time checks under Valgrind
# memcheck: any branch or memory index that depends on a secret is an
# error.  sakke_ct_check: the SAKKE field, curve and pairing code;
# ct_check: the whole of decapsulation, HashToIntegerRange, ECCSI signing,
# the TPM store's GCM open and hex decoding of key text, with the accepted
# findings of tests/unit/ct.supp.  Skips (77) without valgrind.
set -u
bin="${top_builddir:-.}/tests/unit"
supp="${top_srcdir:-.}/tests/unit/ct.supp"
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
# a sanitizer build (MST_SANITIZERS, tests/tests.mk) cannot run under valgrind
[ -z "${MST_SANITIZERS:-}" ] || { echo "SKIP: $MST_SANITIZERS build, valgrind runs on the plain one"; exit 77; }
vg="valgrind --quiet --error-exitcode=3 --track-origins=no"
# the harness must catch a deliberate secret-dependent branch
if $vg "$bin/sakke_ct_check" --control >/dev/null 2>&1; then
	echo "FAIL: valgrind did not report the control branch"; exit 1
fi
# and must find none in the field, curve and pairing code
if ! $vg "$bin/sakke_ct_check"; then
	echo "FAIL: secret-dependent branch or index (see above)"; exit 1
fi
echo "sakke_ct_check: no secret-dependent branch or memory index found"
# the whole secret paths, accepted findings named in ct.supp
if ! $vg --suppressions="$supp" "$bin/ct_check"; then
	echo "FAIL: secret-dependent branch or index not in ct.supp (see above)"; exit 1
fi
echo "ct_check: no secret-dependent branch or memory index beyond tests/unit/ct.supp"
