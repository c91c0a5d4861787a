/* tests/unit/test_eccsi.c - ECCSI (RFC 6507): Appendix A byte for byte,
 * every verified vendor I_MESSAGE signature, the vendor key sets, and
 * refusal of every kind of bad input. */
#include "test_util.h"

#include <pthread.h>

#include <openssl/rand.h>
#include "token/eccsi.h"
#include "token/eccsi_ec.h"
#include "token/secmem.h"
#include "vectors/interop_vectors.h"

/* ---- RFC 6507 Appendix A ---------------------------------------------- */

#include "eccsi_rfc_vectors.h"

#define P256_Q "FFFFFFFF 00000000 FFFFFFFF FFFFFFFF BCE6FAAD A7179E84 F3B9CAC2 FC632551"
#define P256_P "FFFFFFFF 00000001 00000000 00000000 00000000 FFFFFFFF FFFFFFFF FFFFFFFF"

/* Fixed-size copy of a hex literal. */
static void hex_to(const char *hex, uint8_t *out, size_t len)
{
	size_t n;
	uint8_t *b = test_hex(hex, &n);

	assert_int_equal(n, len);
	memcpy(out, b, len);
	free(b);
}

struct rfc_key {
	uint8_t kpak[ECCSI_POINT_LEN], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
	uint8_t id[64];
	size_t id_len;
};

static void rfc_key(struct rfc_key *k)
{
	uint8_t *id = test_hex(A_ID, &k->id_len);

	memcpy(k->id, id, k->id_len);
	free(id);
	hex_to(A_KPAK, k->kpak, sizeof(k->kpak));
	hex_to(A_SSK, k->ssk, sizeof(k->ssk));
	hex_to(A_PVT, k->pvt, sizeof(k->pvt));
}

static void rfc_signature(uint8_t sig[ECCSI_SIG_LEN])
{
	hex_to(A_R A_S A_PVT, sig, ECCSI_SIG_LEN);
}

static void test_rfc6507_kms_and_issue(void **state)
{
	uint8_t ksak[ECCSI_N], v[ECCSI_N], kpak[ECCSI_POINT_LEN], ssk[ECCSI_N];
	uint8_t pvt[ECCSI_POINT_LEN], hs[ECCSI_N];
	struct rfc_key k;

	(void)state;
	rfc_key(&k);
	assert_int_equal(k.id_len, 26); /* "2011-02\0tel:+447700900123\0" */
	assert_memory_equal(k.id, "2011-02\0tel:+447700900123\0", 26);
	hex_to(A_KSAK, ksak, sizeof(ksak));
	hex_to(A_V, v, sizeof(v));
	assert_int_equal(eccsi_kms_public(ksak, kpak), MST_OK);
	assert_hex_equal(kpak, sizeof(kpak), A_KPAK);
	assert_int_equal(eccsi_issue_with_v(ksak, kpak, k.id, k.id_len, v, ssk, pvt), MST_OK);
	assert_hex_equal(pvt, sizeof(pvt), A_PVT);
	assert_hex_equal(ssk, sizeof(ssk), A_SSK);
	assert_int_equal(eccsi_hs(kpak, k.id, k.id_len, pvt, hs), MST_OK);
	assert_hex_equal(hs, sizeof(hs), A_HS);
	assert_int_equal(eccsi_validate(kpak, k.id, k.id_len, ssk, pvt), MST_OK);
}

static void test_rfc6507_sign(void **state)
{
	uint8_t j[ECCSI_N], sig[ECCSI_SIG_LEN], msg[8];
	eccsi_trace t;
	eccsi_signer *s = NULL;
	struct rfc_key k;

	(void)state;
	rfc_key(&k);
	hex_to(A_J, j, sizeof(j));
	hex_to(A_M, msg, sizeof(msg));
	assert_memory_equal(msg, "message\0", 8);
	assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, k.ssk, k.pvt, &s), MST_OK);
	memset(&t, 0, sizeof(t));
	assert_int_equal(eccsi_sign_with_j_trace(s, msg, sizeof(msg), j, sig, &t), MST_OK);
	assert_hex_equal(t.hs, sizeof(t.hs), A_HS);
	assert_hex_equal(t.j, sizeof(t.j), A_JPT);
	assert_hex_equal(sig, ECCSI_N, A_R);
	assert_hex_equal(t.he, sizeof(t.he), A_HE);
	/* s' = s here: Appendix A prints both, equal */
	assert_hex_equal(sig + ECCSI_N, ECCSI_N, A_S);
	assert_hex_equal(sig, sizeof(sig), A_R A_S A_PVT);
	/* the plain entry point gives the same bytes */
	memset(sig, 0, sizeof(sig));
	assert_int_equal(eccsi_sign_with_j(s, msg, sizeof(msg), j, sig), MST_OK);
	assert_hex_equal(sig, sizeof(sig), A_R A_S A_PVT);
	eccsi_signer_free(s);
}

static void test_rfc6507_verify(void **state)
{
	uint8_t sig[ECCSI_SIG_LEN], msg[8];
	eccsi_trace t;
	struct rfc_key k;

	(void)state;
	rfc_key(&k);
	rfc_signature(sig);
	hex_to(A_M, msg, sizeof(msg));
	memset(&t, 0, sizeof(t));
	assert_int_equal(eccsi_verify_trace(k.kpak, k.id, k.id_len, msg, sizeof(msg), sig, &t),
			 MST_OK);
	assert_hex_equal(t.hs, sizeof(t.hs), A_HS);
	assert_hex_equal(t.he, sizeof(t.he), A_HE);
	assert_hex_equal(t.y, sizeof(t.y), A_Y);
	assert_hex_equal(t.j, sizeof(t.j), A_JPT);
	assert_hex_equal(t.j + 1, ECCSI_N, A_R); /* Jx = r */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, sizeof(msg), sig), MST_OK);
}

/* ---- Negative cases on the RFC key -------------------------------------- */

static void test_flipped_bits_refused(void **state)
{
	uint8_t sig[ECCSI_SIG_LEN], msg[8];
	struct rfc_key k;
	size_t i;
	int bit;

	(void)state;
	rfc_key(&k);
	hex_to(A_M, msg, sizeof(msg));
	/* one bit of every octet of r, s and PVT, with the bit position
	 * cycling so that every bit of an octet is hit somewhere */
	for (i = 0; i < ECCSI_SIG_LEN; i++) {
		mst_rc rc;

		rfc_signature(sig);
		sig[i] ^= (uint8_t)(1u << (i % 8));
		rc = eccsi_verify(k.kpak, k.id, k.id_len, msg, sizeof(msg), sig);
		if (i < 2 * ECCSI_N)
			assert_int_equal(rc, MST_ERR_BAD_SIGNATURE);
		else /* a PVT bit: off the curve, or a different point */
			assert_true(rc == MST_ERR_BAD_POINT || rc == MST_ERR_BAD_SIGNATURE);
	}
	/* every bit of the message */
	rfc_signature(sig);
	for (i = 0; i < sizeof(msg); i++)
		for (bit = 0; bit < 8; bit++) {
			msg[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, sizeof(msg), sig),
					 MST_ERR_BAD_SIGNATURE);
			msg[i] ^= (uint8_t)(1u << bit);
		}
	/* a shorter or longer message, another identifier */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, sizeof(msg) - 1, sig),
			 MST_ERR_BAD_SIGNATURE);
	k.id[5] ^= 1;
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, sizeof(msg), sig),
			 MST_ERR_BAD_SIGNATURE);
}

static void test_signature_ranges_refused(void **state)
{
	uint8_t sig[ECCSI_SIG_LEN], msg[8];
	struct rfc_key k;

	(void)state;
	rfc_key(&k);
	hex_to(A_M, msg, sizeof(msg));
	rfc_signature(sig);
	memset(sig, 0, ECCSI_N); /* r = 0 */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_SIGNATURE);
	hex_to(P256_P, sig, ECCSI_N); /* r = p */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_SIGNATURE);
	rfc_signature(sig);
	memset(sig + ECCSI_N, 0, ECCSI_N); /* s = 0 */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_SIGNATURE);
	hex_to(P256_Q, sig + ECCSI_N, ECCSI_N); /* s = q */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_SIGNATURE);
	memset(sig + ECCSI_N, 0xff, ECCSI_N); /* s > q */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_SIGNATURE);
}

/* Points that no function may accept: off the curve, wrong prefix,
 * coordinates >= p, and 04||0||0 (the usual stand-in for infinity). */
static void bad_points(uint8_t bad[5][ECCSI_POINT_LEN])
{
	hex_to(A_PVT, bad[0], ECCSI_POINT_LEN);
	bad[0][64] ^= 1;                         /* y changed: off the curve */
	hex_to(A_PVT, bad[1], ECCSI_POINT_LEN);
	bad[1][0] = 0x02;                        /* not the uncompressed form */
	memset(bad[2], 0, ECCSI_POINT_LEN);
	bad[2][0] = 0x04;                        /* (0, 0) */
	memset(bad[3], 0, ECCSI_POINT_LEN);      /* 0x00... infinity's octet */
	hex_to("04" P256_P P256_P, bad[4], ECCSI_POINT_LEN); /* x, y = p */
}

static void test_bad_points_refused(void **state)
{
	uint8_t bad[5][ECCSI_POINT_LEN], sig[ECCSI_SIG_LEN], hs[ECCSI_N], msg[8];
	eccsi_signer *s = NULL;
	struct rfc_key k;
	size_t i;

	(void)state;
	rfc_key(&k);
	hex_to(A_M, msg, sizeof(msg));
	bad_points(bad);
	assert_int_equal(eccsi_check_point(k.pvt), MST_OK);
	assert_int_equal(eccsi_check_point(k.kpak), MST_OK);
	for (i = 0; i < 5; i++) {
		assert_int_equal(eccsi_check_point(bad[i]), MST_ERR_BAD_POINT);
		/* as PVT */
		assert_int_equal(eccsi_validate(k.kpak, k.id, k.id_len, k.ssk, bad[i]),
				 MST_ERR_BAD_POINT);
		assert_int_equal(eccsi_hs(k.kpak, k.id, k.id_len, bad[i], hs), MST_ERR_BAD_POINT);
		assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, k.ssk, bad[i], &s),
				 MST_ERR_BAD_POINT);
		assert_null(s);
		rfc_signature(sig);
		memcpy(sig + 2 * ECCSI_N, bad[i], ECCSI_POINT_LEN);
		assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_POINT);
		/* as KPAK */
		rfc_signature(sig);
		assert_int_equal(eccsi_verify(bad[i], k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_POINT);
		assert_int_equal(eccsi_validate(bad[i], k.id, k.id_len, k.ssk, k.pvt),
				 MST_ERR_BAD_POINT);
	}
}

static void test_wrong_keys_refused(void **state)
{
	uint8_t ssk[ECCSI_N], pvt[ECCSI_POINT_LEN], sig[ECCSI_SIG_LEN], msg[8];
	eccsi_signer *s = NULL;
	struct rfc_key k;

	(void)state;
	rfc_key(&k);
	hex_to(A_M, msg, sizeof(msg));
	/* wrong SSK */
	memcpy(ssk, k.ssk, ECCSI_N);
	ssk[31] ^= 1;
	assert_int_equal(eccsi_validate(k.kpak, k.id, k.id_len, ssk, k.pvt), MST_ERR_BAD_KEY);
	assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, ssk, k.pvt, &s), MST_ERR_BAD_KEY);
	assert_null(s);
	/* wrong PVT: a valid point (KPAK itself), not this SSK's */
	memcpy(pvt, k.kpak, ECCSI_POINT_LEN);
	assert_int_equal(eccsi_validate(k.kpak, k.id, k.id_len, k.ssk, pvt), MST_ERR_BAD_KEY);
	/* wrong identifier, wrong KPAK (the PVT, a valid point) */
	k.id[0] ^= 1;
	assert_int_equal(eccsi_validate(k.kpak, k.id, k.id_len, k.ssk, k.pvt), MST_ERR_BAD_KEY);
	k.id[0] ^= 1;
	assert_int_equal(eccsi_validate(k.pvt, k.id, k.id_len, k.ssk, k.pvt), MST_ERR_BAD_KEY);
	/* a valid KPAK of another community makes the signature wrong */
	rfc_signature(sig);
	hex_to("04 6B17D1F2 E12C4247 F8BCE6E5 63A440F2 77037D81 2DEB33A0 F4A13945 D898C296"
	       "4FE342E2 FE1A7F9B 8EE7EB4A 7C0F9E16 2BCE3357 6B315ECE CBB64068 37BF51F5",
	       pvt, ECCSI_POINT_LEN); /* G */
	assert_int_equal(eccsi_verify(pvt, k.id, k.id_len, msg, 8, sig), MST_ERR_BAD_SIGNATURE);
	/* SSK = 0, SSK = q, SSK > q: not a scalar */
	memset(ssk, 0, ECCSI_N);
	assert_int_equal(eccsi_validate(k.kpak, k.id, k.id_len, ssk, k.pvt), MST_ERR_BAD_SCALAR);
	hex_to(P256_Q, ssk, ECCSI_N);
	assert_int_equal(eccsi_validate(k.kpak, k.id, k.id_len, ssk, k.pvt), MST_ERR_BAD_SCALAR);
	memset(ssk, 0xff, ECCSI_N);
	assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, ssk, k.pvt, &s),
			 MST_ERR_BAD_SCALAR);
	assert_null(s);
}

static void test_bad_scalars_and_args(void **state)
{
	uint8_t ksak[ECCSI_N], v[ECCSI_N], j[ECCSI_N], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
	uint8_t kpak[ECCSI_POINT_LEN], sig[ECCSI_SIG_LEN], hs[ECCSI_N];
	eccsi_signer *s = NULL;
	struct rfc_key k;

	(void)state;
	rfc_key(&k);
	hex_to(A_KSAK, ksak, sizeof(ksak));
	memset(v, 0, sizeof(v));
	assert_int_equal(eccsi_issue_with_v(ksak, k.kpak, k.id, k.id_len, v, ssk, pvt),
			 MST_ERR_BAD_SCALAR);
	hex_to(P256_Q, v, sizeof(v));
	assert_int_equal(eccsi_issue_with_v(ksak, k.kpak, k.id, k.id_len, v, ssk, pvt),
			 MST_ERR_BAD_SCALAR);
	/* a KPAK that is not [KSAK]G: nothing issued */
	ksak[31] ^= 1;
	memset(ssk, 0xAA, sizeof(ssk));
	assert_int_equal(eccsi_issue(ksak, k.kpak, k.id, k.id_len, ssk, pvt), MST_ERR_BAD_KEY);
	assert_int_equal(eccsi_issue_with_v(ksak, k.kpak, k.id, k.id_len, k.ssk, ssk, pvt),
			 MST_ERR_BAD_KEY);
	memset(ksak, 0, sizeof(ksak));
	assert_int_equal(eccsi_kms_public(ksak, kpak), MST_ERR_BAD_SCALAR);
	assert_int_equal(eccsi_issue(ksak, k.kpak, k.id, k.id_len, ssk, pvt), MST_ERR_BAD_SCALAR);

	assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, k.ssk, k.pvt, &s), MST_OK);
	memset(j, 0, sizeof(j));
	memset(sig, 0xAA, sizeof(sig));
	assert_int_equal(eccsi_sign_with_j(s, (const uint8_t *)"m", 1, j, sig), MST_ERR_BAD_SCALAR);
	assert_true(sig[0] == 0 && sig[ECCSI_SIG_LEN - 1] == 0); /* no half-made signature */
	hex_to(P256_Q, j, sizeof(j));
	assert_int_equal(eccsi_sign_with_j(s, (const uint8_t *)"m", 1, j, sig), MST_ERR_BAD_SCALAR);
	/* q - 1 is the largest j allowed */
	j[31] -= 1;
	assert_int_equal(eccsi_sign_with_j(s, (const uint8_t *)"m", 1, j, sig), MST_OK);
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, (const uint8_t *)"m", 1, sig), MST_OK);
	/* NULL and empty arguments */
	assert_int_equal(eccsi_sign(NULL, (const uint8_t *)"m", 1, sig), MST_ERR_ARGS);
	assert_int_equal(eccsi_sign(s, NULL, 1, sig), MST_ERR_ARGS);
	assert_int_equal(eccsi_sign(s, (const uint8_t *)"m", 1, NULL), MST_ERR_ARGS);
	assert_int_equal(eccsi_sign(s, NULL, 0, sig), MST_OK); /* the empty message is fine */
	assert_int_equal(eccsi_verify(k.kpak, k.id, k.id_len, NULL, 0, sig), MST_OK);
	assert_int_equal(eccsi_verify(k.kpak, k.id, 0, NULL, 0, sig), MST_ERR_ARGS);
	assert_int_equal(eccsi_verify(NULL, k.id, k.id_len, NULL, 0, sig), MST_ERR_ARGS);
	assert_int_equal(eccsi_validate(k.kpak, NULL, 3, k.ssk, k.pvt), MST_ERR_ARGS);
	assert_int_equal(eccsi_signer_new(k.kpak, k.id, k.id_len, k.ssk, k.pvt, NULL), MST_ERR_ARGS);
	assert_int_equal(eccsi_hs(k.kpak, k.id, k.id_len, k.pvt, NULL), MST_ERR_ARGS);
	assert_int_equal(eccsi_kms_keygen(NULL, kpak), MST_ERR_ARGS);
	assert_int_equal(eccsi_check_point(NULL), MST_ERR_ARGS);
	(void)hs;
	eccsi_signer_free(s);
	eccsi_signer_free(NULL);
}

/* ---- Fresh keys ---------------------------------------------------------- */

struct fresh {
	uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_LEN], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
};

static const uint8_t fresh_id[] = "2026-11\0sip:alice@example.org";

static void fresh_keys(struct fresh *f)
{
	assert_int_equal(eccsi_kms_keygen(f->ksak, f->kpak), MST_OK);
	assert_int_equal(eccsi_issue(f->ksak, f->kpak, fresh_id, sizeof(fresh_id), f->ssk, f->pvt),
			 MST_OK);
}

static void test_fresh_round_trip(void **state)
{
	uint8_t kpak2[ECCSI_POINT_LEN], sig1[ECCSI_SIG_LEN], sig2[ECCSI_SIG_LEN];
	static const uint8_t msg[] = "an I_MESSAGE up to its SIGN payload";
	eccsi_signer *s = NULL;
	struct fresh f, g;

	(void)state;
	fresh_keys(&f);
	assert_int_equal(eccsi_kms_public(f.ksak, kpak2), MST_OK);
	assert_memory_equal(kpak2, f.kpak, ECCSI_POINT_LEN);
	assert_int_equal(eccsi_validate(f.kpak, fresh_id, sizeof(fresh_id), f.ssk, f.pvt), MST_OK);
	assert_int_equal(eccsi_signer_new(f.kpak, fresh_id, sizeof(fresh_id), f.ssk, f.pvt, &s),
			 MST_OK);
	assert_true(secmem_size(s) > 0); /* the signer lives in secret memory */
	assert_int_equal(eccsi_sign(s, msg, sizeof(msg), sig1), MST_OK);
	assert_int_equal(eccsi_sign(s, msg, sizeof(msg), sig2), MST_OK);
	/* a fresh j each time */
	assert_memory_not_equal(sig1, sig2, 2 * ECCSI_N);
	assert_memory_equal(sig1 + 2 * ECCSI_N, f.pvt, ECCSI_POINT_LEN);
	assert_int_equal(eccsi_verify(f.kpak, fresh_id, sizeof(fresh_id), msg, sizeof(msg), sig1),
			 MST_OK);
	assert_int_equal(eccsi_verify(f.kpak, fresh_id, sizeof(fresh_id), msg, sizeof(msg), sig2),
			 MST_OK);
	/* another community's KPAK, another identifier */
	fresh_keys(&g);
	assert_int_equal(eccsi_verify(g.kpak, fresh_id, sizeof(fresh_id), msg, sizeof(msg), sig1),
			 MST_ERR_BAD_SIGNATURE);
	assert_int_equal(eccsi_verify(f.kpak, fresh_id, sizeof(fresh_id) - 1, msg, sizeof(msg), sig1),
			 MST_ERR_BAD_SIGNATURE);
	/* the key of one community does not validate in another */
	assert_int_equal(eccsi_validate(g.kpak, fresh_id, sizeof(fresh_id), f.ssk, f.pvt),
			 MST_ERR_BAD_KEY);
	eccsi_signer_free(s);
}

struct thread_job {
	const eccsi_signer *s;
	const uint8_t *kpak;
	int failures;
};

static void *sign_many(void *arg)
{
	struct thread_job *job = arg;
	uint8_t msg[16], sig[ECCSI_SIG_LEN];
	int i;

	for (i = 0; i < 20; i++) {
		memset(msg, i, sizeof(msg));
		if (eccsi_sign(job->s, msg, sizeof(msg), sig) != MST_OK ||
		    eccsi_verify(job->kpak, fresh_id, sizeof(fresh_id), msg, sizeof(msg), sig) != MST_OK)
			job->failures++;
	}
	return NULL;
}

/* One signer used from two threads at once: no shared mutable state. */
static void test_signer_threads(void **state)
{
	struct thread_job jobs[2];
	pthread_t th[2];
	eccsi_signer *s = NULL;
	struct fresh f;
	int i;

	(void)state;
	fresh_keys(&f);
	assert_int_equal(eccsi_signer_new(f.kpak, fresh_id, sizeof(fresh_id), f.ssk, f.pvt, &s),
			 MST_OK);
	for (i = 0; i < 2; i++) {
		jobs[i] = (struct thread_job){ s, f.kpak, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, sign_many, &jobs[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].failures, 0);
	}
	eccsi_signer_free(s);
}

/* ---- Vendor interop data (tests/vectors/interop_vectors.h) ------------- */

static void test_interop_signatures(void **state)
{
	size_t i, checked = 0, without_header = 0, other_pvt = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_messages); i++) {
		const struct interop_message *m = &interop_messages[i];
		const uint8_t *signed_part = m->imessage + m->signed_offset;
		/* the other coverage: with <-> without the 2-octet SIGN header */
		size_t other_len = m->signed_with_sign_header ? m->signed_len - 2 : m->signed_len + 2;
		mst_rc rc;

		assert_int_equal(m->signature_len, ECCSI_SIG_LEN);
		assert_int_equal(m->kpak_len, ECCSI_POINT_LEN);
		/* the signature is the tail of the I_MESSAGE, after S type | len */
		assert_int_equal(m->sign_payload_offset + 2 + ECCSI_SIG_LEN, m->imessage_len);
		assert_memory_equal(m->imessage + m->sign_payload_offset + 2, m->signature, ECCSI_SIG_LEN);
		if (m->initiator_pvt_signed) {
			assert_memory_equal(m->signature + 2 * ECCSI_N, m->initiator_pvt, ECCSI_POINT_LEN);
		} else if (m->initiator_pvt) {
			/* signed under another (SSK, PVT) pair of the same UID */
			assert_memory_not_equal(m->signature + 2 * ECCSI_N, m->initiator_pvt,
						ECCSI_POINT_LEN);
			other_pvt++;
		}
		rc = eccsi_verify(m->kpak, m->initiator_id, m->initiator_id_len, signed_part,
				  m->signed_len, m->signature);
		if (rc != MST_OK)
			fail_msg("%s/%s: signature refused (%s)", m->block, m->name, mst_strerror(rc));
		rc = eccsi_verify(m->kpak, m->initiator_id, m->initiator_id_len, signed_part,
				  other_len, m->signature);
		if (rc != MST_ERR_BAD_SIGNATURE)
			fail_msg("%s/%s: verifies in the other coverage too", m->block, m->name);
		/* eazon, and only eazon, signed without the header */
		assert_int_equal(strcmp(m->block, "eazon") == 0, !m->signed_with_sign_header);
		without_header += !m->signed_with_sign_header;
		checked++;
	}
	assert_int_equal(checked, 18);
	assert_int_equal(without_header, 4);
	assert_int_equal(other_pvt, 2); /* the eazon gms messages */
}

static void test_interop_key_sets(void **state)
{
	size_t i, valid = 0, refused = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *k = &interop_key_sets[i];
		mst_rc rc = eccsi_validate(k->kpak, k->uid, k->uid_len, k->ssk, k->pvt);

		if (k->expect_valid) {
			uint8_t sig[ECCSI_SIG_LEN];
			eccsi_signer *s = NULL;

			if (rc != MST_OK)
				fail_msg("%s/%s: key set refused (%s)", k->block, k->user, mst_strerror(rc));
			assert_int_equal(eccsi_signer_new(k->kpak, k->uid, k->uid_len, k->ssk, k->pvt, &s),
					 MST_OK);
			assert_int_equal(eccsi_sign(s, k->uid, k->uid_len, sig), MST_OK);
			assert_int_equal(eccsi_verify(k->kpak, k->uid, k->uid_len, k->uid, k->uid_len, sig),
					 MST_OK);
			eccsi_signer_free(s);
			valid++;
		} else {
			if (rc != MST_ERR_BAD_KEY)
				fail_msg("%s/%s: expected MST_ERR_BAD_KEY, got %s", k->block, k->user,
					 mst_strerror(rc));
			refused++;
		}
	}
	assert_int_equal(valid, 24);
	assert_int_equal(refused, 1); /* alea bob: PVT copied from alice */
}

/* s' = j (HE + r SSK)^-1 mod q on four limbs (token/eccsi_modq.c) against
 * OpenSSL BN, on random values and edges: r and HE up to 2^256 - 1 (above
 * q), SSK and j = 1 and q - 1, and the zero sum refused */
static void test_sign_scalar_matches_bn(void **state)
{
	static const uint8_t qb[ECCSI_N] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
	};
	uint8_t ssk[ECCSI_N], he[ECCSI_N], r[ECCSI_N], j[ECCSI_N], s[ECCSI_N], ref[ECCSI_N];
	BIGNUM *q = BN_bin2bn(qb, ECCSI_N, NULL), *a = BN_new(), *b = BN_new(), *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	int i;

	(void)state;
	assert_non_null(q && a && b && t && ctx);
	for (i = 0; i < 300; i++) {
		assert_int_equal(RAND_bytes(he, sizeof he), 1);
		assert_int_equal(RAND_bytes(r, sizeof r), 1);
		assert_int_equal(ecc_random_scalar(ssk), MST_OK);
		assert_int_equal(ecc_random_scalar(j), MST_OK);
		if (i == 0)
			memset(he, 0xff, sizeof he), memset(r, 0xff, sizeof r);
		if (i == 1)
			memcpy(ssk, qb, sizeof ssk), ssk[ECCSI_N - 1] -= 1, memcpy(j, ssk, sizeof j);
		if (i == 2)
			memset(ssk, 0, sizeof ssk), ssk[ECCSI_N - 1] = 1, memcpy(j, ssk, sizeof j);
		/* reference: j * (he + r ssk)^-1 mod q */
		assert_non_null(BN_bin2bn(r, ECCSI_N, a));
		assert_non_null(BN_bin2bn(ssk, ECCSI_N, b));
		assert_int_equal(BN_mod_mul(t, a, b, q, ctx), 1);
		assert_non_null(BN_bin2bn(he, ECCSI_N, a));
		assert_int_equal(BN_mod_add(t, t, a, q, ctx), 1);
		assert_non_null(BN_mod_inverse(t, t, q, ctx));
		assert_non_null(BN_bin2bn(j, ECCSI_N, a));
		assert_int_equal(BN_mod_mul(t, t, a, q, ctx), 1);
		assert_int_equal(BN_bn2binpad(t, ref, ECCSI_N), ECCSI_N);
		assert_int_equal(ecc_sign_scalar(ssk, he, r, j, s), MST_OK);
		assert_memory_equal(s, ref, ECCSI_N);
	}
	/* HE = q - r SSK: the sum is zero, no signature */
	memset(r, 0, sizeof r);
	r[ECCSI_N - 1] = 1;
	assert_non_null(BN_bin2bn(ssk, ECCSI_N, b));
	assert_int_equal(BN_mod_sub(t, q, b, q, ctx), 1);
	assert_int_equal(BN_bn2binpad(t, he, ECCSI_N), ECCSI_N);
	assert_int_equal(ecc_sign_scalar(ssk, he, r, j, s), MST_ERR_BAD_SCALAR);
	assert_true(memcmp(s, (const uint8_t[ECCSI_N]){ 0 }, ECCSI_N) == 0);
	BN_free(q); BN_free(a); BN_free(b); BN_free(t);
	BN_CTX_free(ctx);
}

/* Last: every call above, failed or not, closed what it opened. */
static void test_every_env_closed(void **state)
{
	(void)state;
	assert_int_equal(ecc_env_users(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6507_kms_and_issue),
		cmocka_unit_test(test_rfc6507_sign),
		cmocka_unit_test(test_sign_scalar_matches_bn),
		cmocka_unit_test(test_rfc6507_verify),
		cmocka_unit_test(test_flipped_bits_refused),
		cmocka_unit_test(test_signature_ranges_refused),
		cmocka_unit_test(test_bad_points_refused),
		cmocka_unit_test(test_wrong_keys_refused),
		cmocka_unit_test(test_bad_scalars_and_args),
		cmocka_unit_test(test_fresh_round_trip),
		cmocka_unit_test(test_signer_threads),
		cmocka_unit_test(test_interop_signatures),
		cmocka_unit_test(test_interop_key_sets),
		cmocka_unit_test(test_every_env_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
