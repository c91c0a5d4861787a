# token/dpck.mk: the DPCK of TS 33.180 key parameters (General Extension
# type 7), derived inside the token from the SSV.
token_libmstcore_la_SOURCES += token/dpck.c token/dpck.h
