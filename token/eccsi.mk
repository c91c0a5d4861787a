# token/eccsi.mk: ECCSI (RFC 6507), the MIKEY PRF (RFC 3830 / RFC 6043) and
# MIKEY-SAKKE identifiers (RFC 6509, TS 33.180), part of libmstcore.
token_libmstcore_la_SOURCES += \
	token/eccsi.c token/eccsi.h \
	token/eccsi_ec.c token/eccsi_ec.h token/eccsi_modq.c \
	token/eccsi_sign.c \
	token/mikey_prf.c token/mikey_prf.h \
	token/identity.c token/identity.h
