/* mikeysakke/status.h - result codes of libmikeysakke.
 *
 * The client never links the token core, so it has its own codes.  Each
 * refusal of a received I_MESSAGE maps to one code, and the CLI prints the
 * matching reason (bad signature, unknown signer, ...).
 */
#ifndef MIKEYSAKKE_STATUS_H
#define MIKEYSAKKE_STATUS_H

/* Symbols of the public API (the library is built with hidden visibility). */
#if defined(__GNUC__)
#define MS_API __attribute__((visibility("default")))
#else
#define MS_API
#endif

typedef enum {
	MS_OK = 0,
	MS_ERR_ARGS,          /* bad argument from the caller */
	MS_ERR_NOMEM,         /* allocation failed */
	MS_ERR_MALFORMED,     /* input does not follow the format (offset named) */
	MS_ERR_BUFFER,        /* output buffer too small */
	MS_ERR_UNSUPPORTED,   /* valid, but not supported here */
	MS_ERR_BAD_SIGNATURE, /* ECCSI signature does not verify */
	MS_ERR_UNKNOWN_SIGNER,/* no community / key for the signer */
	MS_ERR_WINDOW,        /* timestamp outside the accepted window */
	MS_ERR_REPLAY,        /* (CSB ID, RAND, signer) seen before */
	MS_ERR_DECAPSULATE,   /* SAKKE decapsulation refused */
	MS_ERR_PKCS11,        /* the PKCS#11 module answered an error */
	MS_ERR_IO,            /* file or socket I/O */
	MS_ERR_CRYPTO,        /* libcrypto failed */
	MS_ERR_SRTP,          /* libsrtp refused (auth failure, replay, ...) */
	MS_ERR_NOT_FOUND,     /* no such object / entry */
	MS_ERR_CONFIG,        /* configuration or usage problem */
	MS_ERR_MAX
} ms_rc;

/* Short English reason, e.g. "bad signature". Never NULL. */
MS_API const char *ms_strerror(ms_rc rc);

#endif
