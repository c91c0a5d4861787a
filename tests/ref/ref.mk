# tests/ref/ref.mk: the independent pure-Python reference (msref) and its self-tests
