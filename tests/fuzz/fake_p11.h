/* tests/fuzz/fake_p11.h - an in-memory stand-in for the HSM behind the
 * SoftHSM2 keystore backend: one slot with one token (C_InitToken, SO and
 * user PINs, C_Login / C_Logout, C_InitPIN, C_SetPIN), CKO_DATA objects
 * (application, label, private flag, value) created, found, read and
 * destroyed, AES keys made by C_GenerateKey (sensitive values never read
 * back), AES-GCM with those keys, sessions counted.  Private objects are
 * seen by the logged-in user only.  Not a token for anyone else: only
 * what token/backend_pkcs11_*.c calls, and single-threaded.
 *
 * Used two ways:
 * - directly (fuzz_p11records, fuzz_seeds, tests/unit/ct_check.c): the
 *   caller fills fake_objs after fake_p11_reset(), which leaves an
 *   initialised token with the user logged in, and seals with the
 *   built-in key FAKE_P11_FIXED_KEY (value fake_p11_key, so seeds carry
 *   records that open);
 * - as a PKCS#11 module (tests/fuzz/fake_p11_module.c, built as
 *   tests/fuzz/.libs/fake_p11.so): the module loads it as its backing
 *   token (fuzz_pkcs11), starting from an uninitialised token. */
#ifndef MST_FAKE_P11_H
#define MST_FAKE_P11_H

#include <stddef.h>
#include <stdint.h>
#include <p11-kit/pkcs11.h>

#define FAKE_P11_MAX_OBJECTS 128
/* the built-in AES-256 key of the direct users (no object of the table) */
#define FAKE_P11_FIXED_KEY (~(CK_OBJECT_HANDLE)1)

struct fake_obj {
	int live, is_private;
	CK_OBJECT_CLASS cls;    /* CKO_DATA (0), or CKO_SECRET_KEY from C_GenerateKey */
	CK_ULONG reuse;         /* times this entry was reused: part of its handle */
	char app[32];
	uint8_t label[80];
	size_t label_len;
	const uint8_t *value;   /* borrowed from the input, or owned */
	size_t value_len;
	uint8_t *owned;         /* made by C_CreateObject / C_GenerateKey */
	/* secret keys */
	CK_KEY_TYPE key_type;
	CK_ULONG key_len;
	CK_BBOOL sensitive, extractable, always_sensitive, never_extractable, encrypt, decrypt;
};

extern struct fake_obj fake_objs[FAKE_P11_MAX_OBJECTS];
extern size_t fake_n_objs;

/* The built-in sealing key, and a hook called on every plaintext
 * C_Decrypt makes (tests/unit/ct_check.c marks both secret for Valgrind). */
extern uint8_t fake_p11_key[32];
extern void (*fake_p11_opened)(uint8_t *plain, size_t len);

/* The function list; fake_p11_reset() empties the object table of an
 * initialised token and logs the user in (for the direct users). */
CK_FUNCTION_LIST_PTR fake_p11(void);
void fake_p11_reset(void);

#endif
