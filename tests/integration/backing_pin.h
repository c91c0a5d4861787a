/* tests/integration/backing_pin.h - the user PIN of a backing SoftHSM2 token.
 *
 * The pkcs11 backend logs in to its backing token with a random secret R
 * kept under our user PIN (token/backend_pkcs11_pin.c).  Tests that read
 * or forge objects in the backing token directly log in with this. */
#ifndef MST_TEST_BACKING_PIN_H
#define MST_TEST_BACKING_PIN_H

#include <stddef.h>

/* hex(R) of backing token `store` in PKCS#11 module `module` (NULL:
 * $SOFTHSM2_MODULE) for our user PIN `pin`, or pin itself on a token
 * without R.  0 on success, else -1 (with a message on stderr). */
int backing_user_pin(const char *module, const char *store, const char *pin, char *out,
		     size_t out_len);

#endif
