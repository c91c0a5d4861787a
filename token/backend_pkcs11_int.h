/* token/backend_pkcs11_int.h - pieces of the PKCS#11-HSM keystore backend.
 *
 * backend_pkcs11_module.c  loads each HSM module once per process
 * backend_pkcs11_util.c    sessions, object search, attribute reads, CKR mapping
 * backend_pkcs11_state.c   the public state object (PIN counters, our label)
 * backend_pkcs11_seal.c    record values: header, AES-GCM sealing in the HSM
 * backend_pkcs11_records.c list/put/get/remove
 * backend_pkcs11_endorse.c the endorsement key the SO and the user share
 * backend_pkcs11_pin.c     the backing token's user PIN: a secret R under ours
 * backend_pkcs11.c         the keystore_backend table, open/close, PINs
 */
#ifndef MST_BACKEND_PKCS11_INT_H
#define MST_BACKEND_PKCS11_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <p11-kit/pkcs11.h>
#include "token/keystore.h"

#define P11_APPLICATION "mstoken"        /* CKA_APPLICATION of records */
#define P11_STATE_APPLICATION "mstoken-state"
#define P11_SEAL_KEY_LABEL "mstoken-seal-key"
#define P11_USER_MAX_TRIES 5
#define P11_SO_MAX_TRIES 10
#define P11_RECORD_MAX (64u * 1024u)    /* bytes of record data */

/* One loaded PKCS#11 module, shared by every slot that names its path. */
struct p11_module {
	char path[MST_PATH_MAX];
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	unsigned refs;
	pid_t pid;              /* process whose C_Initialize this is */
	int we_initialized;     /* so C_Finalize only what we initialised */
	struct p11_module *next;
};

/* One open keystore: a session on the backing token. */
struct p11_store {
	struct p11_module *mod;
	CK_FUNCTION_LIST_PTR f;
	pid_t pid;              /* opened in this process (fork check) */
	char token_label[MST_LABEL_MAX + 1];
	int have_slot;
	CK_SLOT_ID slot;
	int have_session;
	CK_SESSION_HANDLE session;
	keystore_who who;       /* 0: not logged in */
	CK_OBJECT_HANDLE seal_key;
	uint8_t *endorse_key;   /* secmem: K while logged in, if the token has one */
	char last_error[192];
};

/* Module instances (reference counted, re-initialised in a forked child). */
mst_rc p11_module_acquire(const char *path, struct p11_module **out,
			  char *err, size_t err_len);
void p11_module_release(struct p11_module *m);

/* Errors: remember the call and CKR value, map to an mst_rc. */
mst_rc p11_fail(struct p11_store *st, const char *call, CK_RV rv);
mst_rc p11_fail_msg(struct p11_store *st, mst_rc rc, const char *msg);
mst_rc p11_map(struct p11_store *st, const char *call, CK_RV rv);

/* Slot and session of the backing token. */
mst_rc p11_find_slot(struct p11_store *st);
mst_rc p11_need_session(struct p11_store *st);
void p11_drop_session(struct p11_store *st);

/* Objects matching a template: malloc'd handle array (free it). */
mst_rc p11_find(struct p11_store *st, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		CK_OBJECT_HANDLE **objs, size_t *count);
/* One attribute's value, malloc'd (public data only; free it). */
mst_rc p11_get_attr(struct p11_store *st, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		    uint8_t **val, size_t *len);
mst_rc p11_create_data(struct p11_store *st, const char *application, const char *label,
		       int is_private, const uint8_t *val, size_t len, CK_OBJECT_HANDLE *obj);
mst_rc p11_destroy(struct p11_store *st, CK_OBJECT_HANDLE obj);
mst_rc p11_random(void *buf, size_t len);

/* State object: PIN failure counters, our token label, serial. */
struct p11_state {
	uint32_t sequence;      /* of the object read; the next write is + 1 */
	unsigned user_fails;
	unsigned so_fails;
	char label[MST_LABEL_MAX + 1];
	char serial[17];
};
mst_rc p11_state_read(struct p11_store *st, struct p11_state *s);
mst_rc p11_state_write(struct p11_store *st, const struct p11_state *s);
mst_rc p11_state_fresh(struct p11_store *st, const char *label);
/* Count a wrong PIN of who (returns PIN_INCORRECT or, at the limit, PIN_LOCKED). */
mst_rc p11_state_wrong_pin(struct p11_store *st, keystore_who who);
mst_rc p11_state_reset_pin(struct p11_store *st, keystore_who who);
mst_rc p11_state_check_locked(struct p11_store *st, keystore_who who);

/* Seal key and record values. */
mst_rc p11_seal_key_ensure(struct p11_store *st);
#define P11_HEADER_LEN 13   /* version(1) kind(4) generation(8) */
#define P11_RECORD_VERSION 1
int p11_header_parse(const uint8_t *val, size_t len, uint32_t *kind, uint64_t *gen);
mst_rc p11_value_build(struct p11_store *st, const char *name, uint32_t kind, uint64_t gen,
		       int is_private, const uint8_t *data, size_t len,
		       uint8_t **val, size_t *val_len);
/* Open a stored value: private data into secmem memory, public data into
 * malloc'd memory (the contract of keystore.h); MST_ERR_TAMPERED if it fails. */
mst_rc p11_value_open(struct p11_store *st, const char *name, int is_private,
		      const uint8_t *val, size_t val_len, uint32_t *kind,
		      uint8_t **data, size_t *len);

/* Endorsement key K (backend_pkcs11_endorse.c): made by init_token
 * (under the SO PIN), loaded by login, handed to the user by init_pin. */
mst_rc p11_endorse_create(struct p11_store *st, const char *so_pin, size_t so_len);
mst_rc p11_endorse_login(struct p11_store *st, keystore_who who, const char *pin,
			 size_t pin_len);
/* K under a new PIN of who (SO: its own set_pin; user: init_pin). */
mst_rc p11_endorse_new_pin(struct p11_store *st, keystore_who who, const char *pin,
			   size_t pin_len);
void p11_endorse_forget(struct p11_store *st);
mst_rc p11_endorse(void *be, const uint8_t *msg, size_t len, uint8_t tag[KEYSTORE_TAG_LEN]);

/* 32 octets sealed under a PIN (backend_pkcs11_pin.c): the endorsement
 * key copies and the user PIN secret R.  label is bound into the AAD
 * (16 characters at most); open answers MST_ERR_TAMPERED for a wrong PIN. */
#define P11_PIN_BLOB_LEN (1 + 4 + 16 + 12 + KEYSTORE_KEY_LEN + 16)
mst_rc p11_pin_blob_seal(const char *label, const char *pin, size_t pin_len,
			 const uint8_t key[KEYSTORE_KEY_LEN], uint8_t blob[P11_PIN_BLOB_LEN]);
mst_rc p11_pin_blob_open(const char *label, const char *pin, size_t pin_len,
			 const uint8_t *blob, size_t len, uint8_t key[KEYSTORE_KEY_LEN]);

/* The user PIN secret R: SoftHSM2's user PIN is hex(R), R is kept under
 * our user PIN.  open: MST_ERR_NOT_FOUND on a token without R (its user
 * PIN was set before R existed), MST_ERR_PIN_INCORRECT for a wrong PIN.
 * write: R under pin as the next generation, then the older copies go. */
#define P11_PIN_SECRET_LEN KEYSTORE_KEY_LEN
mst_rc p11_pin_secret_open(struct p11_store *st, const char *pin, size_t pin_len,
			   uint8_t r[P11_PIN_SECRET_LEN]);
mst_rc p11_pin_secret_write(struct p11_store *st, const char *pin, size_t pin_len,
			    const uint8_t r[P11_PIN_SECRET_LEN]);
/* hex(R) in secmem memory (free with secmem_free), NULL without R. */
mst_rc p11_pin_secret_hex(struct p11_store *st, const char *pin, size_t pin_len, char **hex);
/* A new R and its hex, both in secmem memory. */
mst_rc p11_pin_secret_new(struct p11_store *st, uint8_t **r, char **hex);
/* The PIN that logs in to the backing token as the user, for tools and
 * tests that read the backing token directly: hex(R), or pin itself on a
 * token without R.  be is an open pkcs11 keystore. */
mst_rc keystore_pkcs11_backing_user_pin(void *be, const char *pin, size_t pin_len,
					char *out, size_t out_len);

/* Records (backend_pkcs11_records.c). */
mst_rc p11_list(void *be, keystore_entry *entries, size_t *n);
mst_rc p11_put(void *be, const char *name, uint32_t kind, int is_private,
	       const uint8_t *data, size_t len);
mst_rc p11_get(void *be, const char *name, int is_private, uint32_t kind,
	       uint8_t **data, size_t *len);
mst_rc p11_remove(void *be, const char *name, int is_private);

#endif
