# tpm/: the TPM 2.0 keystore backend (tpm2-tss ESYS).
noinst_LTLIBRARIES += tpm/libmsttpm.la
tpm_libmsttpm_la_SOURCES = tpm/backend_tpm.c
tpm_libmsttpm_la_CFLAGS = $(AM_CFLAGS) $(TSS2_CFLAGS)
tpm_libmsttpm_la_LIBADD = $(TSS2_LIBS)
