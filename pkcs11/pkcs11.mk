# pkcs11/pkcs11.mk: the PKCS#11 module mstoken-pkcs11.so (issue 3).
# Installed into p11-kit's module directory, with mstoken.module in p11-kit's
# module configuration directory (below --prefix unless it is p11-kit's own,
# see configure.ac).  Only C_* symbols are exported.
p11module_LTLIBRARIES = pkcs11/mstoken-pkcs11.la
pkcs11_mstoken_pkcs11_la_SOURCES = \
	pkcs11/p11.h \
	pkcs11/module.c \
	pkcs11/state.c pkcs11/state.h \
	pkcs11/slot.c pkcs11/slot.h \
	pkcs11/session.c pkcs11/session.h \
	pkcs11/login.c pkcs11/login.h \
	pkcs11/token_admin.c pkcs11/token_admin.h \
	pkcs11/object.c pkcs11/object.h \
	pkcs11/objstore.c \
	pkcs11/objcodec.c pkcs11/objcodec.h \
	pkcs11/objops.c pkcs11/objops.h \
	pkcs11/attrs.c pkcs11/attrs.h \
	pkcs11/find.c pkcs11/find.h \
	pkcs11/mech.c pkcs11/mech.h \
	pkcs11/sign.c pkcs11/sign.h \
	pkcs11/msgbuf.c pkcs11/msgbuf.h \
	pkcs11/wrap.c pkcs11/wrap.h \
	pkcs11/derive.c pkcs11/derive.h \
	pkcs11/dpck.c pkcs11/dpck.h \
	pkcs11/decrypt.c pkcs11/decrypt.h \
	pkcs11/keygen.c pkcs11/keygen.h \
	pkcs11/secretkey.c pkcs11/secretkey.h \
	pkcs11/import.c pkcs11/import.h \
	pkcs11/importobj.c pkcs11/importobj.h \
	pkcs11/import_kms.c pkcs11/import_int.h \
	pkcs11/kmskey.c pkcs11/kmskey.h \
	pkcs11/random.c pkcs11/random.h \
	pkcs11/rv.c pkcs11/rv.h \
	pkcs11/debug.c pkcs11/debug.h
pkcs11_mstoken_pkcs11_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
pkcs11_mstoken_pkcs11_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -Wl,--no-undefined \
	-Wl,--version-script=$(top_srcdir)/pkcs11/mstoken-pkcs11.map
# libmststore already carries libmstcore (and the tpm backend)
pkcs11_mstoken_pkcs11_la_LIBADD = token/libmststore.la \
	$(CRYPTO_LIBS) -lpthread
EXTRA_pkcs11_mstoken_pkcs11_la_DEPENDENCIES = pkcs11/mstoken-pkcs11.map

# mstoken.module names the module by file name when it is installed in
# p11-kit's own module directory (p11-kit resolves it there) and by its full
# path anywhere else.
p11config_DATA = pkcs11/mstoken.module
pkcs11/mstoken.module: $(srcdir)/pkcs11/mstoken.module.in Makefile
	$(AM_V_GEN)$(MKDIR_P) pkcs11 && \
	if test "$(p11moduledir)" = "$(P11KIT_MODULE_PATH)"; then m=mstoken-pkcs11.so; \
	else m='$(p11moduledir)/mstoken-pkcs11.so'; fi && \
	sed "s|@MODULE@|$$m|" $(srcdir)/pkcs11/mstoken.module.in >$@.tmp && mv $@.tmp $@
CLEANFILES += pkcs11/mstoken.module
EXTRA_DIST += pkcs11/mstoken-pkcs11.map pkcs11/mstoken.module.in
