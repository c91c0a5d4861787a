/* tests/unit/test_mikey.c - the I_MESSAGE codec against the vendor messages
 * of tests/vectors/interop_vectors.json and against hand-made damage. */
#include "test_mikey_vectors.h"
#include "mikeysakke/mikey.h"

static struct tv_msg tv[TV_MAX];
static size_t n_tv;

static int load(void **state)
{
	n_tv = tv_load(tv, TV_MAX);
	return n_tv >= 24 ? 0 : -1;   /* 14 verified + 10 unverified today */
}

/* Every vendor message parses, re-encodes to the same octets, and yields
 * what the generated vectors state: CSB ID, PRF, NTP time, RAND, SAKKE data
 * and its params, the signature, and the span it covers in either form. */
static void test_vectors_parse_and_roundtrip(void **state)
{
	size_t i, verified = 0;

	for (i = 0; i < n_tv; i++) {
		const struct interop_message *v = tv[i].v;
		struct mikey_msg m;
		struct mikey_error err;
		uint8_t out[2048];
		size_t len = 0;
		const struct mikey_payload *rand, *sign, *sakke, *t;

		if (mikey_decode(tv[i].bytes, tv[i].len, &m, &err) != MS_OK)
			fail_msg("%s: %s", tv[i].name, err.text);
		assert_int_equal(m.hdr.data_type, MIKEY_DATA_TYPE_SAKKE);
		assert_int_equal(mikey_encoded_len(&m), tv[i].len);
		assert_int_equal(mikey_encode(&m, out, sizeof(out), &len), MS_OK);
		assert_int_equal(len, tv[i].len);
		assert_memory_equal(out, tv[i].bytes, len);

		t = mikey_find(&m, MIKEY_PT_T, -1);
		rand = mikey_find(&m, MIKEY_PT_RAND, -1);
		sakke = mikey_find(&m, MIKEY_PT_SAKKE, -1);
		sign = &m.pl[m.n_pl - 1];
		assert_non_null(t);
		assert_non_null(rand);
		assert_non_null(sakke);
		assert_int_equal(sign->type, MIKEY_PT_SIGN);
		assert_int_equal(sign->u.sign.s_type, MIKEY_SIGN_ECCSI);
		assert_int_equal(sign->u.sign.sig.len, MIKEY_ECCSI_SIG_LEN);
		if (!v)
			continue;
		verified++;
		assert_int_equal(m.hdr.csb_id, v->csb_id);
		assert_int_equal(m.hdr.prf, v->prf_func);
		assert_int_equal(t->u.t.value, v->ntp_time);
		assert_int_equal(rand->u.rand.value.len, v->rand_len);
		assert_memory_equal(rand->u.rand.value.ptr, v->rand, v->rand_len);
		assert_int_equal(sakke->u.sakke.params, v->sakke_params);
		assert_int_equal(sakke->u.sakke.id_scheme, v->sakke_id_scheme);
		assert_int_equal(sakke->u.sakke.data.len, v->sakke_data_len);
		assert_memory_equal(sakke->u.sakke.data.ptr, v->sakke_data, v->sakke_data_len);
		assert_memory_equal(sign->u.sign.sig.ptr, v->signature, v->signature_len);
		assert_int_equal(sign->offset, v->sign_payload_offset);
		assert_int_equal(v->signed_offset, 0);
		assert_int_equal(mikey_signed_len(sign->offset, v->signed_with_sign_header ?
						  MIKEY_SIG_RFC : MIKEY_SIG_BEFORE_SIGN), v->signed_len);
	}
	print_message("%zu messages parsed, %zu checked field by field\n", n_tv, verified);
	assert_true(verified >= 14);
	assert_true(n_tv - verified >= 10);
}

/* Cut short anywhere: refused, with an offset inside the message. */
static void test_truncation_refused_everywhere(void **state)
{
	size_t i, cut;

	for (i = 0; i < n_tv; i++) {
		for (cut = 0; cut < tv[i].len; cut++) {
			struct mikey_msg m;
			struct mikey_error err;

			assert_int_equal(mikey_decode(tv[i].bytes, cut, &m, &err), MS_ERR_MALFORMED);
			assert_true(err.offset <= cut);
			assert_memory_equal(err.text, "offset ", 7);
		}
	}
}

/* One flipped bit anywhere (so in every length field too): either refused
 * with an offset, or parsed into a message that encodes back to exactly
 * the flipped octets (no silent over- or under-read). */
static void test_bit_flips_refused_or_consistent(void **state)
{
	size_t i, pos;
	int bit;
	unsigned refused = 0, parsed = 0;

	for (i = 0; i < n_tv; i++) {
		uint8_t buf[2048], out[2048];

		memcpy(buf, tv[i].bytes, tv[i].len);
		for (pos = 0; pos < tv[i].len; pos++) {
			for (bit = 0; bit < 8; bit++) {
				struct mikey_msg m;
				struct mikey_error err;
				size_t len;

				buf[pos] ^= (uint8_t)(1u << bit);
				if (mikey_decode(buf, tv[i].len, &m, &err) == MS_OK) {
					assert_int_equal(mikey_encode(&m, out, sizeof(out), &len), MS_OK);
					assert_int_equal(len, tv[i].len);
					assert_memory_equal(out, buf, len);
					parsed++;
				} else {
					assert_true(err.offset <= tv[i].len);
					refused++;
				}
				buf[pos] ^= (uint8_t)(1u << bit);
			}
		}
	}
	assert_true(refused > 1000);
	assert_true(parsed > 1000);
}

/* A message built from its parts, as the initiator does. */
static void build(struct mikey_msg *m, uint8_t *rand, uint8_t *sakke, uint8_t *sig)
{
	struct mikey_payload *p;
	static const uint8_t uri_i[] = "sip:alice@example.org", uri_r[] = "sip:bob@example.org";

	memset(m, 0, sizeof(*m));
	memset(rand, 0xa5, 16);
	memset(sakke, 0x04, MIKEY_SAKKE_DATA_LEN);
	memset(sig, 0x5a, MIKEY_ECCSI_SIG_LEN);
	m->hdr.version = MIKEY_VERSION;
	m->hdr.data_type = MIKEY_DATA_TYPE_SAKKE;
	m->hdr.prf = 1;
	m->hdr.csb_id = 0x01020304;
	m->hdr.n_cs = 1;
	m->hdr.map_type = MIKEY_MAP_GENERIC_ID;
	m->hdr.map.generic[0].cs_id = 4;
	p = mikey_add(m, MIKEY_PT_T);
	p->u.t.value = mikey_ntp_from_unix(1700000000);
	p = mikey_add(m, MIKEY_PT_RAND);
	p->u.rand.value = (struct mikey_bytes){ rand, 16 };
	p = mikey_add(m, MIKEY_PT_IDR);
	p->u.idr = (struct mikey_idr){ MIKEY_IDR_I, MIKEY_ID_URI, { uri_i, sizeof(uri_i) - 1 } };
	p = mikey_add(m, MIKEY_PT_IDR);
	p->u.idr = (struct mikey_idr){ MIKEY_IDR_R, MIKEY_ID_URI, { uri_r, sizeof(uri_r) - 1 } };
	p = mikey_add(m, MIKEY_PT_SAKKE);
	p->u.sakke = (struct mikey_sakke){ 1, 1, { sakke, MIKEY_SAKKE_DATA_LEN } };
	p = mikey_add(m, MIKEY_PT_SIGN);
	p->u.sign = (struct mikey_sign){ MIKEY_SIGN_ECCSI, { sig, MIKEY_ECCSI_SIG_LEN } };
}

static void test_build_encode_decode(void **state)
{
	struct mikey_msg m, d;
	uint8_t rand[16], sakke[MIKEY_SAKKE_DATA_LEN], sig[MIKEY_ECCSI_SIG_LEN], out[1024];
	size_t len;
	const struct mikey_payload *p;

	build(&m, rand, sakke, sig);
	assert_int_equal(mikey_encode(&m, out, sizeof(out), &len), MS_OK);
	/* HDR 10 + GENERIC-ID 6, T 10, RAND 18, IDRs 5+21 and 5+19, SAKKE 5+273, SIGN 2+129 */
	assert_int_equal(len, 16 + 10 + 18 + 26 + 24 + 278 + 131);
	assert_hex_equal(out, 16, "011a0501010203040102040000000000");
	assert_int_equal(mikey_encode(&m, out, len - 1, &len), MS_ERR_BUFFER);
	assert_int_equal(mikey_encode(&m, out, sizeof(out), &len), MS_OK);
	assert_int_equal(mikey_decode(out, len, &d, NULL), MS_OK);
	p = mikey_find(&d, MIKEY_PT_IDR, MIKEY_IDR_R);
	assert_non_null(p);
	assert_int_equal(p->u.idr.data.len, 19);
	assert_memory_equal(p->u.idr.data.ptr, "sip:bob@example.org", 19);
	assert_int_equal(mikey_unix_from_t(&mikey_find(&d, MIKEY_PT_T, -1)->u.t), 1700000000);
	p = mikey_find(&d, MIKEY_PT_SIGN, -1);
	assert_int_equal(mikey_signed_len(p->offset, MIKEY_SIG_RFC), len - 129);
	assert_int_equal(mikey_signed_len(p->offset, MIKEY_SIG_BEFORE_SIGN), len - 131);

	/* SIGN must stay last; field overflows are refused, not truncated */
	m.pl[m.n_pl - 1].type = MIKEY_PT_SAKKE;
	mikey_add(&m, MIKEY_PT_SIGN);
	m.pl[m.n_pl - 2].type = MIKEY_PT_SIGN;
	assert_int_equal(mikey_encoded_len(&m), 0);
	build(&m, rand, sakke, sig);
	m.pl[1].u.rand.value.len = 256;
	assert_int_equal(mikey_encoded_len(&m), 0);
}

static void expect_refusal(const char *hex, const char *text)
{
	size_t len;
	uint8_t *b = test_hex(hex, &len);
	struct mikey_msg m;
	struct mikey_error err;

	assert_int_equal(mikey_decode(b, len, &m, &err), MS_ERR_MALFORMED);
	assert_string_equal(err.text, text);
	free(b);
}

/* The refusals name offset and field. */
static void test_refusal_texts(void **state)
{
	/* HDR(Empty map) -> SAKKE whose length says 300 with 12 octets left */
	expect_refusal("011a1a0101020304 0001" "00 01 02 012c" "000102030405060708090a0b",
		       "offset 13: SAKKE data length 300 exceeds remaining 12");
	expect_refusal("021a000001020304 0001", "offset 0: HDR version 2, expected 1");
	expect_refusal("0105000001020304 0001",
		       "offset 1: HDR data type 5 is not a SAKKE I_MESSAGE (26)");
	expect_refusal("011a000001020304 0003", "offset 9: HDR CS ID map type 3 unknown");
	expect_refusal("011a000001020304 1100", "offset 8: HDR #CS 17 exceeds the 16 supported");
	expect_refusal("011a030001020304 0001 00", "offset 2: Next payload type 3 not supported");
	expect_refusal("011a0b0001020304 0001 00 08 0102030405060708",
		       "offset 11: RAND length 8 below the 16 octets RFC 3830 requires");
	expect_refusal("011a050001020304 0001 00 07 0000000000000000",
		       "offset 11: T TS type 7 unknown");
	expect_refusal("011a000001020304 0001 ff", "offset 10: 1 octets after the last payload");
	expect_refusal("011a0a0001020304 0001 00 00 00 0004 0105 0102",
		       "offset 16: SP parameter 1 length 5 exceeds remaining 2");
	expect_refusal("011a040001020304 0001 2081 00",
		       "offset 10: SIGN signature length 129 exceeds remaining 1");
	expect_refusal("011a040001020304 0001 2001 0000",
		       "offset 13: 1 octets after the last payload");
	expect_refusal("011a000001020304 0102 01 00 02 00",
		       "offset 12: GENERIC-ID #P policy list length 2 exceeds remaining 1");
	expect_refusal("011a0e0001020304 0001 00 01 01 0010 41",
		       "offset 13: IDR ID data length 16 exceeds remaining 1");
	expect_refusal("011a", "offset 2: HDR next payload needs 1 octets, 0 remain");
}

/* NTP conversions used for the timestamp window. */
static void test_ntp(void **state)
{
	struct mikey_t t = { MIKEY_TS_NTP_UTC, 0xec898da800000000ULL };
	struct mikey_t t32 = { MIKEY_TS_NTP_UTC_32, 0xec898da8ULL };
	struct mikey_t c = { MIKEY_TS_COUNTER, 5 };

	assert_int_equal(mikey_unix_from_t(&t), 0xec898da8LL - 2208988800LL);
	assert_int_equal(mikey_unix_from_t(&t32), mikey_unix_from_t(&t));
	assert_true(mikey_unix_from_t(&c) == INT64_MIN);
	/* seconds in the low half (Thales): 0xe43d14c0 = 2021-05-05T12:57:36Z */
	t.value = 0xe43d14c0ULL;
	assert_int_equal(mikey_unix_from_t(&t), 1620219456);
	t.value = mikey_ntp_from_unix(0);
	assert_int_equal(t.value >> 32, 2208988800ULL);
	assert_int_equal(mikey_unix_from_t(&t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_parse_and_roundtrip),
		cmocka_unit_test(test_truncation_refused_everywhere),
		cmocka_unit_test(test_bit_flips_refused_or_consistent),
		cmocka_unit_test(test_build_encode_decode),
		cmocka_unit_test(test_refusal_texts),
		cmocka_unit_test(test_ntp),
	};
	return cmocka_run_group_tests(tests, load, NULL);
}
