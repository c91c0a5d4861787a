/* client/cli_accept.c - "mikey-sakke accept": read an SDP offer, a base64
 * or a hex I_MESSAGE, verify, decapsulate, and say who sent it. */
#include <ctype.h>
#include <netinet/in.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mikeysakke/announce.h"
#include "mikeysakke/codec.h"
#include "mikeysakke/replay.h"
#include "mikeysakke/sdp.h"
#include "client/cli.h"

#define IN_MAX (64 * 1024)

static size_t read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (!f)
		return (size_t)-1;
	n = fread(buf, 1, cap - 1, f);
	if (ferror(f) || !feof(f))
		n = (size_t)-1;
	if (f != stdin)
		fclose(f);
	if (n != (size_t)-1)
		buf[n] = '\0';
	return n;
}

/* One I_MESSAGE in base64 (optionally after "mikey ") or hex. */
/* Waits for a session-initialisation datagram naming a->as (any when
 * --as is not given) and copies its SDP offer into buf. */
static size_t listen_offer(const struct cli_args *a, char *buf, size_t cap)
{
	static uint8_t dgram[MS_UDP_MAX];
	struct sockaddr_in at;
	struct ms_announce an;
	int s = ms_udp_open(a->listen, 0, &at);
	size_t len, n = (size_t)-1;

	if (s < 0)
		return n;
	fprintf(stderr, "mikey-sakke: listening on port %d\n", ms_udp_port(s));
	fflush(stderr);
	while (n == (size_t)-1 && ms_udp_recv(s, (int)a->timeout * 1000, dgram, sizeof(dgram) - 1,
					      &len) == MS_OK) {
		if (ms_announce_parse((const char *)dgram, len, &an) != MS_OK ||
		    (a->as && !ms_announce_names(&an, a->as)) || an.sdp_len >= cap)
			continue;   /* not a session for us: an absent member misses it */
		memcpy(buf, an.sdp, an.sdp_len);
		buf[an.sdp_len] = '\0';
		n = an.sdp_len;
	}
	close(s);
	return n;
}

static ms_rc decode_text(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	size_t i;
	int hex = n > 0;

	if (n > 6 && memcmp(s, "mikey ", 6) == 0) {
		s += 6;
		n -= 6;
	}
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			hex = 0;
	return hex ? ms_hex_decode(s, n, out, cap, len) : ms_base64_decode(s, n, out, cap, len);
}

/* Tries each candidate I_MESSAGE; a group offer holds one per member and
 * only ours decapsulates.  The reason of the most telling refusal is kept:
 * anything but "not for us" beats "cannot decapsulate". */
ms_rc cli_accept_any(struct ms_ctx *c, const char *const *txt, const size_t *lens, unsigned n,
		     const struct ms_accept_opts *o, struct ms_accepted *a, char *why, size_t cap)
{
	static uint8_t msg[MS_IMSG_MAX * 2];
	ms_rc best = MS_ERR_MALFORMED;
	unsigned i;

	snprintf(why, cap, "malformed at offset 0: no I_MESSAGE in the input");
	for (i = 0; i < n; i++) {
		size_t len;
		ms_rc rc = decode_text(txt[i], lens[i], msg, sizeof(msg), &len);

		if (rc != MS_OK) {
			snprintf(why, cap, "malformed at offset 0: not base64 or hex");
			continue;
		}
		rc = ms_accept(c, msg, len, o, a);
		if (rc == MS_OK)
			return MS_OK;
		if (i == 0 || rc != MS_ERR_DECAPSULATE) {
			best = rc;
			snprintf(why, cap, "%s", a->reason[0] ? a->reason : ms_strerror(rc));
		}
	}
	return best;
}

/* One line for the decrypted key parameters of General Extension type 7
 * (doc/client.md); times are the 40-bit values as sent. */
static void print_key_params(const struct ms_accepted *acc)
{
	static char text[2 * sizeof(acc->key_params_plain) + 1];
	const struct mikey_keyparams *kp = &acc->key_params;

	ms_hex_encode(kp->text.ptr, kp->text.len, text);
	printf("key-params dppk-id=%08x payload-id=%08x key-type=%u status=%08x activation=%llu "
	       "expiry=%llu text=%s\n", (unsigned)acc->key_params_dppk_id,
	       (unsigned)acc->key_params_payload_id, kp->key_type, (unsigned)kp->status,
	       (unsigned long long)kp->activation_time, (unsigned long long)kp->expiry_time, text);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The returned I_MESSAGE (base64) and, for a network-connected call, the
 * SDP answer to the offer (RFC 3264) carrying it at media level. */
static int write_outputs(const struct cli_args *a, const struct ms_accepted *acc,
			 const struct ms_sdp *offer, int have_offer)
{
	static char b64[MS_IMSG_MAX * 2], line[MS_IMSG_MAX * 2 + 2], text[MS_IMSG_MAX * 2 + 1024];
	struct ms_sdp ans;

	if (acc->ret_len && ms_base64_encode(acc->ret, acc->ret_len, b64, sizeof(b64)) != MS_OK)
		return -1;
	snprintf(line, sizeof(line), "%s\n", b64);
	if (a->ret && write_text(a->ret, line) != 0)
		return -1;
	if (!a->answer)
		return 0;
	if (!have_offer || ms_sdp_answer(offer, a->address, a->port, acc->ret_len ? b64 : NULL,
					 &ans) != MS_OK || ms_sdp_write(&ans, text, sizeof(text)) != MS_OK)
		return -1;
	return write_text(a->answer, text);
}

int cli_accept(const struct cli_args *a)
{
	static char in[IN_MAX], why[256];
	static struct ms_accepted acc;
	char replay[4096];
	const char *txt[MS_SDP_MAX_KEYS];
	size_t lens[MS_SDP_MAX_KEYS], n_in, start, end;
	unsigned n = 0, i;
	int have_offer = 0;
	struct ms_sdp sdp;
	struct ms_sdp_error serr;
	struct ms_accept_opts o = { a->window, a->at, NULL, a->ret != NULL, 0 };
	struct ms_ctx *c;
	ms_rc mrc;
	int rc;

	if (!a->in == !a->listen)
		return fprintf(stderr, "mikey-sakke: accept needs --in FILE or --listen ADDR:PORT\n"),
		       CLI_USAGE;
	n_in = a->in ? read_all(a->in, in, sizeof(in)) : listen_offer(a, in, sizeof(in));
	if (n_in == (size_t)-1 && a->listen)
		return fprintf(stderr, "mikey-sakke: no session for us on %s within %ld s\n", a->listen,
			       a->timeout), CLI_USAGE;
	if (n_in == (size_t)-1)
		return fprintf(stderr, "mikey-sakke: cannot read %s\n", a->in), CLI_USAGE;
	if (a->replay)
		snprintf(replay, sizeof(replay), "%s", a->replay);
	else if (ms_replay_default_path(replay, sizeof(replay)) != MS_OK)
		return fprintf(stderr, "mikey-sakke: no place for the replay cache (set HOME or "
			       "--replay-cache)\n"), CLI_USAGE;
	o.replay_path = replay;
	for (start = 0; start < n_in && isspace((unsigned char)in[start]); start++)
		;
	for (end = n_in; end > start && isspace((unsigned char)in[end - 1]); end--)
		;
	if (end - start >= 3 && memcmp(in + start, "v=0", 3) == 0) {
		const struct ms_sdp_key *k[MS_SDP_MAX_KEYS];

		if (ms_sdp_parse(in + start, n_in - start, &sdp, &serr) != MS_OK) {
			fprintf(stderr, "mikey-sakke: refused: malformed at offset 0: %s\n", serr.text);
			return CLI_REFUSED;
		}
		have_offer = 1;
		n = ms_sdp_media_keys(&sdp, k, MS_SDP_MAX_KEYS);
		for (i = 0; i < n; i++) {
			txt[i] = k[i]->b64;
			lens[i] = k[i]->len;
		}
	} else if (end > start) {
		txt[0] = in + start;
		lens[0] = end - start;
		n = 1;
	}
	rc = cli_open(a, &c);
	if (rc != CLI_OK)
		return rc;
	mrc = cli_accept_any(c, txt, lens, n, &o, &acc, why, sizeof(why));
	if (mrc == MS_OK) {
		printf("initiator=%s csb-id=%08x\n", acc.initiator, (unsigned)acc.csb_id);
		if (acc.has_key_params)
			print_key_params(&acc);
		if (a->show_keys)
			cli_print_keys(stdout, &acc.keys);
		if (write_outputs(a, &acc, &sdp, have_offer) != 0) {
			fprintf(stderr, "mikey-sakke: cannot write %s%s\n", a->answer ? "the answer to " : "",
				a->answer ? a->answer : a->ret);
			rc = CLI_USAGE;
		}
	} else if (mrc == MS_ERR_PKCS11 || mrc == MS_ERR_IO || mrc == MS_ERR_NOMEM) {
		fprintf(stderr, "mikey-sakke: %s %s\n", why, ms_ctx_error(c));
		rc = CLI_USAGE;
	} else {
		fprintf(stderr, "mikey-sakke: refused: %s\n", why);
		rc = CLI_REFUSED;
	}
	ms_accepted_clear(&acc);
	ms_ctx_close(c);
	return rc;
}
