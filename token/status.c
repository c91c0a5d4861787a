/* token/status.c - descriptions of the core's result codes. */
#include "token/status.h"

static const char *const messages[MST_ERR_MAX] = {
	[MST_OK] = "success",
	[MST_ERR_ARGS] = "invalid argument",
	[MST_ERR_NOMEM] = "out of memory or locked memory",
	[MST_ERR_CRYPTO] = "cryptographic library failure",
	[MST_ERR_BAD_POINT] = "invalid point (bad encoding, not on the curve, or at infinity)",
	[MST_ERR_BAD_SCALAR] = "invalid scalar (zero or not below the group order)",
	[MST_ERR_BAD_KEY] = "key validation failed",
	[MST_ERR_BAD_SIGNATURE] = "signature verification failed",
	[MST_ERR_DECAPSULATE] = "SAKKE decapsulation failed its validity test",
	[MST_ERR_PARSE] = "malformed input",
	[MST_ERR_RANGE] = "value out of range",
	[MST_ERR_NOT_FOUND] = "not found",
	[MST_ERR_EXISTS] = "already exists",
	[MST_ERR_TAMPERED] = "sealed record failed authentication (edited, swapped or truncated)",
	[MST_ERR_IO] = "input/output error",
	[MST_ERR_CONFIG] = "configuration error",
	[MST_ERR_BACKEND] = "key store backend error",
	[MST_ERR_PIN_INCORRECT] = "incorrect PIN",
	[MST_ERR_PIN_LOCKED] = "PIN locked",
	[MST_ERR_PIN_INVALID] = "PIN not acceptable",
	[MST_ERR_NOT_LOGGED_IN] = "login required",
	[MST_ERR_NOT_INITIALIZED] = "token not initialised",
	[MST_ERR_UNSUPPORTED] = "not supported",
	[MST_ERR_UNKNOWN_KEY] = "unknown transport key",
	[MST_ERR_REPLAY] = "replayed response",
	[MST_ERR_WRONG_USER] = "wrong user",
	[MST_ERR_PLAIN_REFUSED] = "unencrypted key set refused",
};

const char *mst_strerror(mst_rc rc)
{
	if ((unsigned)rc >= MST_ERR_MAX || messages[rc] == 0)
		return "unknown error";
	return messages[rc];
}
