/* client/imsg.c - compose, encapsulate and sign one I_MESSAGE (RFC 6509 2.1:
 * HDR, T, RAND, [IDRi], [IDRr], [IDRkmsi], [IDRkmsr], {SP}, SAKKE, SIGN;
 * TS 33.180 E.2 adds IDRuidi/IDRuidr for UIDs).  The signature covers the
 * message up to and including the SIGN payload's 2-octet header. */
#include <string.h>
#include "client/imsg.h"

static void add_idr(struct mikey_msg *m, uint8_t role, uint8_t type, const void *p, size_t n)
{
	struct mikey_payload *pl = mikey_add(m, MIKEY_PT_IDR);

	pl->u.idr = (struct mikey_idr){ role, type, { p, n } };
}

ms_rc imsg_build(struct ms_ctx *c, const struct imsg_spec *s, uint8_t *out, size_t cap, size_t *len)
{
	static const uint8_t srtp_policy0 = 0;
	static uint8_t zero_sig[MIKEY_ECCSI_SIG_LEN];
	struct mikey_msg m;
	struct mikey_payload *p;
	uint8_t sakke[MIKEY_SAKKE_DATA_LEN + 16], sp[POLICY_SP_MAX], sig[MIKEY_ECCSI_SIG_LEN + 16];
	size_t sakke_len = 0, sp_len = 0, sig_len = 0, n = 0, signed_len;
	unsigned i;
	ms_rc rc;

	rc = ms_p11_wrap(&c->p, s->com->z, s->to_id, s->to_id_len, s->ssv, sakke, sizeof(sakke),
			 &sakke_len);
	if (rc != MS_OK) {
		ctx_note_p11(c);
		return rc;
	}
	memset(&m, 0, sizeof(m));
	m.hdr.version = MIKEY_VERSION;
	m.hdr.data_type = MIKEY_DATA_TYPE_SAKKE;
	m.hdr.prf = (uint8_t)s->prf;
	m.hdr.csb_id = s->csb_id;
	m.hdr.map_type = MIKEY_MAP_GENERIC_ID;
	m.hdr.n_cs = s->group ? 1 : 2;
	for (i = 0; i < m.hdr.n_cs; i++)
		m.hdr.map.generic[i] = (struct mikey_cs_generic){
			(uint8_t)i, MIKEY_PROT_SRTP, 0, { &srtp_policy0, 1 }, { NULL, 0 }, { NULL, 0 } };
	p = mikey_add(&m, MIKEY_PT_T);
	p->u.t = (struct mikey_t){ MIKEY_TS_NTP_UTC, mikey_ntp_from_unix(s->now) };
	p = mikey_add(&m, MIKEY_PT_RAND);
	p->u.rand.value = (struct mikey_bytes){ s->rand, 16 };
	add_idr(&m, MIKEY_IDR_I, MIKEY_ID_URI, s->from, strlen(s->from));
	add_idr(&m, MIKEY_IDR_R, MIKEY_ID_URI, s->to, strlen(s->to));
	if (s->com->id.format == 2) {
		add_idr(&m, MIKEY_IDR_UIDI, MIKEY_ID_BYTES, s->from_id, s->from_id_len);
		add_idr(&m, MIKEY_IDR_UIDR, MIKEY_ID_BYTES, s->to_id, s->to_id_len);
	}
	add_idr(&m, MIKEY_IDR_KMSI, MIKEY_ID_URI, s->com->kms_uri, strlen(s->com->kms_uri));
	add_idr(&m, MIKEY_IDR_KMSR, MIKEY_ID_URI, s->com->kms_uri, strlen(s->com->kms_uri));
	policy_sp_params(s->suite, sp, &sp_len);
	p = mikey_add(&m, MIKEY_PT_SP);
	p->u.sp = (struct mikey_sp){ 0, MIKEY_PROT_SRTP, { sp, sp_len } };
	p = mikey_add(&m, MIKEY_PT_SAKKE);
	p->u.sakke = (struct mikey_sakke){ MIKEY_SAKKE_PARAMS_1,
		(uint8_t)(s->com->id.format == 2 ? MIKEY_SAKKE_ID_3GPP : MIKEY_SAKKE_ID_TEL),
		{ sakke, sakke_len } };
	p = mikey_add(&m, MIKEY_PT_SIGN);
	p->u.sign = (struct mikey_sign){ MIKEY_SIGN_ECCSI, { zero_sig, sizeof(zero_sig) } };
	rc = mikey_encode(&m, out, cap, &n);
	if (rc != MS_OK)
		return rc;
	signed_len = mikey_signed_len(n - MIKEY_ECCSI_SIG_LEN - 2, MIKEY_SIG_RFC);
	rc = ms_p11_sign(&c->p, s->ssk, out, signed_len, sig, sizeof(sig), &sig_len);
	if (rc != MS_OK) {
		ctx_note_p11(c);
		return rc;
	}
	if (sig_len != MIKEY_ECCSI_SIG_LEN)
		return MS_ERR_PKCS11;
	memcpy(out + signed_len, sig, sig_len);
	*len = n;
	return MS_OK;
}
