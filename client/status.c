/* client/status.c - reasons for ms_rc codes (the CLI prints these). */
#include "mikeysakke/status.h"

static const char *const reasons[MS_ERR_MAX] = {
	[MS_OK] = "ok",
	[MS_ERR_ARGS] = "bad argument",
	[MS_ERR_NOMEM] = "out of memory",
	[MS_ERR_MALFORMED] = "malformed",
	[MS_ERR_BUFFER] = "buffer too small",
	[MS_ERR_UNSUPPORTED] = "not supported",
	[MS_ERR_BAD_SIGNATURE] = "bad signature",
	[MS_ERR_UNKNOWN_SIGNER] = "unknown signer",
	[MS_ERR_WINDOW] = "outside the window",
	[MS_ERR_REPLAY] = "replayed",
	[MS_ERR_DECAPSULATE] = "cannot decapsulate",
	[MS_ERR_PKCS11] = "PKCS#11 error",
	[MS_ERR_IO] = "I/O error",
	[MS_ERR_CRYPTO] = "crypto library error",
	[MS_ERR_SRTP] = "SRTP refused the packet",
	[MS_ERR_NOT_FOUND] = "not found",
	[MS_ERR_CONFIG] = "configuration error",
};

const char *ms_strerror(ms_rc rc)
{
	if ((unsigned)rc >= MS_ERR_MAX || !reasons[rc])
		return "unknown error";
	return reasons[rc];
}
