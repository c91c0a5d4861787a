/* pkcs11/p11.h - the module's shared types: slots, sessions, objects.
 *
 * PKCS#11 names come from p11-kit's header with CRYPTOKI_GNU undefined, so
 * they are the standard CK_* spellings.  Every structure here is guarded by
 * the module lock (state_lock); the only data touched without it are the
 * reference-counted ECCSI signers (see sign.c), so that signatures do not
 * serialise on the lock.
 */
#ifndef MST_P11_H
#define MST_P11_H

#undef CRYPTOKI_GNU
#include <p11-kit/pkcs11.h>
#include <stddef.h>
#include <stdint.h>
#include "mstoken/pkcs11-mstoken.h"
#include "token/config.h"
#include "token/keystore.h"

#define P11_NO_LOGIN ((CK_USER_TYPE)-1)

/* One attribute as stored: value malloc'd (never a secret, see object.h). */
typedef struct {
	CK_ATTRIBUTE_TYPE type;
	CK_ULONG len;
	uint8_t *value;
} p11_attr;

typedef struct signer_ref signer_ref;

typedef struct p11_object {
	CK_OBJECT_HANDLE handle;
	struct p11_slot *slot;
	CK_SESSION_HANDLE owner;        /* session of a session object, 0 for token objects */
	char record[KEYSTORE_NAME_MAX + 1]; /* base record name of a token object */
	CK_OBJECT_CLASS cls;
	p11_attr *attrs;
	size_t n_attrs;
	/* CKA_VALUE of a private or secret key: secmem, loaded on first use
	 * for token objects (value_in_store) and wiped at logout. */
	uint8_t *secret;
	size_t secret_len;
	int value_in_store;
	signer_ref *signer;             /* ECCSI private key: cached signer */
	struct p11_object *next;
} p11_object;

typedef struct p11_slot {
	CK_SLOT_ID id;
	mst_slot_config cfg;
	const keystore_backend *ks;
	void *be;                       /* NULL: backend could not open, no token */
	CK_USER_TYPE login;             /* P11_NO_LOGIN, CKU_USER or CKU_SO */
	p11_object *objects;
	CK_ULONG n_sessions, n_rw_sessions;
} p11_slot;

/* Multi-part operations a session may have active. */
typedef struct {
	int active;
	CK_OBJECT_HANDLE *handles;
	size_t n, pos;
} p11_find_op;

typedef struct {
	int active;
	signer_ref *signer;
	uint8_t *msg;                   /* buffered message (C_SignUpdate) */
	size_t len, cap;
} p11_sign_op;

typedef struct {
	int active;
	uint8_t kpak[65];
	uint8_t *id;
	size_t id_len;
	uint8_t *msg;
	size_t len, cap;
} p11_verify_op;

/* C_DecryptInit with CKM_AES_GCM: the key by handle (its value is read at
 * C_Decrypt, never copied here), IV and AAD copied. */
#define P11_GCM_MAX_IV 64
#define P11_GCM_MAX_AAD 256
typedef struct {
	int active;
	CK_OBJECT_HANDLE key;
	uint8_t iv[P11_GCM_MAX_IV];
	size_t iv_len;
	uint8_t aad[P11_GCM_MAX_AAD];
	size_t aad_len;
} p11_decrypt_op;

typedef struct p11_session {
	CK_SESSION_HANDLE handle;
	p11_slot *slot;
	CK_FLAGS flags;
	p11_find_op find;
	p11_sign_op sign;
	p11_verify_op verify;
	p11_decrypt_op decrypt;
	struct p11_session *next;
} p11_session;

#endif
