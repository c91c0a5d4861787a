/* tpm/tpm_conn.c - TCTI, storage primary and salted session per operation. */
#include "config.h"
#include "tpm/tpm_conn.h"

#include <stdio.h>
#include <string.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#define RC_LAYER(rc) ((rc) & TSS2_RC_LAYER_MASK)
/* format-one codes carry a handle/parameter/session number in bits 6-11 */
#define RC_BASE(rc) (((rc) & TPM2_RC_FMT1) ? ((rc) & (TPM2_RC_FMT1 | 0x3fu)) : ((rc) & 0xfffu))

mst_rc tpm_conn_fail(tpm_conn *c, const char *what, TSS2_RC rc)
{
	mst_rc m = MST_ERR_BACKEND;
	const char *why = Tss2_RC_Decode(rc);

	if (RC_LAYER(rc) == TSS2_TPM_RC_LAYER) {
		switch (RC_BASE(rc)) {
		case TPM2_RC_AUTH_FAIL:
		case TPM2_RC_BAD_AUTH:
			m = MST_ERR_PIN_INCORRECT;
			break;
		case TPM2_RC_LOCKOUT:
			m = MST_ERR_PIN_LOCKED;
			why = "the TPM is in dictionary-attack lockout";
			break;
		case TPM2_RC_INTEGRITY:
		case TPM2_RC_BINDING:
		case TPM2_RC_SIZE:
			/* the blob fails the parent's integrity HMAC: sealed by a
			 * different TPM (other seed) or edited on disk */
			m = MST_ERR_TAMPERED;
			why = "sealed blob rejected by this TPM (made by another TPM, or damaged)";
			break;
		default:
			break;
		}
	} else if (RC_LAYER(rc) == TSS2_TCTI_RC_LAYER) {
		m = MST_ERR_IO;
	}
	if (c->err && c->err_len)
		snprintf(c->err, c->err_len, "TPM %s: %s (0x%x)", what, why, (unsigned)rc);
	return m;
}

static int is_out_of_slots(TSS2_RC rc)
{
	return RC_LAYER(rc) == TSS2_TPM_RC_LAYER &&
	       (RC_BASE(rc) == TPM2_RC_OBJECT_MEMORY || RC_BASE(rc) == TPM2_RC_SESSION_MEMORY ||
		RC_BASE(rc) == TPM2_RC_SESSION_HANDLES || RC_BASE(rc) == TPM2_RC_OBJECT_HANDLES);
}

static TPM2_HANDLE tpm_handle_of(tpm_conn *c, ESYS_TR tr)
{
	TPM2_HANDLE h = 0;

	if (tr == ESYS_TR_NONE || Esys_TR_GetTpmHandle(c->esys, tr, &h) != TSS2_RC_SUCCESS)
		return 0;
	return h;
}

/* Flush every handle of one range (transient objects or loaded sessions)
 * but our own.  Only reached when the TPM is full: without a resource
 * manager what is there belongs to processes that died mid-operation,
 * since swtpm and /dev/tpm0 serve one connection at a time; behind a
 * resource manager we only see our own handles. */
static void flush_range(tpm_conn *c, TPM2_HANDLE first)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPM2_HANDLE mine[2] = { tpm_handle_of(c, c->primary), tpm_handle_of(c, c->session) };
	TPMI_YES_NO more;
	uint32_t i;

	if (Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			       TPM2_CAP_HANDLES, first, TPM2_MAX_CAP_HANDLES, &more, &cap) != TSS2_RC_SUCCESS)
		return;
	for (i = 0; i < cap->data.handles.count; i++) {
		TPM2_HANDLE h = cap->data.handles.handle[i];
		ESYS_TR tr;

		if ((h >> TPM2_HR_SHIFT) != (first >> TPM2_HR_SHIFT) || h == mine[0] || h == mine[1])
			continue;
		if (Esys_TR_FromTPMPublic(c->esys, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					  &tr) == TSS2_RC_SUCCESS)
			(void)Esys_FlushContext(c->esys, tr);
	}
	Esys_Free(cap);
}

int tpm_conn_reclaim(tpm_conn *c, TSS2_RC rc)
{
	if (!is_out_of_slots(rc))
		return 0;
	/* not TPM2_TRANSIENT_FIRST: tss2's macro shifts 0x80 into an int's
	 * sign bit (undefined; UBSan reports it) */
	flush_range(c, (TPM2_HANDLE)TPM2_HT_TRANSIENT << TPM2_HR_SHIFT);
	flush_range(c, TPM2_LOADED_SESSION_FIRST);
	return 1;
}

void tpm_srk_template(TPM2B_PUBLIC *tmpl)
{
	TPMT_PUBLIC *p = &tmpl->publicArea;

	memset(tmpl, 0, sizeof(*tmpl));
	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	p->parameters.eccDetail.symmetric.keyBits.aes = 128;
	p->parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	p->unique.ecc.x.size = 32;
	p->unique.ecc.y.size = 32;
}

static TSS2_RC create_srk(tpm_conn *c)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };

	tpm_srk_template(&tmpl);
	return Esys_CreatePrimary(c->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				  ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, &c->primary,
				  NULL, NULL, NULL, NULL);
}

static mst_rc open_primary(tpm_conn *c, uint32_t handle)
{
	TPM2B_PUBLIC *pub = NULL;
	TSS2_RC rc;
	mst_rc m;
	int ok;

	if (handle == 0) {
		rc = create_srk(c);
		if (tpm_conn_reclaim(c, rc))
			rc = create_srk(c);
		if (rc == TSS2_RC_SUCCESS) {
			c->primary_transient = 1;
			return MST_OK;
		}
		m = tpm_conn_fail(c, "CreatePrimary (storage key under the owner hierarchy)", rc);
		if (m == MST_ERR_PIN_INCORRECT) {
			/* not a PIN of ours: the owner hierarchy has a password */
			snprintf(c->err, c->err_len, "TPM owner hierarchy has an auth value: make a "
				 "persistent SRK and set tpm.primary (see doc/tpm.md)");
			m = MST_ERR_CONFIG;
		}
		return m;
	}
	rc = Esys_TR_FromTPMPublic(c->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   &c->primary);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_conn_fail(c, "persistent primary handle not usable", rc);
		return MST_ERR_CONFIG;
	}
	rc = Esys_ReadPublic(c->esys, c->primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			     &pub, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_conn_fail(c, "ReadPublic of the persistent primary", rc);
	/* sealing under it and salting with it need a restricted decrypt key */
	ok = (pub->publicArea.objectAttributes & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)) ==
	     (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT);
	Esys_Free(pub);
	if (!ok) {
		snprintf(c->err, c->err_len, "TPM persistent handle 0x%08x is not a storage key", handle);
		return MST_ERR_CONFIG;
	}
	return MST_OK;
}

static TSS2_RC start_session(tpm_conn *c)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB };

	return Esys_StartAuthSession(c->esys, c->primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				     ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
				     &c->session);
}

mst_rc tpm_conn_open_bare(tpm_conn *c, const char *tcti, char *err, size_t err_len)
{
	TSS2_RC rc;

	memset(c, 0, sizeof(*c));
	c->primary = c->session = ESYS_TR_NONE;
	c->err = err;
	c->err_len = err_len;
	rc = Tss2_TctiLdr_Initialize(tcti && tcti[0] ? tcti : "device:/dev/tpmrm0", &c->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(err, err_len, "cannot open the TPM through TCTI \"%s\": %s",
			 tcti && tcti[0] ? tcti : "device:/dev/tpmrm0", Tss2_RC_Decode(rc));
		c->tcti = NULL;
		return MST_ERR_IO;
	}
	rc = Esys_Initialize(&c->esys, c->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		c->esys = NULL;
		tpm_conn_close(c);
		snprintf(err, err_len, "ESYS initialisation failed: %s", Tss2_RC_Decode(rc));
		return MST_ERR_BACKEND;
	}
	return MST_OK;
}

mst_rc tpm_conn_open(tpm_conn *c, const char *tcti, uint32_t primary_handle,
		     char *err, size_t err_len)
{
	TSS2_RC rc;
	mst_rc m = tpm_conn_open_bare(c, tcti, err, err_len);

	if (m != MST_OK)
		return m;
	m = open_primary(c, primary_handle);
	if (m != MST_OK) {
		tpm_conn_close(c);
		return m;
	}
	rc = start_session(c);
	if (tpm_conn_reclaim(c, rc))
		rc = start_session(c);
	if (rc != TSS2_RC_SUCCESS) {
		m = tpm_conn_fail(c, "StartAuthSession (salted HMAC session)", rc);
		tpm_conn_close(c);
		return m;
	}
	return MST_OK;
}

void tpm_conn_close(tpm_conn *c)
{
	if (c->esys) {
		if (c->session != ESYS_TR_NONE)
			(void)Esys_FlushContext(c->esys, c->session);
		if (c->primary_transient && c->primary != ESYS_TR_NONE)
			(void)Esys_FlushContext(c->esys, c->primary);
		Esys_Finalize(&c->esys);
	}
	if (c->tcti)
		Tss2_TctiLdr_Finalize(&c->tcti);
	c->session = c->primary = ESYS_TR_NONE;
	c->primary_transient = 0;
	c->esys = NULL;
	c->tcti = NULL;
}
