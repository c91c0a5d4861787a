/* tests/integration/test_client_flows.c - libmikeysakke against the real
 * module on SoftHSM2: alice and bob each in their own token (Streamwide
 * community and key sets, TS 33.180 UIDs), messages made by ms_create and
 * checked by ms_accept, the returned I_MESSAGE, a group offer, and every
 * refusal (flipped bits, replay, window, unknown signer, not for us). */
#include <unistd.h>
#include "tests/integration/test_client.h"
#include "mikeysakke/replay.h"
#include "mikeysakke/pool.h"

static struct ms_ctx *alice, *bob;
static char replay_path[256];

static int setup(void **state)
{
	static const char *const a_users[] = { "alice", NULL }, *const b_users[] = { "bob", NULL };
	const char *module = getenv("MSTOKEN_MODULE"), *dir = getenv("TC_TMP");

	if (!module || !dir)
		return -1;
	tc_provision("alice", a_users);
	tc_provision("bob", b_users);
	snprintf(replay_path, sizeof(replay_path), "%s/replay.cache", dir);
	if (ms_ctx_open(&alice, module, "alice", TC_PIN) != MS_OK ||
	    ms_ctx_open(&bob, module, "bob", TC_PIN) != MS_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	ms_ctx_close(bob);
	ms_ctx_close(alice);
	tc_release();
	return 0;
}

static void create_1to1(struct ms_created *cr, unsigned prf, enum ms_srtp_suite suite)
{
	static const char *to[] = { "sip:bob@streamwide.com" };
	struct ms_create_req r = { "sip:alice@streamwide.com", to, 1, prf, suite, 0, TC_NOW };
	ms_rc rc = ms_create(alice, &r, cr);

	if (rc != MS_OK)
		fail_msg("ms_create: %s (%s)", ms_strerror(rc), ms_ctx_error(alice));
	assert_int_equal(cr->n, 1);
}

static void expect_same_keys(const struct ms_keys *a, const struct ms_keys *b, unsigned n,
			     size_t salt_len)
{
	unsigned i;

	assert_int_equal(a->n, n);
	assert_int_equal(b->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(a->cs[i].cs_id, i);
		assert_int_equal(b->cs[i].cs_id, i);
		assert_int_equal(a->cs[i].salt_len, salt_len);
		assert_memory_equal(a->cs[i].key, b->cs[i].key, 16);
		assert_memory_equal(a->cs[i].salt, b->cs[i].salt, salt_len);
	}
	if (n > 1)   /* each direction has its own key */
		assert_memory_not_equal(a->cs[0].key, a->cs[1].key, 16);
}

static void roundtrip(unsigned prf, enum ms_srtp_suite suite, size_t salt_len)
{
	static struct ms_created cr;
	static struct ms_accepted acc;
	struct ms_accept_opts o = { 0, TC_NOW + 5, NULL, 0, 0 };
	struct mikey_msg m;

	create_1to1(&cr, prf, suite);
	assert_int_equal(mikey_decode(cr.msg[0], cr.len[0], &m, NULL), MS_OK);
	assert_int_equal(m.hdr.prf, prf);
	assert_int_equal(m.hdr.v_flag, 0);
	if (ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc) != MS_OK)
		fail_msg("bob refused: %s", acc.reason);
	assert_string_equal(acc.initiator, "sip:alice@streamwide.com");
	assert_int_equal(acc.csb_id, cr.csb_id);
	assert_int_equal(acc.legacy_signature, 0);
	assert_int_equal(acc.keys.suite, suite);
	expect_same_keys(&cr.keys, &acc.keys, 2, salt_len);
	ms_accepted_clear(&acc);
	ms_created_clear(alice, &cr);
}

static void test_roundtrip_prf1_gcm(void **state)
{
	roundtrip(1, MS_SRTP_AEAD_AES_128_GCM, 12);
}

static void test_roundtrip_prf0_cm(void **state)
{
	roundtrip(0, MS_SRTP_AES_CM_128_HMAC_SHA1_80, 14);
}

/* Explicit authentication of bob: the returned I_MESSAGE carries the same
 * SSV, signed by bob; a changed one is refused. */
static void test_returned_imessage(void **state)
{
	static struct ms_created cr;
	static struct ms_accepted acc;
	struct ms_accept_opts o = { 0, TC_NOW + 5, NULL, 1, 0 };
	char why[200];

	create_1to1(&cr, 1, MS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_OK);
	assert_true(acc.ret_len > 500);
	o.want_return = 0;
	o.now = TC_NOW + 6;
	if (ms_check_return(alice, &cr, acc.ret, acc.ret_len, &o, why, sizeof(why)) != MS_OK)
		fail_msg("returned I_MESSAGE refused: %s", why);
	acc.ret[acc.ret_len - 1] ^= 1;   /* the signature's PVT */
	assert_int_not_equal(ms_check_return(alice, &cr, acc.ret, acc.ret_len, &o, why, sizeof(why)),
			     MS_OK);
	/* alice's own offer is not a returned I_MESSAGE from bob */
	assert_int_not_equal(ms_check_return(alice, &cr, cr.msg[0], cr.len[0], &o, why, sizeof(why)),
			     MS_OK);
	ms_accepted_clear(&acc);
	ms_created_clear(alice, &cr);
}

/* One flipped bit anywhere: refused, never accepted. */
static void test_flipped_bits_refused(void **state)
{
	static struct ms_created cr;
	static struct ms_accepted acc;
	struct ms_accept_opts o = { 0, TC_NOW + 5, NULL, 0, 0 };
	uint8_t buf[MS_IMSG_MAX];
	size_t i;
	unsigned sig = 0, mal = 0, other = 0;

	create_1to1(&cr, 1, MS_SRTP_AEAD_AES_128_GCM);
	memcpy(buf, cr.msg[0], cr.len[0]);
	for (i = 0; i < cr.len[0]; i++) {
		ms_rc rc;

		buf[i] ^= (uint8_t)(1u << (i % 8));
		rc = ms_accept(bob, buf, cr.len[0], &o, &acc);
		buf[i] ^= (uint8_t)(1u << (i % 8));
		if (rc == MS_OK)
			fail_msg("flipped bit at offset %zu accepted", i);
		sig += rc == MS_ERR_BAD_SIGNATURE;
		mal += rc == MS_ERR_MALFORMED;
		other += rc != MS_ERR_BAD_SIGNATURE && rc != MS_ERR_MALFORMED;
	}
	print_message("%zu flips: %u bad signature, %u malformed, %u other\n", cr.len[0], sig, mal,
		      other);
	assert_true(sig > cr.len[0] / 2);
	ms_created_clear(alice, &cr);
}

static void test_replay_window_unknown_signer(void **state)
{
	static struct ms_created cr;
	static struct ms_accepted acc;
	struct ms_accept_opts o = { 0, TC_NOW + 5, replay_path, 0, 0 };
	struct mikey_msg m;
	struct mikey_payload *kmsi;
	uint8_t buf[MS_IMSG_MAX];
	size_t len;
	static const char other[] = "kms.other.example";

	create_1to1(&cr, 1, MS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_OK);
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_ERR_REPLAY);
	assert_non_null(strstr(acc.reason, "replayed"));
	/* outside +-300 s, and inside a wider window (no cache: it was seen) */
	o.replay_path = NULL;
	o.now = TC_NOW + 301;
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_ERR_WINDOW);
	assert_non_null(strstr(acc.reason, "outside the window"));
	o.now = TC_NOW - 301;
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_ERR_WINDOW);
	o.window = 400;
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_OK);
	/* a KMS bob's token does not know */
	o.window = 0;
	o.now = TC_NOW;
	assert_int_equal(mikey_decode(cr.msg[0], cr.len[0], &m, NULL), MS_OK);
	kmsi = (struct mikey_payload *)(uintptr_t)mikey_find(&m, MIKEY_PT_IDR, MIKEY_IDR_KMSI);
	assert_non_null(kmsi);
	kmsi->u.idr.data = (struct mikey_bytes){ (const uint8_t *)other, sizeof(other) - 1 };
	assert_int_equal(mikey_encode(&m, buf, sizeof(buf), &len), MS_OK);
	assert_int_equal(ms_accept(bob, buf, len, &o, &acc), MS_ERR_UNKNOWN_SIGNER);
	assert_non_null(strstr(acc.reason, "unknown signer"));
	/* a message for bob cannot be opened by alice */
	assert_int_equal(ms_accept(alice, cr.msg[0], cr.len[0], &o, &acc), MS_ERR_DECAPSULATE);
	ms_created_clear(alice, &cr);
}

/* A group offer to bob and gms: one I_MESSAGE each, one crypto session,
 * the same keys wherever it is opened. */
static void test_group(void **state)
{
	static const char *to[] = { "gms@streamwide.com", "sip:bob@streamwide.com" };
	static struct ms_created cr;
	static struct ms_accepted acc;
	struct ms_create_req r = { "sip:alice@streamwide.com", to, 2, 1, MS_SRTP_AEAD_AES_128_GCM, 1,
				   TC_NOW };
	struct ms_accept_opts o = { 0, TC_NOW + 1, NULL, 0, 0 };

	assert_int_equal(ms_create(alice, &r, &cr), MS_OK);
	assert_int_equal(cr.n, 2);
	assert_int_equal(ms_accept(bob, cr.msg[0], cr.len[0], &o, &acc), MS_ERR_DECAPSULATE);
	assert_int_equal(ms_accept(bob, cr.msg[1], cr.len[1], &o, &acc), MS_OK);
	expect_same_keys(&cr.keys, &acc.keys, 1, 12);
	ms_created_clear(alice, &cr);
}

/* A group offer beyond the old limit of 16 members (encapsulated and
 * signed over several sessions at once): every member's message where it
 * belongs (bob, at three places among 37 members, opens exactly those,
 * with the offer's keys; the others are refused to him), and a request
 * over MS_MAX_RECIPIENTS refused. */
static void test_group_large(void **state)
{
	static const char *to[MS_MAX_RECIPIENTS + 1];
	static char uris[40][48];
	static struct ms_created cr;
	static struct ms_accepted acc;
	struct ms_create_req r = { "sip:alice@streamwide.com", to, 37, 1, MS_SRTP_AEAD_AES_128_GCM, 1,
				   TC_NOW };
	struct ms_accept_opts o = { 0, TC_NOW + 1, NULL, 0, 0 };
	size_t i;

	for (i = 0; i < 37; i++) {
		snprintf(uris[i], sizeof(uris[i]), "sip:member%02zu@streamwide.com", i);
		to[i] = uris[i];
	}
	to[0] = to[17] = to[36] = "sip:bob@streamwide.com";
	assert_int_equal(ms_create(alice, &r, &cr), MS_OK);
	assert_int_equal(cr.n, 37);
	for (i = 0; i < 37; i++) {
		ms_rc rc = ms_accept(bob, cr.msg[i], cr.len[i], &o, &acc);

		assert_string_equal(cr.to[i], to[i]);
		if (i == 0 || i == 17 || i == 36) {
			assert_int_equal(rc, MS_OK);
			expect_same_keys(&cr.keys, &acc.keys, 1, 12);
		} else {
			assert_int_equal(rc, MS_ERR_DECAPSULATE);
		}
	}
	ms_created_clear(alice, &cr);
	assert_null(cr.msg);
	for (i = 0; i <= MS_MAX_RECIPIENTS; i++)
		to[i] = "sip:bob@streamwide.com";
	r.n_to = MS_MAX_RECIPIENTS + 1;
	assert_int_equal(ms_create(alice, &r, &cr), MS_ERR_ARGS);
}

/* Pre-generated I_MESSAGEs: each handed out once, stale ones dropped. */
static void test_pool(void **state)
{
	static const char *to[] = { "sip:bob@streamwide.com" };
	static struct ms_created cr[3];
	static struct ms_accepted acc;
	struct ms_create_req r = { "sip:alice@streamwide.com", to, 1, 1, MS_SRTP_AEAD_AES_128_GCM, 0,
				   TC_NOW };
	struct ms_accept_opts o = { 0, TC_NOW + 60, NULL, 0, 0 };
	struct ms_pool *p;
	unsigned i;

	assert_int_equal(ms_pool_new(&p, alice, 120), MS_OK);
	assert_int_equal(ms_pool_fill(p, &r, 3), MS_OK);
	assert_int_equal(ms_pool_count(p, to[0]), 3);
	assert_int_equal(ms_pool_take(p, "sip:carol@streamwide.com", TC_NOW + 60, &cr[0]),
			 MS_ERR_NOT_FOUND);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ms_pool_take(p, to[0], TC_NOW + 60, &cr[i]), MS_OK);
		assert_int_equal(ms_accept(bob, cr[i].msg[0], cr[i].len[0], &o, &acc), MS_OK);
		expect_same_keys(&cr[i].keys, &acc.keys, 2, 12);
	}
	assert_int_not_equal(cr[0].csb_id, cr[1].csb_id);
	assert_memory_not_equal(cr[1].rand, cr[2].rand, 16);
	assert_int_equal(ms_pool_take(p, to[0], TC_NOW + 60, &cr[0]), MS_ERR_NOT_FOUND);
	for (i = 0; i < 3; i++)
		ms_created_clear(alice, &cr[i]);
	/* stale entries are dropped, not handed out */
	assert_int_equal(ms_pool_fill(p, &r, 2), MS_OK);
	assert_int_equal(ms_pool_take(p, to[0], TC_NOW + 121, &cr[0]), MS_ERR_NOT_FOUND);
	assert_int_equal(ms_pool_count(p, to[0]), 0);
	ms_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_prf1_gcm),
		cmocka_unit_test(test_roundtrip_prf0_cm),
		cmocka_unit_test(test_returned_imessage),
		cmocka_unit_test(test_flipped_bits_refused),
		cmocka_unit_test(test_replay_window_unknown_signer),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_group_large),
		cmocka_unit_test(test_pool),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
