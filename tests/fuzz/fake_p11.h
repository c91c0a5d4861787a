/* tests/fuzz/fake_p11.h - an in-memory stand-in for the HSM behind the
 * SoftHSM2 keystore backend, for fuzz_p11records and its seeds: CKO_DATA
 * objects (application, label, private flag, value) that the input
 * supplies, found, read and destroyed through a CK_FUNCTION_LIST, and
 * AES-256-GCM sealing with one fixed key (so seeds can carry records
 * that open).  Not a token: only what token/backend_pkcs11_*.c calls.
 * Also the HSM of tests/unit/ct_check.c's check of the record open. */
#ifndef MST_FAKE_P11_H
#define MST_FAKE_P11_H

#include <stddef.h>
#include <stdint.h>
#include <p11-kit/pkcs11.h>

#define FAKE_P11_MAX_OBJECTS 16

struct fake_obj {
	int live, is_private;
	char app[16];
	uint8_t label[80];
	size_t label_len;
	const uint8_t *value;   /* borrowed from the input */
	size_t value_len;
	uint8_t *owned;         /* made by C_CreateObject */
};

extern struct fake_obj fake_objs[FAKE_P11_MAX_OBJECTS];
extern size_t fake_n_objs;

/* The sealing key, and a hook called on every plaintext C_Decrypt makes
 * (tests/unit/ct_check.c marks both secret for Valgrind). */
extern uint8_t fake_p11_key[32];
extern void (*fake_p11_opened)(uint8_t *plain, size_t len);

/* The function list; fake_p11_reset() empties the object table. */
CK_FUNCTION_LIST_PTR fake_p11(void);
void fake_p11_reset(void);

#endif
