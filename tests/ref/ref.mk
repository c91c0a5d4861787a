# tests/ref/ref.mk: the independent pure-Python reference (msref) and its self-tests
# msref.py is also a tool other parts' shell tests call (keyset-check,
# imessage-accept, ...), so it is shipped as a check script; the msref_*.py
# modules it imports and the unittest files travel with it.
TESTS += tests/ref/test_msref.sh
dist_check_SCRIPTS += tests/ref/test_msref.sh tests/ref/msref.py
EXTRA_DIST += \
	tests/ref/msref_common.py tests/ref/msref_eccsi.py tests/ref/msref_sakke.py \
	tests/ref/msref_ident.py tests/ref/msref_prf.py tests/ref/msref_mikey.py \
	tests/ref/msref_kms.py tests/ref/msref_session.py tests/ref/msref_interop.py \
	tests/ref/msref_testdata.py tests/ref/test_msref_rfc.py tests/ref/test_msref_interop.py \
	tests/ref/test_msref_kms.py tests/ref/test_msref_session.py
