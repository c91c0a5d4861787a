/* token/keystore.h - where a slot's objects live, sealed.
 *
 * A keystore holds named records (opaque byte strings that pkcs11/ makes
 * from its objects).  Public records are stored in clear (they hold public
 * keys and labels that must be visible before login); private records are
 * sealed by the backend and can be read only after a user login.  Sealing
 * binds the record's name and kind as authenticated data, so a record that
 * is edited, truncated or moved to another name answers MST_ERR_TAMPERED.
 *
 * Backends:
 *  - pkcs11: records are CKO_DATA objects in another PKCS#11 token (SoftHSM2
 *    by default); private ones are AES-256-GCM sealed by a non-extractable
 *    key generated in that token.  Our PINs are its PINs.
 *  - tpm: records are files in a store folder; private ones are TPM 2.0
 *    sealed-data objects whose authValue derives from the user PIN.
 *
 * The interface is handles and byte strings only, so it can later be carried
 * over a socket to an agent process.  A keystore is not thread-safe: the
 * caller (pkcs11/ slot lock) serialises calls on one keystore.
 */
#ifndef MST_KEYSTORE_H
#define MST_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"
#include "token/config.h"

#define KEYSTORE_NAME_MAX 64   /* record names: [A-Za-z0-9._-]{1,64} */
#define KEYSTORE_KEY_LEN 32    /* the endorsement key */
#define KEYSTORE_TAG_LEN 32    /* HMAC-SHA-256 */

typedef enum { KEYSTORE_USER = 1, KEYSTORE_SO = 2 } keystore_who;

typedef struct {
	int initialized;          /* C_InitToken done */
	int user_pin_initialized; /* a user PIN is set */
	int user_pin_count_low;   /* at least one wrong user PIN since last success */
	int user_pin_final_try;   /* one more wrong PIN locks */
	int user_pin_locked;
	int so_pin_count_low;
	int so_pin_final_try;
	int so_pin_locked;
	char label[33];           /* label given to init_token, "" if none */
	char serial[17];          /* stable serial number of this store */
} keystore_info;

typedef struct {
	char name[KEYSTORE_NAME_MAX + 1];
	uint32_t kind;
	int is_private;
} keystore_entry;

typedef struct keystore_backend keystore_backend;
struct keystore_backend {
	const char *name;
	mst_rc (*open)(const mst_slot_config *cfg, void **be);
	void (*close)(void *be);
	mst_rc (*info)(void *be, keystore_info *info);
	/* Erases every record; sets the SO PIN and label; leaves no user PIN. */
	mst_rc (*init_token)(void *be, const char *so_pin, size_t so_len, const char *label);
	mst_rc (*login)(void *be, keystore_who who, const char *pin, size_t pin_len);
	void (*logout)(void *be);
	/* SO logged in: set (or reset, unlocking) the user PIN. */
	mst_rc (*init_pin)(void *be, const char *pin, size_t pin_len);
	/* The logged-in user (or SO) changes its own PIN; with nobody logged
	 * in, who == KEYSTORE_USER changes the user PIN after checking the
	 * old one (C_SetPIN in a R/W public session). */
	mst_rc (*set_pin)(void *be, keystore_who who, const char *old_pin, size_t old_len,
			  const char *new_pin, size_t new_len);
	/* Every record name, public ones always, private ones when logged in
	 * (the caller may pass entries == NULL to count).  *n in: capacity. */
	mst_rc (*list)(void *be, keystore_entry *entries, size_t *n);
	/* Create or replace atomically: after a crash either the old or the new
	 * record is there, never half of one. */
	mst_rc (*put)(void *be, const char *name, uint32_t kind, int is_private,
		      const uint8_t *data, size_t len);
	/* The record `name` of the privacy and kind the caller expects.  The
	 * backing store is hostile ground (anyone with a session on the
	 * backing token, or write access to the store folder, can write
	 * public records): a record of another privacy or kind answers
	 * MST_ERR_TAMPERED, and a public copy never stands in for, outranks
	 * or deletes a private one.  *data is secmem_alloc'd when is_private
	 * (secmem_free it) and malloc'd otherwise (free it); NULL on error.
	 * Asking for a private record without a user login answers
	 * MST_ERR_NOT_LOGGED_IN; so does a public one that is absent then
	 * (private records are invisible, "absent" and "private" look
	 * alike).  remove() deletes only a record of the privacy given. */
	mst_rc (*get)(void *be, const char *name, int is_private, uint32_t kind,
		      uint8_t **data, size_t *len);
	mst_rc (*remove)(void *be, const char *name, int is_private);
	/* SO endorsement (trust): tag = keystore_endorse_mac(K, msg) under the
	 * store's endorsement key K, a secret that a logged-in SO and a
	 * logged-in user both reach and that nobody without a PIN can use
	 * (doc/keystore.md "Endorsements").  A public record that carries
	 * such a tag is as good as the SO's word even though anyone with the
	 * backing store can write public records.  MST_ERR_NOT_LOGGED_IN
	 * without a login; MST_ERR_NOT_FOUND when the store has no K (a
	 * store initialised before endorsements existed). */
	mst_rc (*endorse)(void *be, const uint8_t *msg, size_t len,
			  uint8_t tag[KEYSTORE_TAG_LEN]);
	/* Optional (may be NULL): the backend's own words for its last
	 * failure, e.g. "C_Login: CKR 0x00000030", for MSTOKEN_DEBUG; be ==
	 * NULL asks why the last open() failed in this thread.  Never holds
	 * a secret. */
	const char *(*last_error)(void *be);
};

extern const keystore_backend keystore_backend_pkcs11;
extern const keystore_backend keystore_backend_tpm;

/* The backend named by a slot configuration. */
const keystore_backend *keystore_backend_for(const mst_slot_config *cfg);
/* b->last_error(be), or "" when the backend has none.  Never NULL. */
const char *keystore_last_error(const keystore_backend *b, void *be);
/* HMAC-SHA-256(key, "mstoken-endorse-v1" || msg): the one endorsement
 * tag both backends compute with their own key. */
mst_rc keystore_endorse_mac(const uint8_t key[KEYSTORE_KEY_LEN], const uint8_t *msg,
			    size_t len, uint8_t tag[KEYSTORE_TAG_LEN]);

#endif
