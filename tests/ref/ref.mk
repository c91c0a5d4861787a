# tests/ref/ref.mk: the independent pure-Python reference (msref) and its self-tests
# msref.py is also a tool other parts' shell tests call (keyset-check,
# imessage-accept, ...), so it is shipped as a check script.
TESTS += tests/ref/test_msref.sh
dist_check_SCRIPTS += tests/ref/test_msref.sh tests/ref/msref.py
EXTRA_DIST += tests/ref/test_msref.py
