/* tests/fuzz/fuzz_sdp.c - libFuzzer target for the SDP key-mgmt parser
 * (a=key-mgmt:mikey lines, RFC 4567) and the session-initialisation
 * message that carries an SDP offer.
 *
 * Promises checked besides "no crash": every view the parsers return lies
 * inside the input; a description that parses writes back, and what was
 * written parses to the same media, formats and keys; an answer to a
 * parsed offer writes and parses too.
 */
#include <stdlib.h>
#include <string.h>
#include "mikeysakke/sdp.h"
#include "mikeysakke/announce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const char *p, size_t n, const uint8_t *data, size_t size)
{
	return p >= (const char *)data && n <= size && p + n <= (const char *)data + size;
}

static unsigned n_at(const struct ms_sdp *d, enum ms_sdp_level level)
{
	unsigned i, n = 0;

	for (i = 0; i < d->n_keys; i++)
		n += d->keys[i].level == level;
	return n;
}

static void same_or_abort(const struct ms_sdp *a, const struct ms_sdp *b)
{
	unsigned i;

	if (a->port != b->port || a->n_fmts != b->n_fmts || a->n_keys != b->n_keys ||
	    memcmp(a->fmts, b->fmts, a->n_fmts) != 0 || strcmp(a->rtpmap, b->rtpmap) != 0 ||
	    strcmp(a->address, b->address) != 0 || strcmp(a->proto, b->proto) != 0)
		abort();
	for (i = 0; i < a->n_keys; i++)
		if (a->keys[i].level != b->keys[i].level || a->keys[i].len != b->keys[i].len ||
		    memcmp(a->keys[i].b64, b->keys[i].b64, a->keys[i].len) != 0)
			abort();
}

static void sdp(const uint8_t *data, size_t size)
{
	static char out[1 << 17];
	struct ms_sdp d, back, ans;
	struct ms_sdp_error err;
	const struct ms_sdp_key *media[MS_SDP_MAX_KEYS];
	unsigned i, n;

	if (ms_sdp_parse((const char *)data, size, &d, &err) != MS_OK) {
		if (strnlen(err.text, sizeof err.text) == sizeof err.text)
			abort();
		return;
	}
	if (d.n_keys > MS_SDP_MAX_KEYS || d.n_fmts > MS_SDP_MAX_FMTS)
		abort();
	for (i = 0; i < d.n_keys; i++)
		if (!inside(d.keys[i].b64, d.keys[i].len, data, size))
			abort();
	/* the media's keys: media-level ones override session-level ones */
	n = ms_sdp_media_keys(&d, media, MS_SDP_MAX_KEYS);
	for (i = 0; i < n; i++)
		if (media[i]->level != media[0]->level ||
		    (media[i]->level == MS_SDP_SESSION && n_at(&d, MS_SDP_MEDIA) != 0))
			abort();
	if (n != n_at(&d, n ? media[0]->level : MS_SDP_MEDIA))
		abort();
	if (ms_sdp_write(&d, out, sizeof out) == MS_OK) {
		if (ms_sdp_parse(out, strlen(out), &back, &err) != MS_OK)
			abort();
		same_or_abort(&d, &back);
	}
	if (ms_sdp_answer(&d, "192.0.2.1", 4000, n ? "AQID" : NULL, &ans) == MS_OK &&
	    ms_sdp_write(&ans, out, sizeof out) == MS_OK &&
	    ms_sdp_parse(out, strlen(out), &back, &err) != MS_OK)
		abort();
}

static void announce(const uint8_t *data, size_t size)
{
	struct ms_announce a;
	unsigned i;

	if (ms_announce_parse((const char *)data, size, &a) != MS_OK)
		return;
	if (a.n_targets > MS_ANNOUNCE_MAX_TARGETS || !inside(a.sdp, a.sdp_len, data, size))
		abort();
	for (i = 0; i < a.n_targets; i++)
		if (!inside(a.target[i], a.target_len[i], data, size))
			abort();
	(void)ms_announce_names(&a, "sip:alice@example.org");
	sdp((const uint8_t *)a.sdp, a.sdp_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sdp(data, size);
	announce(data, size);
	return 0;
}
