/* tests/fuzz/fuzz_imessage.c - libFuzzer target for the I_MESSAGE decoder.
 *
 * Build with clang -fsanitize=fuzzer,address (see doc/client.md) or run
 * through tests/fuzz/fuzz_replay.c in make check.  Besides "no crash", it
 * checks the codec's promise: whatever decodes re-encodes to the same
 * octets, and a refusal names an offset inside the input.  The same bytes
 * also go through the SDP and session-initialisation parsers, which must
 * keep every view inside the input.
 */

#include <stdlib.h>
#include <string.h>
#include "mikeysakke/mikey.h"
#include "mikeysakke/keyparams.h"
#include "mikeysakke/announce.h"
#include "mikeysakke/sdp.h"
#include "tests/fuzz/fuzz_imessage.h"

static void text_parsers(const uint8_t *data, size_t size)
{
	struct ms_sdp d;
	struct ms_announce an;
	unsigned i;

	if (ms_sdp_parse((const char *)data, size, &d, NULL) == MS_OK)
		for (i = 0; i < d.n_keys; i++)
			if (d.keys[i].b64 < (const char *)data ||
			    d.keys[i].b64 + d.keys[i].len > (const char *)data + size)
				abort();
	if (ms_announce_parse((const char *)data, size, &an) == MS_OK &&
	    (an.sdp < (const char *)data || an.sdp + an.sdp_len > (const char *)data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mikey_msg m;
	struct mikey_error err;
	static uint8_t out[1 << 16];
	size_t len = 0, i;

	text_parsers(data, size);
	if (mikey_decode(data, size, &m, &err) != MS_OK) {
		if (err.offset > size || strncmp(err.text, "offset ", 7) != 0)
			abort();
		return 0;
	}
	if (size > sizeof(out) || mikey_encode(&m, out, sizeof(out), &len) != MS_OK ||
	    len != size || memcmp(out, data, size) != 0)
		abort();
	for (i = 0; i < m.n_pl; i++) {
		struct mikey_keyparams_env env;
		const struct mikey_payload *p = &m.pl[i];

		if (p->type == MIKEY_PT_GEXT && p->u.gext.type == MIKEY_GEXT_KEY_PARAMS)
			(void)mikey_keyparams_env_decode(&p->u.gext.data, &env, &err);
	}
	return 0;
}
