# tpm/: the TPM 2.0 keystore backend (tpm2-tss ESYS).  doc/tpm.md describes it.
noinst_LTLIBRARIES += tpm/libmsttpm.la
tpm_libmsttpm_la_SOURCES = \
	tpm/backend_tpm.c tpm/keystore_tpm.h \
	tpm/tpm_backend.h tpm/tpm_backend_util.c tpm/tpm_backend_records.c \
	tpm/tpm_backend_so.c \
	tpm/tpm_conn.c tpm/tpm_conn.h tpm/tpm_da.c \
	tpm/tpm_seal.c tpm/tpm_seal.h \
	tpm/tpm_crypto.c tpm/tpm_crypto.h \
	tpm/tpm_files.c tpm/tpm_files.h \
	tpm/tpm_codec.c tpm/tpm_codec.h \
	tpm/tpm_store.c tpm/tpm_store.h
tpm_libmsttpm_la_CFLAGS = $(AM_CFLAGS) $(TSS2_CFLAGS)
tpm_libmsttpm_la_LIBADD = $(TSS2_LIBS) $(CRYPTO_LIBS)
EXTRA_DIST += doc/tpm.md
