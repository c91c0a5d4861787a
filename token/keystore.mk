# token/keystore.mk: configuration (mstoken.conf), the keystore interface and
# its PKCS#11-HSM backend (records sealed inside SoftHSM2 or another HSM).
noinst_LTLIBRARIES += token/libmststore.la
token_libmststore_la_SOURCES = \
	token/config.c token/config.h \
	token/keystore.h
token_libmststore_la_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR=\"$(sysconfdir)\"
token_libmststore_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
token_libmststore_la_LIBADD = token/libmstcore.la tpm/libmsttpm.la $(CRYPTO_LIBS) -ldl

dist_man_MANS += doc/mstoken.conf.5
