/* tests/unit/test_mikey_prf.c - MIKEY PRF (RFC 3830 4.1.2, RFC 6043 6.1)
 * and key derivation (RFC 3830 4.1.3).
 *
 * PRF-HMAC-SHA-256 is checked against the vendor vectors of
 * interop_vectors.json.  RFC 3830 publishes no vectors for MIKEY-1
 * (HMAC-SHA-1), so it is checked against a second, deliberately different
 * transcription of the 4.1.2 formula below: whole P-function outputs built
 * first, then XORed, with OpenSSL's one-shot HMAC(). */
#include "test_util.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "token/mikey_prf.h"
#include "vectors/interop_vectors.h"

/* ---- reference transcription of RFC 3830 4.1.2 ------------------------- */

#define REF_MAX 2048

/* P(s, label, m): A_0 = label, A_i = HMAC(s, A_(i-1)), output the
 * concatenation of HMAC(s, A_i || label) for i = 1..m. */
static void ref_p(const EVP_MD *md, const uint8_t *s, size_t s_len, const uint8_t *label,
		  size_t label_len, unsigned m, uint8_t *out)
{
	uint8_t a[EVP_MAX_MD_SIZE], buf[EVP_MAX_MD_SIZE + 512];
	unsigned alen = 0, olen = 0, i, h = (unsigned)EVP_MD_get_size(md);

	assert_true(label_len <= 512);
	assert_non_null(HMAC(md, s, (int)s_len, label, label_len, a, &alen)); /* A_1 */
	for (i = 0; i < m; i++) {
		memcpy(buf, a, alen);
		memcpy(buf + alen, label, label_len);
		assert_non_null(HMAC(md, s, (int)s_len, buf, alen + label_len, out + i * h, &olen));
		assert_non_null(HMAC(md, s, (int)s_len, a, alen, a, &alen)); /* A_(i+1) */
	}
}

static void ref_prf(const EVP_MD *md, const uint8_t *inkey, size_t inkey_len,
		    const uint8_t *label, size_t label_len, uint8_t *out, size_t out_len)
{
	unsigned h = (unsigned)EVP_MD_get_size(md);
	unsigned n = (unsigned)((inkey_len * 8 + 255) / 256);  /* 256-bit blocks */
	unsigned m = (unsigned)((out_len * 8 + h * 8 - 1) / (h * 8));
	uint8_t acc[REF_MAX], p[REF_MAX];
	unsigned i;
	size_t k;

	assert_true(m * h <= REF_MAX);
	memset(acc, 0, sizeof(acc));
	for (i = 0; i < n; i++) {
		size_t off = (size_t)i * 32;
		size_t len = inkey_len - off < 32 ? inkey_len - off : 32;

		ref_p(md, inkey + off, len, label, label_len, m, p);
		for (k = 0; k < (size_t)m * h; k++)
			acc[k] ^= p[k];
	}
	memcpy(out, acc, out_len); /* the outkey_len most significant bits */
}

/* ---- tests ---------------------------------------------------------------- */

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 3));
}

/* Both PRFs against the reference, over inkey lengths that cross the
 * 256-bit chunk boundary and output lengths that cross the hash size. */
static void test_prf_matches_reference(void **state)
{
	static const size_t inkey_lens[] = { 1, 16, 31, 32, 33, 64, 65, 100 };
	static const size_t out_lens[] = { 1, 16, 20, 21, 30, 32, 33, 64, 100, 1024 };
	const mikey_prf_id prfs[2] = { MIKEY_PRF_HMAC_SHA1, MIKEY_PRF_HMAC_SHA256 };
	uint8_t inkey[100], label[41], got[1024], want[1024];
	size_t a, b;
	int p;

	(void)state;
	pattern(label, sizeof(label), 3);
	for (p = 0; p < 2; p++) {
		const EVP_MD *md = p == 0 ? EVP_sha1() : EVP_sha256();

		for (a = 0; a < sizeof(inkey_lens) / sizeof(inkey_lens[0]); a++) {
			pattern(inkey, inkey_lens[a], (unsigned)a);
			for (b = 0; b < sizeof(out_lens) / sizeof(out_lens[0]); b++) {
				assert_int_equal(mikey_prf(prfs[p], inkey, inkey_lens[a], label,
							   sizeof(label), got, out_lens[b]), MST_OK);
				ref_prf(md, inkey, inkey_lens[a], label, sizeof(label), want, out_lens[b]);
				if (memcmp(got, want, out_lens[b]) != 0)
					fail_msg("PRF %d inkey %zu out %zu differs", p, inkey_lens[a],
						 out_lens[b]);
			}
		}
	}
}

/* A direct check of the smallest case: one chunk, one block, so
 * PRF = HMAC(s, HMAC(s, label) || label), computed here by hand. */
static void test_prf_one_block_by_hand(void **state)
{
	static const uint8_t key[16] = "0123456789abcdef";
	static const uint8_t label[] = { 0x2A, 0xD0, 0x1C, 0x64, 0x00, 0x01, 0x02, 0x03, 0x04 };
	const struct { mikey_prf_id prf; const EVP_MD *md; unsigned h; } cases[2] = {
		{ MIKEY_PRF_HMAC_SHA1, EVP_sha1(), 20 },
		{ MIKEY_PRF_HMAC_SHA256, EVP_sha256(), 32 },
	};
	uint8_t a1[32], buf[32 + sizeof(label)], want[32], got[32];
	unsigned len = 0;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		unsigned h = cases[i].h;

		assert_non_null(HMAC(cases[i].md, key, sizeof(key), label, sizeof(label), a1, &len));
		memcpy(buf, a1, h);
		memcpy(buf + h, label, sizeof(label));
		assert_non_null(HMAC(cases[i].md, key, sizeof(key), buf, h + sizeof(label), want, &len));
		assert_int_equal(len, h);
		assert_int_equal(mikey_prf(cases[i].prf, key, sizeof(key), label, sizeof(label), got, h),
				 MST_OK);
		assert_memory_equal(got, want, h);
	}
}

static mikey_key_kind kind_of(const char *name)
{
	static const struct { const char *name; mikey_key_kind kind; } kinds[] = {
		{ "tek", MIKEY_KEY_TEK }, { "salt", MIKEY_KEY_SALT },
		{ "enc", MIKEY_KEY_ENC }, { "auth", MIKEY_KEY_AUTH },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i].name) == 0)
			return kinds[i].kind;
	fail_msg("unknown key kind %s in the vectors", name);
	return MIKEY_KEY_TEK;
}

/* Every PRF-HMAC-SHA-256 vector of interop_vectors.json (the key and salt
 * an SRTP master key set takes from a GMK/CSK/PCK and the I_MESSAGE). */
static void test_interop_kdf_vectors(void **state)
{
	size_t i, d, checked = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_kdf_vectors); i++) {
		const struct interop_kdf_vector *v = &interop_kdf_vectors[i];
		uint8_t got[64];
		size_t off = 0;

		for (d = 0; d < 2; d++) {
			size_t n = v->derive[d].bits / 8;

			assert_true(off + n <= sizeof(got));
			assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA256, v->ssv, v->ssv_len,
						      kind_of(v->derive[d].kind), v->cs_id, v->csb_id,
						      v->rand, v->rand_len, got + off, n), MST_OK);
			off += n;
		}
		assert_int_equal(off, v->expected_len);
		if (memcmp(got, v->expected, off) != 0)
			fail_msg("%s vector %zu differs", v->set, i);
		checked++;
	}
	assert_int_equal(checked, 11);
}

/* Each label constant of RFC 3830 Table 4.1.3 goes first in the label,
 * then CS ID, CSB ID (big-endian) and RAND. */
static void test_label_constants(void **state)
{
	static const struct { mikey_key_kind kind; uint8_t c[4]; } k[] = {
		{ MIKEY_KEY_TEK,  { 0x2A, 0xD0, 0x1C, 0x64 } },
		{ MIKEY_KEY_AUTH, { 0x1B, 0x5C, 0x79, 0x73 } },
		{ MIKEY_KEY_ENC,  { 0x15, 0x79, 0x8C, 0xEF } },
		{ MIKEY_KEY_SALT, { 0x39, 0xA2, 0xC1, 0x4B } },
	};
	uint8_t tgk[16], rand[16], label[9 + 16], got[16], want[16];
	size_t i;
	int p;

	(void)state;
	pattern(tgk, sizeof(tgk), 9);
	pattern(rand, sizeof(rand), 5);
	for (p = 0; p < 2; p++)
		for (i = 0; i < 4; i++) {
			memcpy(label, k[i].c, 4);
			label[4] = 0x07;                                   /* CS ID */
			memcpy(label + 5, "\x12\x34\x56\x78", 4);          /* CSB ID */
			memcpy(label + 9, rand, sizeof(rand));
			assert_int_equal(mikey_prf((mikey_prf_id)p, tgk, sizeof(tgk), label,
						   sizeof(label), want, sizeof(want)), MST_OK);
			assert_int_equal(mikey_derive((mikey_prf_id)p, tgk, sizeof(tgk), k[i].kind, 0x07,
						      0x12345678u, rand, sizeof(rand), got, sizeof(got)),
					 MST_OK);
			assert_memory_equal(got, want, sizeof(got));
		}
	/* the four keys differ from one another */
	for (i = 0; i < 4; i++) {
		uint8_t other[16];

		assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA256, tgk, sizeof(tgk), k[i].kind, 0, 1,
					      rand, sizeof(rand), got, sizeof(got)), MST_OK);
		assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA256, tgk, sizeof(tgk),
					      k[(i + 1) % 4].kind, 0, 1, rand, sizeof(rand), other,
					      sizeof(other)), MST_OK);
		assert_memory_not_equal(got, other, sizeof(got));
	}
}

static void test_bad_arguments(void **state)
{
	uint8_t key[16] = { 1 }, rand[256] = { 0 }, out[1025];

	(void)state;
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, NULL, 16, rand, 4, out, 16), MST_ERR_ARGS);
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, key, 0, rand, 4, out, 16), MST_ERR_ARGS);
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, key, 16, NULL, 4, out, 16), MST_ERR_ARGS);
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, key, 16, rand, 4, NULL, 16), MST_ERR_ARGS);
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, key, 16, rand, 4, out, 0), MST_ERR_ARGS);
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, key, 16, rand, 4, out, 1025), MST_ERR_RANGE);
	assert_int_equal(mikey_prf(MIKEY_PRF_HMAC_SHA256, key, 16, rand, 4, out, 1024), MST_OK);
	assert_int_equal(mikey_prf((mikey_prf_id)2, key, 16, rand, 4, out, 16), MST_ERR_UNSUPPORTED);
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA1, key, 16, MIKEY_KEY_TEK, 0, 0, rand, 256,
				      out, 16), MST_ERR_RANGE);
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA1, key, 16, MIKEY_KEY_TEK, 0, 0, rand, 255,
				      out, 16), MST_OK);
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA1, key, 16, (mikey_key_kind)9, 0, 0, rand,
				      16, out, 16), MST_ERR_ARGS);
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA1, key, 16, MIKEY_KEY_TEK, 0, 0, NULL, 16,
				      out, 16), MST_ERR_ARGS);
	assert_int_equal(mikey_derive(MIKEY_PRF_HMAC_SHA1, NULL, 16, MIKEY_KEY_TEK, 0, 0, rand, 16,
				      out, 16), MST_ERR_ARGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prf_matches_reference),
		cmocka_unit_test(test_prf_one_block_by_hand),
		cmocka_unit_test(test_interop_kdf_vectors),
		cmocka_unit_test(test_label_constants),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
