/* tpm/tpm_da.c - the TPM's dictionary-attack state and its reset. */
#include "config.h"
#include "tpm/tpm_conn.h"

#include <stdio.h>
#include <string.h>

static TSS2_RC get_property(tpm_conn *c, TPM2_PT first, uint32_t count, TPMS_CAPABILITY_DATA **cap)
{
	TPMI_YES_NO more;

	return Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  TPM2_CAP_TPM_PROPERTIES, first, count, &more, cap);
}

mst_rc tpm_conn_da_info(tpm_conn *c, tpm_da_info *da)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	uint32_t i;
	TSS2_RC rc;

	memset(da, 0, sizeof(*da));
	rc = get_property(c, TPM2_PT_PERMANENT, 1, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_conn_fail(c, "GetCapability(TPM_PT_PERMANENT)", rc);
	for (i = 0; i < cap->data.tpmProperties.count; i++) {
		TPMS_TAGGED_PROPERTY *t = &cap->data.tpmProperties.tpmProperty[i];

		if (t->property == TPM2_PT_PERMANENT) {
			da->in_lockout = (t->value & TPMA_PERMANENT_INLOCKOUT) != 0;
			da->lockout_auth_set = (t->value & TPMA_PERMANENT_LOCKOUTAUTHSET) != 0;
		}
	}
	Esys_Free(cap);
	cap = NULL;
	rc = get_property(c, TPM2_PT_LOCKOUT_COUNTER, 3, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_conn_fail(c, "GetCapability(TPM_PT_LOCKOUT_COUNTER)", rc);
	for (i = 0; i < cap->data.tpmProperties.count; i++) {
		TPMS_TAGGED_PROPERTY *t = &cap->data.tpmProperties.tpmProperty[i];

		if (t->property == TPM2_PT_LOCKOUT_COUNTER)
			da->counter = t->value;
		else if (t->property == TPM2_PT_MAX_AUTH_FAIL)
			da->max_tries = t->value;
		else if (t->property == TPM2_PT_LOCKOUT_INTERVAL)
			da->recovery = t->value;
	}
	Esys_Free(cap);
	return MST_OK;
}

mst_rc tpm_conn_da_reset(tpm_conn *c)
{
	tpm_da_info da;
	TSS2_RC rc;
	mst_rc m;

	m = tpm_conn_da_info(c, &da);
	if (m != MST_OK)
		return m;
	if (da.counter == 0 && !da.in_lockout)
		return MST_OK;
	if (da.lockout_auth_set) {
		snprintf(c->err, c->err_len,
			 "TPM lockout counter is %u of %u and a lockout auth is set: the TPM owner must run "
			 "TPM2_DictionaryAttackLockReset (tpm2_dictionarylockout -c -p AUTH) or wait %u s per try",
			 da.counter, da.max_tries, da.recovery);
		return MST_ERR_PIN_LOCKED;
	}
	rc = Esys_DictionaryAttackLockReset(c->esys, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD,
					    ESYS_TR_NONE, ESYS_TR_NONE);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_conn_fail(c, "DictionaryAttackLockReset", rc);
		return MST_ERR_PIN_LOCKED;
	}
	return MST_OK;
}
