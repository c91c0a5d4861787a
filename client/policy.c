/* client/policy.c - SRTP policy parameters and per-crypto-session keys. */
#include <string.h>
#include <openssl/crypto.h>
#include "client/policy.h"

/* RFC 3830 6.10.1 parameter types and values */
#define SP_ENC_ALG 0
#define SP_ENC_KEY_LEN 1
#define SP_AUTH_ALG 2
#define SP_AUTH_KEY_LEN 3
#define SP_SALT_LEN 4
#define SP_AUTH_TAG_LEN 11
#define SP_AEAD_TAG_LEN 20   /* RFC 7714 14.2 */
#define ENC_AES_CM 1
#define ENC_AES_GCM 6        /* RFC 7714 14.2 */
#define AUTH_HMAC_SHA1 1

void policy_sp_params(enum ms_srtp_suite suite, uint8_t *buf, size_t *len)
{
	static const uint8_t gcm[] = { SP_ENC_ALG, 1, ENC_AES_GCM, SP_ENC_KEY_LEN, 1, 16,
				       SP_SALT_LEN, 1, 12, SP_AEAD_TAG_LEN, 1, 16 };
	static const uint8_t cm[] = { SP_ENC_ALG, 1, ENC_AES_CM, SP_ENC_KEY_LEN, 1, 16,
				      SP_AUTH_ALG, 1, AUTH_HMAC_SHA1, SP_AUTH_KEY_LEN, 1, 20,
				      SP_SALT_LEN, 1, 14, SP_AUTH_TAG_LEN, 1, 10 };

	if (suite == MS_SRTP_AEAD_AES_128_GCM) {
		memcpy(buf, gcm, sizeof(gcm));
		*len = sizeof(gcm);
	} else {
		memcpy(buf, cm, sizeof(cm));
		*len = sizeof(cm);
	}
}

ms_rc policy_suite(const struct mikey_msg *m, enum ms_srtp_suite *suite)
{
	const struct mikey_payload *sp = mikey_find(m, MIKEY_PT_SP, -1);
	size_t i;

	*suite = MS_SRTP_AEAD_AES_128_GCM;
	if (!sp)
		return MS_OK;
	/* the decoder checked that the parameters tile the block */
	for (i = 0; i + 2 <= sp->u.sp.params.len; i += 2u + sp->u.sp.params.ptr[i + 1]) {
		const uint8_t *p = sp->u.sp.params.ptr + i;

		if (p[0] != SP_ENC_ALG || p[1] != 1)
			continue;
		if (p[2] == ENC_AES_CM)
			*suite = MS_SRTP_AES_CM_128_HMAC_SHA1_80;
		else if (p[2] != ENC_AES_GCM)
			return MS_ERR_UNSUPPORTED;
	}
	return MS_OK;
}

unsigned policy_cs_ids(const struct mikey_hdr *h, uint8_t ids[MIKEY_MAX_CS])
{
	unsigned i;

	switch (h->map_type) {
	case MIKEY_MAP_GENERIC_ID:
		for (i = 0; i < h->n_cs; i++)
			ids[i] = h->map.generic[i].cs_id;
		return h->n_cs;
	case MIKEY_MAP_SRTP_ID:
		for (i = 0; i < h->n_cs; i++)
			ids[i] = (uint8_t)(i + 1);
		return h->n_cs;
	default:
		ids[0] = 0;
		ids[1] = 1;
		return 2;
	}
}

ms_rc policy_derive(struct ms_ctx *c, CK_OBJECT_HANDLE ssv, unsigned prf, uint32_t csb_id,
		    const uint8_t *rand, size_t rand_len, enum ms_srtp_suite suite,
		    const uint8_t *ids, unsigned n, struct ms_keys *out)
{
	unsigned i;
	ms_rc rc = MS_OK;

	memset(out, 0, sizeof(*out));
	out->suite = suite;
	for (i = 0; i < n && rc == MS_OK; i++) {
		struct ms_cs_keys *k = &out->cs[i];

		k->cs_id = ids[i];
		k->salt_len = ms_srtp_salt_len(suite);
		rc = ms_p11_derive(&c->p, ssv, prf, CK_MSTOKEN_KEY_TEK, ids[i], csb_id, rand, rand_len,
				   k->key, sizeof(k->key));
		if (rc == MS_OK)
			rc = ms_p11_derive(&c->p, ssv, prf, CK_MSTOKEN_KEY_SALT, ids[i], csb_id, rand,
					   rand_len, k->salt, k->salt_len);
	}
	if (rc != MS_OK) {
		ctx_note_p11(c);
		OPENSSL_cleanse(out, sizeof(*out));
		return rc;
	}
	out->n = n;
	return MS_OK;
}
