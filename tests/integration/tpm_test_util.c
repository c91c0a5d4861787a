/* tests/integration/tpm_test_util.c - TPM administration and files for
 * the TPM backend tests. */
#include "config.h"
#include "tests/test_util.h"
#include "tests/integration/tpm_test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>
#include "tpm/keystore_tpm.h"
#include "tpm/tpm_conn.h"

const char *test_tcti(int second)
{
	const char *t = getenv(second ? "MST_TPM_TCTI2" : "MST_TPM_TCTI");

	if (t == NULL)
		fail_msg("MST_TPM_TCTI%s not set: run through test_keystore_tpm.sh", second ? "2" : "");
	return t;
}

int test_tcti_available(const char *name)
{
	TSS2_TCTI_INFO *info = NULL;

	if (Tss2_TctiLdr_GetInfo(name, &info) != TSS2_RC_SUCCESS)
		return 0;
	Tss2_TctiLdr_FreeInfo(&info);
	return 1;
}

void test_cfg(mst_slot_config *cfg, const char *tag, int second_tpm)
{
	static unsigned seq;
	const char *dir = getenv("MST_TPM_DIR");

	assert_non_null(dir);
	memset(cfg, 0, sizeof(*cfg));
	cfg->backend = MST_BACKEND_TPM;
	snprintf(cfg->label, sizeof(cfg->label), "%s", tag);
	snprintf(cfg->tpm_tcti, sizeof(cfg->tpm_tcti), "%s", test_tcti(second_tpm));
	snprintf(cfg->tpm_store, sizeof(cfg->tpm_store), "%s/%s-%u", dir, tag, seq++);
}

void *test_open(const mst_slot_config *cfg)
{
	void *be = NULL;
	mst_rc rc = keystore_backend_tpm.open(cfg, &be);

	if (rc != MST_OK)
		fail_msg("open %s: %s: %s", cfg->tpm_store, mst_strerror(rc), keystore_tpm_last_error(NULL));
	return be;
}

void test_init_user(void *be)
{
	const keystore_backend *k = &keystore_backend_tpm;

	assert_int_equal(k->init_token(be, TEST_SO_PIN, 8, "tester"), MST_OK);
	assert_int_equal(k->login(be, KEYSTORE_SO, TEST_SO_PIN, 8), MST_OK);
	assert_int_equal(k->init_pin(be, TEST_USER_PIN, 4), MST_OK);
	k->logout(be);
	assert_int_equal(k->login(be, KEYSTORE_USER, TEST_USER_PIN, 4), MST_OK);
}

void *test_user_store(mst_slot_config *cfg, const char *tag)
{
	void *be;

	test_cfg(cfg, tag, 0);
	be = test_open(cfg);
	test_init_user(be);
	return be;
}

static ESYS_CONTEXT *admin_open(int second, TSS2_TCTI_CONTEXT **tcti)
{
	ESYS_CONTEXT *esys = NULL;

	assert_int_equal(Tss2_TctiLdr_Initialize(test_tcti(second), tcti), TSS2_RC_SUCCESS);
	assert_int_equal(Esys_Initialize(&esys, *tcti, NULL), TSS2_RC_SUCCESS);
	return esys;
}

static void admin_close(ESYS_CONTEXT *esys, TSS2_TCTI_CONTEXT *tcti)
{
	Esys_Finalize(&esys);
	Tss2_TctiLdr_Finalize(&tcti);
}

void test_da_setup(int second, uint32_t max_tries, uint32_t recovery)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *esys = admin_open(second, &tcti);

	assert_int_equal(Esys_DictionaryAttackLockReset(esys, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
							ESYS_TR_NONE, ESYS_TR_NONE), TSS2_RC_SUCCESS);
	assert_int_equal(Esys_DictionaryAttackParameters(esys, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
							 ESYS_TR_NONE, ESYS_TR_NONE, max_tries,
							 recovery, 0), TSS2_RC_SUCCESS);
	admin_close(esys, tcti);
}

int test_da_fresh(void **state)
{
	(void)state;
	test_da_setup(0, TEST_MAX_TRIES, 3600);
	return 0;
}

uint32_t test_da_counter(int second)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *esys = admin_open(second, &tcti);
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	uint32_t v;

	assert_int_equal(Esys_GetCapability(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					    TPM2_CAP_TPM_PROPERTIES, TPM2_PT_LOCKOUT_COUNTER, 1,
					    &more, &cap), TSS2_RC_SUCCESS);
	assert_int_equal(cap->data.tpmProperties.tpmProperty[0].property, TPM2_PT_LOCKOUT_COUNTER);
	v = cap->data.tpmProperties.tpmProperty[0].value;
	Esys_Free(cap);
	admin_close(esys, tcti);
	return v;
}

void test_make_persistent_srk(uint32_t handle)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *esys = admin_open(0, &tcti);
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	ESYS_TR prim, persistent;

	if (Esys_TR_FromTPMPublic(esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  &persistent) == TSS2_RC_SUCCESS) {
		admin_close(esys, tcti);
		return;
	}
	/* the backend's SRK template with another unique field: a storage
	 * key of its own, so blobs sealed under one do not load under the other */
	tpm_srk_template(&tmpl);
	tmpl.publicArea.unique.ecc.x.size = 0;
	tmpl.publicArea.unique.ecc.y.size = 0;
	assert_int_equal(Esys_CreatePrimary(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					    ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, &prim,
					    NULL, NULL, NULL, NULL), TSS2_RC_SUCCESS);
	assert_int_equal(Esys_EvictControl(esys, ESYS_TR_RH_OWNER, prim, ESYS_TR_PASSWORD,
					   ESYS_TR_NONE, ESYS_TR_NONE, handle, &persistent),
			 TSS2_RC_SUCCESS);
	Esys_FlushContext(esys, prim);
	admin_close(esys, tcti);
}

uint8_t *test_read_file(const char *dir, const char *file, size_t *len)
{
	char path[2048];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

void test_write_file(const char *dir, const char *file, const uint8_t *p, size_t len)
{
	char path[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void test_copy_dir(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;

	assert_non_null(d);
	assert_int_equal(mkdir(to, 0700), 0);
	while ((de = readdir(d)) != NULL) {
		uint8_t *buf;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		buf = test_read_file(from, de->d_name, &len);
		test_write_file(to, de->d_name, buf, len);
		free(buf);
	}
	closedir(d);
}

void test_leave_garbage(int objects, int sessions)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *esys = admin_open(0, &tcti);
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC tmpl;
	ESYS_TR tr;
	int i;

	tpm_srk_template(&tmpl);
	for (i = 0; i < objects; i++)
		assert_int_equal(Esys_CreatePrimary(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
						    ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside,
						    &pcrs, &tr, NULL, NULL, NULL, NULL), TSS2_RC_SUCCESS);
	for (i = 0; i < sessions; i++)
		assert_int_equal(Esys_StartAuthSession(esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
						       ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_HMAC,
						       &sym, TPM2_ALG_SHA256, &tr), TSS2_RC_SUCCESS);
	/* gone without flushing, as a killed process would */
	admin_close(esys, tcti);
}

void test_owner_auth(int second, const char *old_pw, const char *new_pw)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *esys = admin_open(second, &tcti);
	TPM2B_AUTH old_auth = { .size = (UINT16)strlen(old_pw) };
	TPM2B_AUTH new_auth = { .size = (UINT16)strlen(new_pw) };

	memcpy(old_auth.buffer, old_pw, old_auth.size);
	memcpy(new_auth.buffer, new_pw, new_auth.size);
	assert_int_equal(Esys_TR_SetAuth(esys, ESYS_TR_RH_OWNER, &old_auth), TSS2_RC_SUCCESS);
	assert_int_equal(Esys_HierarchyChangeAuth(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
						  ESYS_TR_NONE, ESYS_TR_NONE, &new_auth),
			 TSS2_RC_SUCCESS);
	admin_close(esys, tcti);
}
