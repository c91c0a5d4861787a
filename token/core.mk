# token/ crypto core: libmstcore (no PKCS#11 types).  The other token/*.mk
# fragments add their sources to it.
noinst_LTLIBRARIES += token/libmstcore.la
token_libmstcore_la_SOURCES = \
	token/status.c token/status.h \
	token/secmem.c token/secmem.h \
	token/hex.c token/hex.h
token_libmstcore_la_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS)
token_libmstcore_la_LIBADD = util/libmstutil.la $(CRYPTO_LIBS) $(XML_LIBS)
# The token/ API headers (implemented by the other token/*.mk parts).
noinst_HEADERS += token/eccsi.h token/sakke.h token/mikey_prf.h token/identity.h \
	token/kmsxml.h token/keystore.h token/config.h
