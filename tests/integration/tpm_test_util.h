/* tests/integration/tpm_test_util.h - helpers of the TPM backend tests:
 * the TPM administrator's side (DA parameters, a persistent SRK) through
 * ESYS, store folders, and files to damage. */
#ifndef MST_TPM_TEST_UTIL_H
#define MST_TPM_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "token/keystore.h"

#define TEST_SO_PIN "12345678"
#define TEST_USER_PIN "1234"
#define TEST_MAX_TRIES 4

/* TCTI of the first / second swtpm (MST_TPM_TCTI, MST_TPM_TCTI2). */
const char *test_tcti(int second);
/* Nonzero when tpm2-tss can load the TCTI called name. */
int test_tcti_available(const char *name);
/* A slot configuration with a new empty store folder under MST_TPM_DIR. */
void test_cfg(mst_slot_config *cfg, const char *tag, int second_tpm);
/* Open a backend or fail the test, printing the backend's message. */
void *test_open(const mst_slot_config *cfg);
/* init_token + SO login + init_pin + user login. */
void test_init_user(void *be);
/* A new store on the first TPM, initialised, the user logged in. */
void *test_user_store(mst_slot_config *cfg, const char *tag);
/* TPM2_DictionaryAttackParameters (lockout auth empty) and a lock reset. */
void test_da_setup(int second, uint32_t max_tries, uint32_t recovery);
/* cmocka setup: the first TPM's counter cleared, TEST_MAX_TRIES tries. */
int test_da_fresh(void **state);
/* Current TPM_PT_LOCKOUT_COUNTER. */
uint32_t test_da_counter(int second);
/* Make the TCG ECC SRK persistent at handle (no-op if already there). */
void test_make_persistent_srk(uint32_t handle);

/* TPM2_HierarchyChangeAuth of the owner hierarchy from old_pw to new_pw. */
void test_owner_auth(int second, const char *old_pw, const char *new_pw);
/* Fill the TPM's slots with objects / sessions and disconnect without
 * flushing them, as a process killed mid-operation does. */
void test_leave_garbage(int objects, int sessions);

/* Whole file into a malloc'd buffer / replace it. */
uint8_t *test_read_file(const char *dir, const char *file, size_t *len);
void test_write_file(const char *dir, const char *file, const uint8_t *p, size_t len);
/* Copy every regular file of folder from into the new folder to. */
void test_copy_dir(const char *from, const char *to);

int tpm_test_kill_group(void);
int tpm_test_bus_group(void);
int tpm_test_pins_group(void);
int tpm_test_tamper_group(void);

#endif
