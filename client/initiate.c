/* client/initiate.c - the initiator: one SSV made in the token, one signed
 * I_MESSAGE per recipient, and the SRTP keys of its crypto sessions. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "client/imsg.h"

static ms_rc own_signing_key(struct ms_ctx *c, const struct ms_community *com, const char *from,
			     int64_t now, uint8_t *id, size_t *id_len, CK_OBJECT_HANDLE *ssk)
{
	ms_rc rc = ms_id_at(&com->id, from, now, id, MS_ID_MAX_LEN, id_len);

	if (rc == MS_OK)
		rc = ctx_private_key(c, id, *id_len, MS_KEY_SUFFIX_ECCSI, ssk);
	if (rc == MS_ERR_NOT_FOUND)
		snprintf(c->err, sizeof(c->err), "no ECCSI key of %s for the key period of now", from);
	return rc;
}

ms_rc ms_create(struct ms_ctx *c, const struct ms_create_req *r, struct ms_created *out)
{
	struct ms_community com;
	uint8_t from_id[MS_ID_MAX_LEN], to_id[MS_ID_MAX_LEN], csb[4], ids[2] = { 0, 1 };
	size_t from_id_len = 0, to_id_len = 0, i;
	CK_OBJECT_HANDLE ssk, ssv = CK_INVALID_HANDLE;
	char kms[256];
	ms_rc rc;
	struct imsg_spec s;

	if (!c || !r || !out || !r->from || !r->to || r->n_to == 0 || r->n_to > MS_MAX_RECIPIENTS ||
	    r->prf > 1 || strlen(r->from) >= sizeof(out->from))
		return MS_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	c->err[0] = '\0';
	rc = ctx_user_kms(c, r->from, kms, sizeof(kms));
	if (rc == MS_OK)
		rc = ctx_community(c, kms, &com);
	if (rc != MS_OK) {
		snprintf(c->err, sizeof(c->err), "no key set and community for %s in the token", r->from);
		return rc == MS_ERR_UNKNOWN_SIGNER ? MS_ERR_NOT_FOUND : rc;
	}
	memset(&s, 0, sizeof(s));
	s.now = r->now ? r->now : (int64_t)time(NULL);
	rc = own_signing_key(c, &com, r->from, s.now, from_id, &from_id_len, &ssk);
	if (rc != MS_OK)
		return rc;
	if (RAND_bytes(csb, 4) != 1 || RAND_bytes(out->rand, sizeof(out->rand)) != 1)
		return MS_ERR_CRYPTO;
	out->csb_id = (uint32_t)csb[0] << 24 | (uint32_t)csb[1] << 16 | (uint32_t)csb[2] << 8 | csb[3];
	rc = ms_p11_generate_ssv(&c->p, &ssv);
	if (rc != MS_OK) {
		ctx_note_p11(c);
		return rc;
	}
	s = (struct imsg_spec){ &com, r->from, NULL, from_id, NULL, from_id_len, 0, out->csb_id,
				out->rand, r->prf, r->suite, r->group, s.now, ssv, ssk };
	for (i = 0; i < r->n_to && rc == MS_OK; i++) {
		if (!r->to[i] || strlen(r->to[i]) >= sizeof(out->to[i])) {
			rc = MS_ERR_ARGS;
			break;
		}
		rc = ms_id_at(&com.id, r->to[i], s.now, to_id, sizeof(to_id), &to_id_len);
		s.to = r->to[i];
		s.to_id = to_id;
		s.to_id_len = to_id_len;
		if (rc == MS_OK)
			rc = imsg_build(c, &s, out->msg[i], sizeof(out->msg[i]), &out->len[i]);
		strcpy(out->to[i], r->to[i]);
	}
	if (rc == MS_OK)
		rc = policy_derive(c, ssv, r->prf, out->csb_id, out->rand, sizeof(out->rand), r->suite,
				   ids, r->group ? 1 : 2, &out->keys);
	if (rc != MS_OK) {
		ms_p11_destroy(&c->p, ssv);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->n = r->n_to;
	out->prf = r->prf;
	out->ssv = ssv;
	strcpy(out->from, r->from);
	return MS_OK;
}

void ms_created_clear(struct ms_ctx *c, struct ms_created *out)
{
	if (!out)
		return;
	if (c && out->ssv)
		ms_p11_destroy(&c->p, out->ssv);
	OPENSSL_cleanse(&out->keys, sizeof(out->keys));
	out->ssv = 0;
}
