# token/keystore.mk: configuration (mstoken.conf), the keystore interface and
# its PKCS#11-HSM backend (records sealed inside SoftHSM2 or another HSM).
noinst_LTLIBRARIES += token/libmststore.la
token_libmststore_la_SOURCES = \
	token/config.c token/config.h \
	token/keystore.c token/keystore.h \
	token/backend_pkcs11.c token/backend_pkcs11_int.h \
	token/backend_pkcs11_module.c token/backend_pkcs11_util.c \
	token/backend_pkcs11_state.c token/backend_pkcs11_seal.c \
	token/backend_pkcs11_records.c token/backend_pkcs11_endorse.c \
	token/backend_pkcs11_pin.c
token_libmststore_la_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR=\"$(sysconfdir)\"
token_libmststore_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
token_libmststore_la_LIBADD = token/libmstcore.la tpm/libmsttpm.la $(CRYPTO_LIBS) -ldl -lpthread

dist_man_MANS += doc/mstoken.conf.5
EXTRA_DIST += doc/keystore.md
