# util/util.mk: small helpers below every layer (no status type, no OpenSSL),
# linked by token/, tpm/, kms/ and client/ alike: the atomic-file writer.
noinst_LTLIBRARIES += util/libmstutil.la
util_libmstutil_la_SOURCES = util/atomicfile.c util/atomicfile.h
