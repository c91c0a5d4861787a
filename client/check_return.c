/* client/check_return.c - the initiator's check of a returned I_MESSAGE
 * (explicit authentication of the responder, DESIGN.md flow 1): accepted
 * like any I_MESSAGE, signed by the party we called, with our CSB ID, and
 * carrying our SSV.  The SSVs are compared without leaving the token: both
 * derive the keys of the returned message's crypto sessions, and the
 * derived keys (which may leave) are compared in constant time. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "client/policy.h"

static ms_rc same_ssv(struct ms_ctx *c, const struct ms_created *cr, const uint8_t *msg, size_t len,
		      const struct ms_keys *theirs)
{
	struct mikey_msg m;
	struct ms_keys mine;
	const struct mikey_payload *rand;
	uint8_t ids[MIKEY_MAX_CS];
	unsigned n;
	ms_rc rc;

	if (mikey_decode(msg, len, &m, NULL) != MS_OK || !(rand = mikey_find(&m, MIKEY_PT_RAND, -1)))
		return MS_ERR_MALFORMED;
	n = policy_cs_ids(&m.hdr, ids);
	rc = policy_derive(c, cr->ssv, m.hdr.prf, m.hdr.csb_id, rand->u.rand.value.ptr,
			   rand->u.rand.value.len, theirs->suite, ids, n, &mine);
	if (rc != MS_OK)
		return rc;
	rc = mine.n == theirs->n && CRYPTO_memcmp(mine.cs, theirs->cs, sizeof(mine.cs)) == 0 ?
	     MS_OK : MS_ERR_DECAPSULATE;
	OPENSSL_cleanse(&mine, sizeof(mine));
	return rc;
}

ms_rc ms_check_return(struct ms_ctx *c, const struct ms_created *cr, const uint8_t *msg,
		      size_t len, const struct ms_accept_opts *o, char *reason, size_t cap)
{
	struct ms_accepted a;
	ms_rc rc;

	if (!c || !cr || !msg || !o || !reason || !cap || !cr->ssv)
		return MS_ERR_ARGS;
	reason[0] = '\0';
	rc = ms_accept(c, msg, len, o, &a);
	if (rc != MS_OK) {
		snprintf(reason, cap, "%s", a.reason);
		return rc;
	}
	if (strcmp(a.initiator, cr->to[0]) != 0) {
		snprintf(reason, cap, "unknown signer: returned by %s, not %s", a.initiator, cr->to[0]);
		rc = MS_ERR_UNKNOWN_SIGNER;
	} else if (a.csb_id != cr->csb_id) {
		snprintf(reason, cap, "returned I_MESSAGE has CSB ID %08x, ours is %08x",
			 (unsigned)a.csb_id, (unsigned)cr->csb_id);
		rc = MS_ERR_DECAPSULATE;
	} else {
		rc = same_ssv(c, cr, msg, len, &a.keys);
		if (rc == MS_ERR_DECAPSULATE)
			snprintf(reason, cap, "returned I_MESSAGE carries another key");
	}
	ms_accepted_clear(&a);
	return rc;
}
