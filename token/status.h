/* token/status.h - result codes of the token core.
 *
 * token/ knows nothing of PKCS#11: every core function returns an mst_rc,
 * and pkcs11/ maps it to a CKR_* value in one table.  The messages name the
 * problem, never a secret value.
 */
#ifndef MST_STATUS_H
#define MST_STATUS_H

typedef enum {
	MST_OK = 0,
	MST_ERR_ARGS,          /* a caller passed a bad argument (NULL, size) */
	MST_ERR_NOMEM,         /* allocation or locked memory failed */
	MST_ERR_CRYPTO,        /* libcrypto or the random generator failed */
	MST_ERR_BAD_POINT,     /* encoding wrong, not on the curve, or infinity */
	MST_ERR_BAD_SCALAR,    /* scalar zero or not below the group order */
	MST_ERR_BAD_KEY,       /* key validation failed (RFC 6507 5.1.2, RFC 6508 6.1.2) */
	MST_ERR_BAD_SIGNATURE, /* ECCSI verification failed */
	MST_ERR_DECAPSULATE,   /* SAKKE validity test (RFC 6508 6.2.2 step 5) failed */
	MST_ERR_PARSE,         /* malformed input (XML, record, message) */
	MST_ERR_RANGE,         /* value outside what the format allows */
	MST_ERR_NOT_FOUND,     /* no such record / object / slot */
	MST_ERR_EXISTS,        /* record already present */
	MST_ERR_TAMPERED,      /* a sealed record failed authentication */
	MST_ERR_IO,            /* file system or backend I/O */
	MST_ERR_CONFIG,        /* configuration file problem */
	MST_ERR_BACKEND,       /* the HSM / TPM answered an unexpected error */
	MST_ERR_PIN_INCORRECT, /* the PIN was wrong */
	MST_ERR_PIN_LOCKED,    /* too many wrong PINs */
	MST_ERR_PIN_INVALID,   /* PIN of a length or form not accepted */
	MST_ERR_NOT_LOGGED_IN, /* secret records need a login first */
	MST_ERR_NOT_INITIALIZED, /* the token has not been initialised */
	MST_ERR_UNSUPPORTED,   /* valid request, not supported */
	MST_ERR_UNKNOWN_KEY,   /* a KMS message names a TrK / InK the token lacks */
	MST_ERR_REPLAY,        /* a KMS response not newer than the last accepted */
	MST_ERR_WRONG_USER,    /* a KMS response addressed to another user */
	MST_ERR_PLAIN_REFUSED, /* unencrypted key set while require_encrypted_keys */
	MST_ERR_MAX
} mst_rc;

/* A short English description, e.g. "point not on the curve". Never NULL. */
const char *mst_strerror(mst_rc rc);

#endif
