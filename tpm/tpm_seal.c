/* tpm/tpm_seal.c - create, load and unseal sealed-data objects. */
#include "config.h"
#include "tpm/tpm_seal.h"

#include <string.h>
#include <tss2/tss2_mu.h>
#include "token/secmem.h"

/* Set the session's encryption direction for the next command: decrypt
 * protects the command's first TPM2B parameter, encrypt the response's.
 * A direction the command has no TPM2B for must stay clear (the TPM
 * answers TPM_RC_ATTRIBUTES otherwise). */
static TSS2_RC session_crypt(tpm_conn *c, TPMA_SESSION dirs)
{
	TPMA_SESSION all = TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION;

	return Esys_TRSess_SetAttributes(c->esys, c->session, dirs | TPMA_SESSION_CONTINUESESSION, all);
}

mst_rc tpm_seal(tpm_conn *c, const uint8_t auth[TPM_AUTH_LEN], int no_da,
		const uint8_t *data, size_t len, tpm_sealed *out)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TSS2_RC rc;

	if (len == 0 || len > TPM_SEAL_MAX)
		return MST_ERR_ARGS;
	sens.sensitive.userAuth.size = TPM_AUTH_LEN;
	memcpy(sens.sensitive.userAuth.buffer, auth, TPM_AUTH_LEN);
	sens.sensitive.data.size = (UINT16)len;
	memcpy(sens.sensitive.data.buffer, data, len);
	tmpl.publicArea.type = TPM2_ALG_KEYEDHASH;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_USERWITHAUTH | (no_da ? TPMA_OBJECT_NODA : 0);
	tmpl.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;

	rc = session_crypt(c, TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT);
	if (rc == TSS2_RC_SUCCESS)
		rc = Esys_Create(c->esys, c->primary, c->session, ESYS_TR_NONE, ESYS_TR_NONE,
				 &sens, &tmpl, &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
	if (tpm_conn_reclaim(c, rc))
		rc = Esys_Create(c->esys, c->primary, c->session, ESYS_TR_NONE, ESYS_TR_NONE,
				 &sens, &tmpl, &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
	secure_wipe(&sens, sizeof(sens));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_conn_fail(c, "Create (sealed-data object)", rc);
	out->pub = *pub;
	out->priv = *priv;
	Esys_Free(pub);
	Esys_Free(priv);
	return MST_OK;
}

mst_rc tpm_unseal(tpm_conn *c, const tpm_sealed *in, const uint8_t auth[TPM_AUTH_LEN],
		  uint8_t *out, size_t *out_len)
{
	TPM2B_SENSITIVE_DATA *data = NULL;
	TPM2B_AUTH a = { .size = TPM_AUTH_LEN };
	ESYS_TR obj = ESYS_TR_NONE;
	TSS2_RC rc;
	mst_rc m = MST_OK;

	*out_len = 0;
	/* Load carries no secret, but the blob must be checked with the
	 * parent's auth: a plain password session with the empty SRK auth */
	rc = Esys_Load(c->esys, c->primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
		       &in->priv, &in->pub, &obj);
	if (tpm_conn_reclaim(c, rc))
		rc = Esys_Load(c->esys, c->primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			       &in->priv, &in->pub, &obj);
	if (rc != TSS2_RC_SUCCESS) {
		mst_rc m0 = tpm_conn_fail(c, "Load (sealed blob)", rc);

		/* any parameter error of Load: the blob from the store is not
		 * one this TPM made under this primary */
		if (m0 == MST_ERR_BACKEND && (rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER &&
		    (rc & TPM2_RC_FMT1) && (rc & TPM2_RC_P))
			m0 = MST_ERR_TAMPERED;
		return m0;
	}
	memcpy(a.buffer, auth, TPM_AUTH_LEN);
	rc = Esys_TR_SetAuth(c->esys, obj, &a);
	secure_wipe(&a, sizeof(a));
	if (rc == TSS2_RC_SUCCESS)
		rc = session_crypt(c, TPMA_SESSION_ENCRYPT);
	if (rc == TSS2_RC_SUCCESS)
		rc = Esys_Unseal(c->esys, obj, c->session, ESYS_TR_NONE, ESYS_TR_NONE, &data);
	if (rc != TSS2_RC_SUCCESS) {
		m = tpm_conn_fail(c, "Unseal", rc);
	} else if (data->size > TPM_SEAL_MAX) {
		m = MST_ERR_TAMPERED;
	} else {
		memcpy(out, data->buffer, data->size);
		*out_len = data->size;
	}
	if (data) {
		secure_wipe(data, sizeof(*data));
		Esys_Free(data);
	}
	(void)Esys_FlushContext(c->esys, obj);
	return m;
}

mst_rc tpm_sealed_marshal(const tpm_sealed *s, uint8_t *buf, size_t cap, size_t *len)
{
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&s->pub, buf, cap, &off) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(&s->priv, buf, cap, &off) != TSS2_RC_SUCCESS)
		return MST_ERR_RANGE;
	*len = off;
	return MST_OK;
}

mst_rc tpm_sealed_unmarshal(const uint8_t *buf, size_t len, size_t *used, tpm_sealed *s)
{
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &s->pub) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &s->priv) != TSS2_RC_SUCCESS)
		return MST_ERR_PARSE;
	*used = off;
	return MST_OK;
}
