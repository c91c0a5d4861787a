# token/kmsxml.mk: 3GPP TS 33.180 KMS XML reader and writer (libxml2), part
# of the token core so that the PKCS#11 module can import key sets.
token_libmstcore_la_SOURCES += \
	token/kmsxml.c token/kmsxml.h \
	token/kmsxml_doc.h \
	token/kmsxml_load.c \
	token/kmsxml_nav.c \
	token/kmsxml_redact.c \
	token/kmsxml_value.c \
	token/kmsxml_write.c
# the KMS interface's XML Signature / Encryption, shared with mstoken-kms serve
token_libmstcore_la_SOURCES += token/kmsxml_sec.c token/kmsxml_sec.h \
	token/kmsxml_resp.c token/kmsxml_resp.h
