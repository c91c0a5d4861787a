/* token/config.h - mstoken.conf: one [slot] section per slot, in order.
 *
 *   [slot]
 *   label = alice
 *   backend = pkcs11            ; or tpm
 *   pkcs11.module = /usr/lib/softhsm/libsofthsm2.so
 *   pkcs11.token = alice-store
 *
 *   [slot]
 *   label = bob
 *   backend = tpm
 *   tpm.tcti = swtpm:host=127.0.0.1,port=2321
 *   tpm.store = /var/lib/mstoken/bob
 *   tpm.primary = 0x81000001    ; optional persistent SRK handle
 *   require_encrypted_keys = yes ; any slot: no plain KmsKeySet (default no)
 *
 * pkcs11.* keys belong only in pkcs11 slots and tpm.* keys only in tpm
 * slots.  Defaults: pkcs11.module = the SoftHSM2 module found at configure
 * time, pkcs11.token = the slot label, tpm.tcti = "device:/dev/tpmrm0",
 * tpm.primary = 0.  '#' or ';' at the start of a line or after a blank
 * starts a comment.  See mstoken.conf(5).
 *
 * Found at $MSTOKEN_CONF, then $XDG_CONFIG_HOME/mstoken/mstoken.conf (or
 * ~/.config/...), then SYSCONFDIR/mstoken/mstoken.conf; with none, the
 * built-in default: one slot "mstoken", backend pkcs11, the SoftHSM2 module
 * found at configure time, backing token "mstoken".
 */
#ifndef MST_CONFIG_H
#define MST_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

#define MST_CONFIG_MAX_SLOTS 16
#define MST_LABEL_MAX 32   /* PKCS#11 token labels are 32 octets */
#define MST_PATH_MAX 1024
#define MST_CONFIG_LINE_MAX 2048  /* longer lines are refused */
#define MST_DEFAULT_TPM_TCTI "device:/dev/tpmrm0"

typedef enum { MST_BACKEND_PKCS11 = 1, MST_BACKEND_TPM = 2 } mst_backend_kind;

typedef struct {
	char label[MST_LABEL_MAX + 1];
	mst_backend_kind backend;
	char pkcs11_module[MST_PATH_MAX];
	char pkcs11_token[MST_LABEL_MAX + 1];
	char tpm_tcti[MST_PATH_MAX];
	char tpm_store[MST_PATH_MAX];
	uint32_t tpm_primary;      /* 0 = create the SRK from the template */
	int require_encrypted_keys; /* refuse key sets that did not come as
				       EncryptedKey in a signed KmsResponse */
	unsigned line;             /* line of the [slot] header, for messages */
} mst_slot_config;

typedef struct {
	char path[MST_PATH_MAX];   /* file read, "" for the built-in default */
	size_t n_slots;
	mst_slot_config slots[MST_CONFIG_MAX_SLOTS];
} mst_config;

/* Find and parse the configuration.  On failure err holds
 * "FILE:LINE: problem" and MST_ERR_CONFIG is returned. */
mst_rc mst_config_load(mst_config *cfg, char *err, size_t err_len);
/* Parse one given file (tests, tools). */
mst_rc mst_config_load_file(const char *path, mst_config *cfg, char *err, size_t err_len);

#endif
