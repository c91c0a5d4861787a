/* tests/unit/test_srtp.c - SRTP/SRTCP through libsrtp2 for both suites:
 * round trip between independent sender and receiver contexts, tampered,
 * replayed and wrongly keyed packets refused. */
#include "test_util.h"
#include "mikeysakke/srtp.h"

static const uint8_t key[16] = { 0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
				 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39 };
static const uint8_t salt[14] = { 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
				  0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6 };

static size_t rtp_packet(uint8_t *buf, uint16_t seq)
{
	size_t i;

	ms_rtp_header(buf, 0, seq, 160u * seq, 0xdecafbad);
	for (i = 0; i < 160; i++)
		buf[MS_RTP_HEADER_LEN + i] = (uint8_t)(i * 7 + seq);
	return MS_RTP_HEADER_LEN + 160;
}

static void pair(enum ms_srtp_suite suite, struct ms_srtp **tx, struct ms_srtp **rx)
{
	size_t sl = ms_srtp_salt_len(suite);

	assert_int_equal(ms_srtp_new(tx, suite, MS_SRTP_OUTBOUND, key, 16, salt, sl), MS_OK);
	assert_int_equal(ms_srtp_new(rx, suite, MS_SRTP_INBOUND, key, 16, salt, sl), MS_OK);
}

static void rtp_suite(enum ms_srtp_suite suite, size_t tag_len)
{
	struct ms_srtp *tx, *rx;
	uint8_t pkt[256], plain[256], saved[256];
	size_t len, plen, slen;
	uint16_t seq;

	pair(suite, &tx, &rx);
	for (seq = 1; seq <= 50; seq++) {
		plen = rtp_packet(plain, seq);
		memcpy(pkt, plain, plen);
		len = plen;
		assert_int_equal(ms_srtp_protect(tx, pkt, &len, sizeof(pkt)), MS_OK);
		assert_int_equal(len, plen + tag_len);
		/* header in the clear, payload not */
		assert_memory_equal(pkt, plain, MS_RTP_HEADER_LEN);
		assert_memory_not_equal(pkt + MS_RTP_HEADER_LEN, plain + MS_RTP_HEADER_LEN, 160);
		if (seq == 10) {
			memcpy(saved, pkt, len);
			slen = len;
		}
		if (seq == 20) {
			/* one flipped bit in the payload, then in the tag; a refused
			 * AEAD packet may be left decrypted in place, so work on copies */
			uint8_t bad[256];
			size_t blen = len;

			memcpy(bad, pkt, len);
			bad[40] ^= 0x01;
			assert_int_equal(ms_srtp_unprotect(rx, bad, &blen), MS_ERR_SRTP);
			memcpy(bad, pkt, len);
			bad[len - 1] ^= 0x80;
			assert_int_equal(ms_srtp_unprotect(rx, bad, &blen), MS_ERR_SRTP);
		}
		assert_int_equal(ms_srtp_unprotect(rx, pkt, &len), MS_OK);
		assert_int_equal(len, plen);
		assert_memory_equal(pkt, plain, plen);
	}
	/* packet 10 again: replay */
	assert_int_equal(ms_srtp_unprotect(rx, saved, &slen), MS_ERR_REPLAY);
	/* truncated below a header */
	len = 8;
	assert_int_equal(ms_srtp_unprotect(rx, pkt, &len), MS_ERR_SRTP);
	/* no room for the tag */
	len = rtp_packet(pkt, 60);
	assert_int_equal(ms_srtp_protect(tx, pkt, &len, len + 4), MS_ERR_BUFFER);
	ms_srtp_free(tx);
	ms_srtp_free(rx);
}

static void test_rtp_aes_cm(void **state)
{
	rtp_suite(MS_SRTP_AES_CM_128_HMAC_SHA1_80, 10);
}

static void test_rtp_aes_gcm(void **state)
{
	rtp_suite(MS_SRTP_AEAD_AES_128_GCM, 16);
}

static void test_wrong_key_refused(void **state)
{
	struct ms_srtp *tx, *rx;
	uint8_t pkt[256], other[16];
	size_t len = rtp_packet(pkt, 1);

	memcpy(other, key, 16);
	other[15] ^= 1;
	assert_int_equal(ms_srtp_new(&tx, MS_SRTP_AEAD_AES_128_GCM, MS_SRTP_OUTBOUND, key, 16, salt, 12), MS_OK);
	assert_int_equal(ms_srtp_new(&rx, MS_SRTP_AEAD_AES_128_GCM, MS_SRTP_INBOUND, other, 16, salt, 12), MS_OK);
	assert_int_equal(ms_srtp_protect(tx, pkt, &len, sizeof(pkt)), MS_OK);
	assert_int_equal(ms_srtp_unprotect(rx, pkt, &len), MS_ERR_SRTP);
	ms_srtp_free(tx);
	ms_srtp_free(rx);
	/* the suite's key and salt lengths are enforced */
	assert_int_equal(ms_srtp_new(&tx, MS_SRTP_AEAD_AES_128_GCM, MS_SRTP_OUTBOUND, key, 16, salt, 14),
			 MS_ERR_ARGS);
	assert_int_equal(ms_srtp_new(&tx, MS_SRTP_AES_CM_128_HMAC_SHA1_80, MS_SRTP_OUTBOUND, key, 15, salt, 14),
			 MS_ERR_ARGS);
	assert_int_equal(ms_srtp_suite_from_name("aes-gcm"), MS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(ms_srtp_suite_from_name("aes-cm"), MS_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(ms_srtp_suite_from_name("des"), -1);
}

/* An RTCP sender report (RFC 3550 6.4.1) with no report blocks. */
static size_t rtcp_sr(uint8_t *b)
{
	static const uint8_t sr[28] = { 0x80, 200, 0x00, 0x06, 0xde, 0xca, 0xfb, 0xad,
					0xe5, 0x5b, 0x61, 0x00, 0, 0, 0, 0, 0, 0, 0x3e, 0x80,
					0, 0, 0, 50, 0, 0, 0x1f, 0x40 };

	memcpy(b, sr, sizeof(sr));
	return sizeof(sr);
}

static void rtcp_suite(enum ms_srtp_suite suite)
{
	struct ms_srtp *tx, *rx;
	uint8_t pkt[128], plain[128], saved[128];
	size_t len, plen = rtcp_sr(plain), slen;

	pair(suite, &tx, &rx);
	memcpy(pkt, plain, plen);
	len = plen;
	assert_int_equal(ms_srtcp_protect(tx, pkt, &len, sizeof(pkt)), MS_OK);
	assert_true(len > plen);
	memcpy(saved, pkt, len);
	slen = len;
	saved[len - 1] ^= 1;
	assert_int_equal(ms_srtcp_unprotect(rx, saved, &slen), MS_ERR_SRTP);
	memcpy(saved, pkt, len);
	assert_int_equal(ms_srtcp_unprotect(rx, pkt, &len), MS_OK);
	assert_int_equal(len, plen);
	assert_memory_equal(pkt, plain, plen);
	assert_int_equal(ms_srtcp_unprotect(rx, saved, &slen), MS_ERR_REPLAY);
	ms_srtp_free(tx);
	ms_srtp_free(rx);
}

static void test_rtcp_both_suites(void **state)
{
	rtcp_suite(MS_SRTP_AES_CM_128_HMAC_SHA1_80);
	rtcp_suite(MS_SRTP_AEAD_AES_128_GCM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_aes_cm),
		cmocka_unit_test(test_rtp_aes_gcm),
		cmocka_unit_test(test_wrong_key_refused),
		cmocka_unit_test(test_rtcp_both_suites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
