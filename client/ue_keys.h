/* client/ue_keys.h - the MIKEY-SAKKE half of the SIP user agent: the SDP
 * offer with the I_MESSAGE (from the pool when one is ready), the callee's
 * accept and SDP answer with the returned I_MESSAGE, the caller's
 * ms_check_return of it.  Only libmikeysakke; no SIP here. */
#ifndef MS_UE_KEYS_H
#define MS_UE_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/session.h"
#include "client/cli.h"

struct ms_pool;

struct ue_keys {
	struct ms_ctx *c;
	struct ms_pool *pool;
	char replay[4096];
	struct ms_created cr;   /* caller: this call's I_MESSAGE and SSV */
	int have_cr;
	struct ms_accepted acc; /* callee: the accepted offer */
	int have_acc;
	int token_error;        /* the last refusal came from the token, not the peer */
	char remote_addr[64];   /* the peer's media, from its SDP */
	uint16_t remote_port;
};

/* Replay cache path; for --call a pool of --pool I_MESSAGEs to the callee.
 * -1 (with a message on stderr) on a usage or token error. */
int ue_keys_init(struct ue_keys *k, struct ms_ctx *c, const struct cli_args *a);
void ue_keys_free(struct ue_keys *k);
/* Ends the keys of one call (SSV object destroyed, keys wiped). */
void ue_keys_clear(struct ue_keys *k);
const struct ms_keys *ue_keys_get(const struct ue_keys *k);
/* Prints "keys-agreed ..." (and the key lines with --show-keys). */
void ue_keys_print_agreed(const struct ue_keys *k, const struct cli_args *a);

/* Caller: the SDP offer for a->call with RTP on rtp_port; *how is
 * "pooled" or "fresh". */
int ue_keys_offer(struct ue_keys *k, const struct cli_args *a, int rtp_port, char *sdp, size_t cap,
		  const char **how);
int ue_keys_answer_has_imessage(const char *sdp, size_t len);
/* Caller: the answer's returned I_MESSAGE through ms_check_return. */
int ue_keys_check_answer(struct ue_keys *k, const struct cli_args *a, const char *sdp, size_t len,
			 char *why, size_t cap);
/* Callee: accept the offer and write the SDP answer; why names the
 * refusal in the words of "mikey-sakke accept". */
int ue_keys_accept(struct ue_keys *k, const struct cli_args *a, const char *sdp, size_t len,
		   int rtp_port, char *answer, size_t cap, char *why, size_t why_cap);

/* The digest password: the first line of path. */
int ue_read_password(const char *path, char *out, size_t cap);

#endif
