/* tests/integration/backing_pin.c - the user PIN of a backing SoftHSM2 token
 * (see backing_pin.h), through the pkcs11 keystore backend itself. */
#include <config.h>
#include "backing_pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "token/backend_pkcs11_int.h"
#include "token/config.h"

int backing_user_pin(const char *module, const char *store, const char *pin, char *out,
		     size_t out_len)
{
	mst_slot_config cfg;
	void *be = NULL;
	mst_rc rc;

	memset(&cfg, 0, sizeof cfg);
	cfg.backend = MST_BACKEND_PKCS11;
	if (module == NULL)
		module = getenv("SOFTHSM2_MODULE");
	if (module == NULL || strlen(module) >= sizeof cfg.pkcs11_module ||
	    strlen(store) >= sizeof cfg.pkcs11_token) {
		fprintf(stderr, "backing_user_pin: no module or a name too long\n");
		return -1;
	}
	strcpy(cfg.pkcs11_module, module);
	strcpy(cfg.pkcs11_token, store);
	rc = keystore_backend_pkcs11.open(&cfg, &be);
	if (rc == MST_OK)
		rc = keystore_pkcs11_backing_user_pin(be, pin, strlen(pin), out, out_len);
	if (rc != MST_OK)
		fprintf(stderr, "backing_user_pin(%s): %s (%s)\n", store, mst_strerror(rc),
			keystore_backend_pkcs11.last_error(be));
	keystore_backend_pkcs11.close(be);
	return rc == MST_OK ? 0 : -1;
}
