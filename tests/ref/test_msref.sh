#!/bin/sh
# Runs the msref self-tests (tests/ref/test_msref_*.py); skipped (77) when
# python3 is missing, so the C build does not depend on Python.
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipping msref"; exit 77; }
here=${top_srcdir:-$(dirname "$0")/../..}
# No __pycache__ in the source tree (read-only under distcheck anyway).
PYTHONDONTWRITEBYTECODE=1 exec python3 -m unittest discover -v \
	-s "$here/tests/ref" -t "$here/tests/ref" -p 'test_msref_*.py'
