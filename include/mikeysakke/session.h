/* mikeysakke/session.h - MIKEY-SAKKE flows through a PKCS#11 token.
 *
 * ms_create: a new SSV made inside the token, encapsulated to each
 * recipient (C_WrapKey with the community's Z_T), each I_MESSAGE signed in
 * the token (C_Sign, ECCSI); SRTP master key and salt per crypto session
 * derived in the token (C_DeriveKey) for the local media engine.
 * ms_accept: decode, timestamp window, signature (KPAK and the initiator's
 * identifier for the key period of the message time; the RFC span first,
 * then the older span without the SIGN header), replay cache, SAKKE
 * decapsulation in the token (the SSV stays there), keys per crypto
 * session, and optionally a returned I_MESSAGE carrying the same SSV back.
 * ms_check_return: the initiator's check of that returned I_MESSAGE.
 *
 * Crypto sessions: one-to-one offers carry two (GENERIC-ID, CS ID 0 for
 * initiator -> responder media, 1 for responder -> initiator), group
 * offers one (CS ID 0).  Received messages: GENERIC-ID CS IDs as given,
 * SRTP-ID entries numbered 1..#CS, an Empty map means CS 0 and 1.
 */
#ifndef MIKEYSAKKE_SESSION_H
#define MIKEYSAKKE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/keyparams.h"
#include "mikeysakke/mikey.h"
#include "mikeysakke/srtp.h"

/* Recipients of one offer (ms_create; the CLI and SDP offers carry at most
 * MS_SDP_MAX_KEYS).  ms_create encapsulates and signs for several
 * recipients at once, one PKCS#11 session per online processor. */
#define MS_MAX_RECIPIENTS 4096
#define MS_IMSG_MAX 2048
#define MS_DEFAULT_WINDOW 300

struct ms_ctx;

struct ms_cs_keys {
	uint8_t cs_id;
	uint8_t key[16];
	uint8_t salt[14];
	size_t salt_len;        /* 12 for AEAD_AES_128_GCM, 14 for AES-CM */
};

struct ms_keys {
	enum ms_srtp_suite suite;
	unsigned n;
	struct ms_cs_keys cs[MIKEY_MAX_CS];
};

struct ms_create_req {
	const char *from;
	const char *const *to;
	size_t n_to;            /* 1..MS_MAX_RECIPIENTS */
	unsigned prf;           /* 0 PRF-HMAC-SHA-1 (MIKEY-1), 1 PRF-HMAC-SHA-256 */
	enum ms_srtp_suite suite;
	int group;              /* one crypto session instead of two */
	int64_t now;            /* Unix seconds; 0 = current time */
};

/* msg, len and to hold n entries, allocated by ms_create and freed by
 * ms_created_clear. */
struct ms_created {
	size_t n;
	uint8_t (*msg)[MS_IMSG_MAX];
	size_t *len;
	uint32_t csb_id;
	uint8_t rand[16];
	unsigned prf;
	char from[256];
	char (*to)[256];
	unsigned long ssv;      /* the SSV object in the token session */
	struct ms_keys keys;
};

struct ms_accept_opts {
	int64_t window;         /* seconds either side; 0 = MS_DEFAULT_WINDOW */
	int64_t now;            /* 0 = current time */
	const char *replay_path;/* NULL = no replay cache (tests only) */
	int want_return;        /* build a returned I_MESSAGE */
	int keep_ssv;           /* leave the SSV object open (ms_accepted.ssv) */
};

struct ms_accepted {
	char initiator[256];    /* URI, or "uid:<hex>" when only a UID was sent */
	char responder[256];
	uint32_t csb_id;
	int legacy_signature;   /* signed without the SIGN header */
	struct ms_keys keys;
	uint8_t ret[MS_IMSG_MAX];
	size_t ret_len;         /* 0 when none was asked for */
	unsigned long ssv;      /* with keep_ssv: the SSV object (destroy with
				 * ms_accepted_release) */
	char reason[200];       /* on refusal: why, naming offset or object */
	/* General Extension type 7 (TS 33.180 E.6) decrypted in the token:
	 * has_key_params = 1, key_params.text/.rest point into
	 * key_params_plain (valid while this struct is not moved). */
	int has_key_params;
	uint32_t key_params_payload_id;
	uint32_t key_params_dppk_id;
	struct mikey_keyparams key_params;
	uint8_t key_params_plain[512];
	size_t key_params_len;
};

MS_API ms_rc ms_ctx_open(struct ms_ctx **c, const char *module, const char *token_label, const char *pin);
MS_API void ms_ctx_close(struct ms_ctx *c);
/* The last PKCS#11 failure ("C_Verify: CKR_...") or "". */
MS_API const char *ms_ctx_error(const struct ms_ctx *c);

MS_API ms_rc ms_create(struct ms_ctx *c, const struct ms_create_req *r, struct ms_created *out);
/* Destroys the SSV object, wipes the keys and frees the messages. */
MS_API void ms_created_clear(struct ms_ctx *c, struct ms_created *out);

MS_API ms_rc ms_accept(struct ms_ctx *c, const uint8_t *msg, size_t len, const struct ms_accept_opts *o,
		       struct ms_accepted *out);
MS_API void ms_accepted_clear(struct ms_accepted *out);
/* Destroys a kept SSV object and wipes the keys. */
MS_API void ms_accepted_release(struct ms_ctx *c, struct ms_accepted *out);

/* The initiator's check of a returned I_MESSAGE: signed by the recipient
 * named in created->to[0], decapsulated with our key, and carrying the
 * same SSV (compared inside the token through a derived check value). */
MS_API ms_rc ms_check_return(struct ms_ctx *c, const struct ms_created *created, const uint8_t *msg,
			     size_t len, const struct ms_accept_opts *o, char *reason, size_t reason_cap);

#endif
