/* client/cli_create.c - "mikey-sakke create": one SSV, one I_MESSAGE per
 * recipient, printed as an SDP offer (a=key-mgmt:mikey per recipient at
 * media level) or as base64 lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mikeysakke/codec.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "mikeysakke/announce.h"
#include "mikeysakke/sdp.h"
#include "client/cli.h"

#define B64_MAX (MS_IMSG_MAX / 3 * 4 + 8)

/* Network-independent flow: the offer broadcast to every member at once. */
static int announce(const struct cli_args *a, const char *sdp)
{
	static char dgram[MS_UDP_MAX];
	struct sockaddr_in to;
	size_t len;
	int s, ok;

	if (ms_announce_write(a->to, (unsigned)a->n_to, sdp, dgram, sizeof(dgram), &len) != MS_OK)
		return -1;
	s = ms_udp_open(a->announce, 1, &to);
	if (s < 0)
		return -1;
	ok = sendto(s, dgram, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len;
	close(s);
	return ok ? 0 : -1;
}

static int write_output(const struct cli_args *a, const struct ms_created *cr,
			char b64[][B64_MAX], FILE *f)
{
	struct ms_sdp d;
	static char text[MS_SDP_MAX_KEYS * B64_MAX + 1024];
	size_t i;

	if (a->base64) {
		for (i = 0; i < cr->n; i++)
			fprintf(f, "%s\n", b64[i]);
		return 0;
	}
	memset(&d, 0, sizeof(d));
	snprintf(d.origin_user, sizeof(d.origin_user), "-");
	d.session_id = cr->csb_id;
	d.session_version = 1;
	snprintf(d.address, sizeof(d.address), "%s", a->address);
	snprintf(d.session_name, sizeof(d.session_name), "%s", cr->n > 1 ? "group" : "call");
	d.port = a->port;
	snprintf(d.proto, sizeof(d.proto), "RTP/SAVP");
	d.n_fmts = 1;
	d.fmts[0] = 0;
	snprintf(d.rtpmap, sizeof(d.rtpmap), "PCMU/8000");
	d.n_keys = (unsigned)cr->n;
	for (i = 0; i < cr->n; i++)
		d.keys[i] = (struct ms_sdp_key){ MS_SDP_MEDIA, b64[i], strlen(b64[i]) };
	if (ms_sdp_write(&d, text, sizeof(text)) != MS_OK)
		return -1;
	if (a->announce && announce(a, text) != 0) {
		fprintf(stderr, "mikey-sakke: cannot announce to %s\n", a->announce);
		return -1;
	}
	fputs(text, f);
	return 0;
}

int cli_create(const struct cli_args *a)
{
	static struct ms_created cr;
	char (*b64)[B64_MAX];
	struct ms_create_req r;
	struct ms_ctx *c;
	FILE *f = stdout;
	size_t i;
	int rc;
	ms_rc mrc;

	if (!a->from || a->n_to == 0)
		return fprintf(stderr, "mikey-sakke: create needs --from and at least one --to\n"),
		       CLI_USAGE;
	if (!a->base64 && a->n_to > MS_SDP_MAX_KEYS)
		return fprintf(stderr, "mikey-sakke: an SDP offer carries at most %d keys: "
			       "--format base64 for %zu members\n", MS_SDP_MAX_KEYS, a->n_to), CLI_USAGE;
	rc = cli_open(a, &c);
	if (rc != CLI_OK)
		return rc;
	r = (struct ms_create_req){ a->from, a->to, a->n_to, a->prf, a->suite, a->n_to > 1, a->at };
	mrc = ms_create(c, &r, &cr);
	if (mrc != MS_OK) {
		fprintf(stderr, "mikey-sakke: cannot create: %s%s%s\n", ms_strerror(mrc),
			ms_ctx_error(c)[0] ? ": " : "", ms_ctx_error(c));
		ms_ctx_close(c);
		return mrc == MS_ERR_NOT_FOUND || mrc == MS_ERR_ARGS ? CLI_USAGE : CLI_REFUSED;
	}
	b64 = calloc(cr.n, sizeof(*b64));
	for (i = 0; b64 != NULL && i < cr.n; i++)
		ms_base64_encode(cr.msg[i], cr.len[i], b64[i], sizeof(b64[i]));
	if (b64 == NULL) {
		fprintf(stderr, "mikey-sakke: out of memory\n");
		rc = CLI_REFUSED;
	} else if (a->out && !(f = fopen(a->out, "w"))) {
		fprintf(stderr, "mikey-sakke: cannot write %s\n", a->out);
		rc = CLI_USAGE;
	} else if (write_output(a, &cr, b64, f) != 0 || (f != stdout && fclose(f) != 0)) {
		fprintf(stderr, "mikey-sakke: cannot write the offer\n");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && a->show_keys)
		cli_print_keys(stdout, &cr.keys);
	free(b64);
	ms_created_clear(c, &cr);
	ms_ctx_close(c);
	return rc;
}
