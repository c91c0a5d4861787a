/* tests/fuzz/fuzz_tpmfile.c - libFuzzer target for the files of a TPM
 * store folder (tpm/tpm_files.c on tpm/tpm_codec.c): meta, so.pin and
 * user.pin, so.tries, rec.NAME (public and private) and the sealed
 * payloads, as a hostile store folder would hand them over.
 *
 * Input: one selector octet, then the file.  Selector bits 0-2 pick the
 * decoder; bit 3 appends the file's SHA-256 first, so that the fuzzer gets
 * past the checksum into the fields (files on disk carry a valid one when
 * an attacker wrote them with the format at hand).  Records are read under
 * the name FUZZ_RECORD_NAME (tests/fuzz/fuzz_seeds.c writes its seeds so).
 *
 * Promises checked besides "no crash": what decodes encodes again, and
 * the encoding decodes to the same values; views point inside the input.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>
#include "tpm/tpm_files.h"
#include "tpm/tpm_seal.h"
#include "tests/fuzz/fuzz_seeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* TSS2 keeps a TPM2B's size as read, and writes the size of what it
 * holds: compare sealed blobs as they would be written */
static int same_sealed(const tpm_sealed *a, const tpm_sealed *b)
{
	static uint8_t ba[4096], bb[4096];
	size_t la = 0, lb = 0;

	if (tpm_sealed_marshal(a, ba, sizeof ba, &la) != MST_OK ||
	    tpm_sealed_marshal(b, bb, sizeof bb, &lb) != MST_OK)
		return 0;
	return la == lb && memcmp(ba, bb, la) == 0;
}

static void meta(const uint8_t *f, size_t n)
{
	tpm_meta m, back;
	tpm_wbuf w = { 0 };

	if (tpm_meta_decode(f, n, &m) != MST_OK)
		return;
	tpm_meta_encode(&m, &w);
	if (w.err || tpm_meta_decode(w.buf, w.len, &back) != MST_OK ||
	    memcmp(&m, &back, sizeof m) != 0)
		abort();
	wbuf_free(&w);
}

static void auth(const uint8_t *f, size_t n)
{
	tpm_auth_file a, back;
	tpm_wbuf w = { 0 };

	if (tpm_auth_decode(f, n, &a) != MST_OK)
		return;
	/* a sealed blob TSS2 reads but would not write (e.g. an empty
	 * TPM2B_PUBLIC) cannot be written back: the store then reports an
	 * error, which is fine */
	tpm_auth_encode(&a, &w);
	if (!w.err && (tpm_auth_decode(w.buf, w.len, &back) != MST_OK || a.who != back.who ||
		       a.iterations != back.iterations ||
		       memcmp(a.salt, back.salt, sizeof a.salt) != 0 ||
		       !same_sealed(&a.sealed, &back.sealed)))
		abort();
	wbuf_free(&w);
}

static void tries(const uint8_t *f, size_t n)
{
	uint32_t t, back;
	tpm_wbuf w = { 0 };

	if (tpm_tries_decode(f, n, &t) != MST_OK)
		return;
	tpm_tries_encode(t, &w);
	if (w.err || tpm_tries_decode(w.buf, w.len, &back) != MST_OK || back != t)
		abort();
	wbuf_free(&w);
}

static void record(const uint8_t *f, size_t n)
{
	tpm_record_file r, back;
	tpm_wbuf w = { 0 };

	if (tpm_record_decode(f, n, FUZZ_RECORD_NAME, &r) != MST_OK)
		return;
	if (strcmp(r.name, FUZZ_RECORD_NAME) != 0 || r.body_len > n ||
	    (r.body_len && (r.body < f || r.body + r.body_len > f + n)))
		abort();
	if (!r.is_private) {
		tpm_record_encode_public(r.name, r.kind, r.body, r.body_len, &w);
	} else {
		if (r.aad_len > n)
			abort();
		tpm_record_head_private(r.name, r.kind, r.store_id, &r.sealed, r.iv, &w);
		if (w.err) {
			wbuf_free(&w);
			return;
		}
		/* not compared octet for octet: TSS2 writes a sealed blob's
		 * sizes anew (the GCM AAD is the head as read from the file) */
		wbuf_u32(&w, (uint32_t)r.body_len);
		wbuf_bytes(&w, r.body, r.body_len);
	}
	if (w.err || tpm_record_decode(w.buf, w.len, FUZZ_RECORD_NAME, &back) != MST_OK ||
	    back.is_private != r.is_private || back.kind != r.kind || back.body_len != r.body_len ||
	    (r.body_len && memcmp(back.body, r.body, r.body_len) != 0) ||
	    (r.is_private && (memcmp(back.store_id, r.store_id, sizeof r.store_id) != 0 ||
			      memcmp(back.iv, r.iv, sizeof r.iv) != 0 ||
			      !same_sealed(&back.sealed, &r.sealed))))
		abort();
	wbuf_free(&w);
}

static void payloads(const uint8_t *f, size_t n)
{
	uint8_t key[TPM_SECRET_LEN], again[TPM_SEAL_MAX];

	if (tpm_payload_secret_check(KEYSTORE_USER, f, n, key) == MST_OK &&
	    (tpm_payload_secret(KEYSTORE_USER, key, again) != n || memcmp(again, f, n) != 0))
		abort();
	if (tpm_payload_secret_check(KEYSTORE_SO, f, n, key) == MST_OK &&
	    (tpm_payload_secret(KEYSTORE_SO, key, again) != n || memcmp(again, f, n) != 0))
		abort();
	if (tpm_payload_record_check(FUZZ_RECORD_NAME, FUZZ_RECORD_KIND, f, n, key) == MST_OK &&
	    (tpm_payload_record(FUZZ_RECORD_NAME, FUZZ_RECORD_KIND, key, again) != n ||
	     memcmp(again, f, n) != 0))
		abort();
}

static void sealed(const uint8_t *f, size_t n)
{
	tpm_sealed s, back;
	uint8_t blob[4096];
	size_t used = 0, len = 0, used2 = 0;

	if (tpm_sealed_unmarshal(f, n, &used, &s) != MST_OK)
		return;
	if (used > n)
		abort();
	if (tpm_sealed_marshal(&s, blob, sizeof blob, &len) != MST_OK)
		return;         /* see auth() */
	if (tpm_sealed_unmarshal(blob, len, &used2, &back) != MST_OK || used2 != len ||
	    !same_sealed(&s, &back))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f;
	size_t n;

	if (size < 1 || size > 1 << 16)
		return 0;
	n = size - 1;
	f = malloc(n + SHA256_DIGEST_LENGTH);
	if (f == NULL)
		return 0;
	memcpy(f, data + 1, n);
	if (data[0] & 8) {
		SHA256(f, n, f + n);
		n += SHA256_DIGEST_LENGTH;
	}
	switch (data[0] & 7) {
	case 0: meta(f, n); break;
	case 1: auth(f, n); break;
	case 2: tries(f, n); break;
	case 3: case 4: record(f, n); break;
	case 5: payloads(f, n); break;
	default: sealed(f, n); break;
	}
	free(f);
	return 0;
}
