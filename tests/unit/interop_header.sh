#!/bin/sh
# tests/unit/interop_header.sh: the committed tests/vectors/interop_vectors.h
# is what gen_interop.py makes from interop_vectors.json (not stale, not
# edited by hand).  Skipped (77) without python3.
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
python3 "$top_srcdir/tests/vectors/gen_interop.py" --output "$tmp" || exit 1
if ! cmp -s "$tmp" "$top_srcdir/tests/vectors/interop_vectors.h"; then
	echo "tests/vectors/interop_vectors.h is stale: run python3 tests/vectors/gen_interop.py"
	diff -u "$top_srcdir/tests/vectors/interop_vectors.h" "$tmp" | head -20
	exit 1
fi
echo "interop_vectors.h matches interop_vectors.json"
