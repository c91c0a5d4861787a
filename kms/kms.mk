# kms/kms.mk: mstoken-kms, the development KMS (community + user key issuance).
bin_PROGRAMS += kms/mstoken-kms
kms_mstoken_kms_SOURCES = \
	kms/main.c kms/kms.h \
	kms/cli.c \
	kms/community.c \
	kms/issue.c \
	kms/period.c kms/period.h \
	kms/secrets.c kms/secrets.h \
	kms/fileio.c kms/fileio.h \
	kms/xmlwipe.c kms/xmlwipe.h \
	kms/users.c kms/users.h \
	kms/enrol.c \
	kms/serve.c kms/serve.h \
	kms/serve_handle.c \
	kms/serve_xml.c
kms_mstoken_kms_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) $(MHD_CFLAGS)
kms_mstoken_kms_LDADD = token/libmstcore.la $(CRYPTO_LIBS) $(XML_LIBS) $(MHD_LIBS) -lpthread
dist_man_MANS += kms/mstoken-kms.1
