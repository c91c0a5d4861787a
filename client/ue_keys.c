/* client/ue_keys.c - offer, accept, answer and check of the SIP user agent
 * (see ue_keys.h): the same library calls as "mikey-sakke create" and
 * "accept", with the SDP of RFC 4567 carried in SIP bodies. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "mikeysakke/codec.h"
#include "mikeysakke/pool.h"
#include "mikeysakke/replay.h"
#include "mikeysakke/sdp.h"
#include "client/ue.h"
#include "client/ue_keys.h"

#define B64_MAX (MS_IMSG_MAX / 3 * 4 + 8)

static struct ms_create_req request(const struct cli_args *a)
{
	return (struct ms_create_req){ a->uri, &a->call, 1, a->prf, a->suite, 0, 0 };
}

int ue_keys_init(struct ue_keys *k, struct ms_ctx *c, const struct cli_args *a)
{
	memset(k, 0, sizeof(*k));
	k->c = c;
	if (a->replay)
		snprintf(k->replay, sizeof(k->replay), "%s", a->replay);
	else if (ms_replay_default_path(k->replay, sizeof(k->replay)) != MS_OK)
		return fprintf(stderr, "mikey-sakke: no place for the replay cache (set HOME or "
			       "--replay-cache)\n"), -1;
	if (a->call && a->pool > 0) {
		struct ms_create_req r = request(a);
		int64_t t0 = ue_now_ms();
		ms_rc rc = ms_pool_new(&k->pool, c, MS_DEFAULT_WINDOW);

		if (rc == MS_OK)
			rc = ms_pool_fill(k->pool, &r, (unsigned)a->pool);
		if (rc != MS_OK) {
			fprintf(stderr, "mikey-sakke: cannot pre-generate I_MESSAGEs from %s: %s%s%s\n", a->uri,
				ms_strerror(rc), ms_ctx_error(c)[0] ? ": " : "", ms_ctx_error(c));
			return -1;
		}
		ue_step("pool-filled peer=%s count=%ld ms=%lld", a->call, a->pool, (long long)(ue_now_ms() - t0));
	}
	return 0;
}

void ue_keys_clear(struct ue_keys *k)
{
	if (k->have_cr)
		ms_created_clear(k->c, &k->cr);
	if (k->have_acc)
		ms_accepted_clear(&k->acc);
	k->have_cr = k->have_acc = 0;
}

void ue_keys_free(struct ue_keys *k)
{
	ue_keys_clear(k);
	ms_pool_free(k->pool);
	k->pool = NULL;
}

const struct ms_keys *ue_keys_get(const struct ue_keys *k)
{
	return k->have_cr ? &k->cr.keys : &k->acc.keys;
}

void ue_keys_print_agreed(const struct ue_keys *k, const struct cli_args *a)
{
	const struct ms_keys *keys = ue_keys_get(k);

	ue_step("keys-agreed suite=%s crypto-sessions=%u", keys->suite == MS_SRTP_AEAD_AES_128_GCM ?
		"aes-gcm" : "aes-cm", keys->n);
	if (a->show_keys) {
		cli_print_keys(stdout, keys);
		fflush(stdout);
	}
}

/* One audio m-line on our address, PCMU, the I_MESSAGE at media level
 * (as "mikey-sakke create" writes it). */
static int write_sdp(const struct cli_args *a, uint32_t id, int port, const char *b64, char *out,
		     size_t cap)
{
	struct ms_sdp d;

	memset(&d, 0, sizeof(d));
	snprintf(d.origin_user, sizeof(d.origin_user), "-");
	d.session_id = id;
	d.session_version = 1;
	snprintf(d.address, sizeof(d.address), "%s", a->address);
	snprintf(d.session_name, sizeof(d.session_name), "call");
	d.port = (uint16_t)port;
	snprintf(d.proto, sizeof(d.proto), "RTP/SAVP");
	d.n_fmts = 1;
	d.fmts[0] = 0;
	snprintf(d.rtpmap, sizeof(d.rtpmap), "PCMU/8000");
	d.n_keys = 1;
	d.keys[0] = (struct ms_sdp_key){ MS_SDP_MEDIA, b64, strlen(b64) };
	return ms_sdp_write(&d, out, cap) == MS_OK ? 0 : -1;
}

int ue_keys_offer(struct ue_keys *k, const struct cli_args *a, int rtp_port, char *sdp, size_t cap,
		  const char **how)
{
	static char b64[B64_MAX];
	struct ms_create_req r = request(a);
	ms_rc rc = MS_ERR_NOT_FOUND;

	ue_keys_clear(k);
	*how = "pooled";
	if (k->pool)
		rc = ms_pool_take(k->pool, a->call, 0, &k->cr);
	if (rc == MS_ERR_NOT_FOUND) {
		*how = "fresh";
		rc = ms_create(k->c, &r, &k->cr);
	}
	if (rc != MS_OK) {
		fprintf(stderr, "mikey-sakke: cannot create the I_MESSAGE to %s: %s%s%s\n", a->call,
			ms_strerror(rc), ms_ctx_error(k->c)[0] ? ": " : "", ms_ctx_error(k->c));
		return -1;
	}
	k->have_cr = 1;
	if (ms_base64_encode(k->cr.msg[0], k->cr.len[0], b64, sizeof(b64)) != MS_OK ||
	    write_sdp(a, k->cr.csb_id, rtp_port, b64, sdp, cap) != 0) {
		fprintf(stderr, "mikey-sakke: cannot write the SDP offer\n");
		return -1;
	}
	return 0;
}

int ue_keys_answer_has_imessage(const char *sdp, size_t len)
{
	static struct ms_sdp d;

	return ms_sdp_parse(sdp, len, &d, NULL) == MS_OK && d.n_keys > 0;
}

/* The peer's media address and the I_MESSAGEs of an SDP body. */
static int read_sdp(struct ue_keys *k, const char *sdp, size_t len, struct ms_sdp *d,
		    const char **txt, size_t *lens, unsigned *n, char *why, size_t cap)
{
	const struct ms_sdp_key *keys[MS_SDP_MAX_KEYS];
	struct ms_sdp_error err;
	unsigned i;

	if (!sdp || ms_sdp_parse(sdp, len, d, &err) != MS_OK) {
		snprintf(why, cap, "malformed at offset 0: %s", sdp ? err.text : "no SDP body");
		return -1;
	}
	*n = ms_sdp_media_keys(d, keys, MS_SDP_MAX_KEYS);
	for (i = 0; i < *n; i++) {
		txt[i] = keys[i]->b64;
		lens[i] = keys[i]->len;
	}
	snprintf(k->remote_addr, sizeof(k->remote_addr), "%s", d->address);
	k->remote_port = d->port;
	return 0;
}

int ue_keys_check_answer(struct ue_keys *k, const struct cli_args *a, const char *sdp, size_t len,
			 char *why, size_t cap)
{
	static struct ms_sdp d;
	static uint8_t msg[MS_IMSG_MAX * 2];
	const char *txt[MS_SDP_MAX_KEYS];
	size_t lens[MS_SDP_MAX_KEYS], n;
	unsigned nk = 0;
	struct ms_accept_opts o = { a->window, 0, k->replay, 0, 0 };
	ms_rc rc;

	if (read_sdp(k, sdp, len, &d, txt, lens, &nk, why, cap) != 0)
		return -1;
	if (nk == 0) {
		snprintf(why, cap, "no returned I_MESSAGE in the answer");
		return -1;
	}
	if (ms_base64_decode(txt[0], lens[0], msg, sizeof(msg), &n) != MS_OK) {
		snprintf(why, cap, "malformed at offset 0: not base64");
		return -1;
	}
	rc = ms_check_return(k->c, &k->cr, msg, n, &o, why, cap);
	if (rc != MS_OK && !why[0])
		snprintf(why, cap, "%s", ms_strerror(rc));
	return rc == MS_OK ? 0 : -1;
}

int ue_keys_accept(struct ue_keys *k, const struct cli_args *a, const char *sdp, size_t len,
		   int rtp_port, char *answer, size_t cap, char *why, size_t why_cap)
{
	static struct ms_sdp offer, ans;
	static char b64[B64_MAX];
	const char *txt[MS_SDP_MAX_KEYS];
	size_t lens[MS_SDP_MAX_KEYS];
	unsigned n = 0;
	struct ms_accept_opts o = { a->window, 0, k->replay, 1, 0 };
	ms_rc rc;

	ue_keys_clear(k);
	k->token_error = 0;
	if (read_sdp(k, sdp, len, &offer, txt, lens, &n, why, why_cap) != 0)
		return -1;
	rc = cli_accept_any(k->c, txt, lens, n, &o, &k->acc, why, why_cap);
	if (rc != MS_OK) {
		k->token_error = rc == MS_ERR_PKCS11 || rc == MS_ERR_IO || rc == MS_ERR_NOMEM;
		ms_accepted_clear(&k->acc);
		return -1;
	}
	k->have_acc = 1;
	if (ms_base64_encode(k->acc.ret, k->acc.ret_len, b64, sizeof(b64)) != MS_OK ||
	    ms_sdp_answer(&offer, a->address, (uint16_t)rtp_port, b64, &ans) != MS_OK ||
	    ms_sdp_write(&ans, answer, cap) != MS_OK) {
		snprintf(why, why_cap, "cannot write the SDP answer");
		return -1;
	}
	return 0;
}

int ue_read_password(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	int ok = f && fgets(out, (int)cap, f) != NULL;

	if (f)
		fclose(f);
	if (!ok) {
		fprintf(stderr, "mikey-sakke: cannot read the SIP password from %s\n", path);
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}
