/* client/policy.h - SRTP policy and crypto sessions of an I_MESSAGE: the SP
 * payload for a suite, the suite a received SP names, the CS IDs a header
 * maps, and the per-session SRTP keys derived in the token.  Internal. */
#ifndef MS_POLICY_H
#define MS_POLICY_H

#include "client/ctx.h"

#define POLICY_SP_MAX 32

/* SP policy parameters (RFC 3830 6.10.1, RFC 7714 14.2) for a suite. */
void policy_sp_params(enum ms_srtp_suite suite, uint8_t *buf, size_t *len);
/* The suite the first SP payload names; AEAD_AES_128_GCM (the 3GPP
 * default) when there is none.  MS_ERR_UNSUPPORTED for another cipher. */
ms_rc policy_suite(const struct mikey_msg *m, enum ms_srtp_suite *suite);
/* CS IDs of the header (see mikeysakke/session.h); returns how many. */
unsigned policy_cs_ids(const struct mikey_hdr *h, uint8_t ids[MIKEY_MAX_CS]);
/* SRTP master key and salt of each crypto session, derived in the token. */
ms_rc policy_derive(struct ms_ctx *c, CK_OBJECT_HANDLE ssv, unsigned prf, uint32_t csb_id,
		    const uint8_t *rand, size_t rand_len, enum ms_srtp_suite suite,
		    const uint8_t *ids, unsigned n, struct ms_keys *out);

#endif
