/* token/keystore.c - the backend that a slot configuration names. */
#include "token/keystore.h"

#include <stddef.h>

const keystore_backend *keystore_backend_for(const mst_slot_config *cfg)
{
	if (cfg == NULL)
		return NULL;
	switch (cfg->backend) {
	case MST_BACKEND_PKCS11:
		return &keystore_backend_pkcs11;
	case MST_BACKEND_TPM:
		return &keystore_backend_tpm;
	}
	return NULL;
}

const char *keystore_last_error(const keystore_backend *b, void *be)
{
	const char *msg;

	if (b == NULL || b->last_error == NULL)
		return "";
	msg = b->last_error(be);
	return msg != NULL ? msg : "";
}
