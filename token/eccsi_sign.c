/* token/eccsi_sign.c - ECCSI signatures: signing (RFC 6507 5.2.1) and
 * verifying (5.2.2). */
#include "config.h"
#include "token/eccsi.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "token/eccsi_ec.h"
#include "token/secmem.h"

/* RFC 6507 5.2.1 steps 2-7 with a given j.  MST_ERR_BAD_SCALAR asks for a
 * fresh j (j out of range, r = 0, or step 4). */
static mst_rc sign_once(const struct ecc_env *e, const eccsi_signer *s, const uint8_t *msg,
			size_t msg_len, const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_LEN],
			eccsi_trace *trace)
{
	uint8_t jp[ECCSI_POINT_LEN], he[ECCSI_N];
	const uint8_t *r = jp + 1; /* r = Jx, the N octets after 0x04 */
	mst_rc rc;

	if (!ecc_scalar_in_range(j))
		return MST_ERR_BAD_SCALAR;
	rc = ecc_mul_generator(e, j, jp);
	if (rc != MST_OK)
		return rc;
	/* r = 0 would fail verification (5.2.2 step 6); r is public. */
	if (CRYPTO_memcmp(r, (const uint8_t[ECCSI_N]){ 0 }, ECCSI_N) == 0)
		return MST_ERR_BAD_SCALAR;
	rc = ecc_he(s->hs, r, msg, msg_len, he);
	if (rc == MST_OK)
		rc = ecc_sign_scalar(s->ssk, he, r, j, sig + ECCSI_N);
	if (rc != MST_OK)
		return rc;
	/* Step 6 never applies on P-256: q < 2^256, so s' always fits N octets. */
	memcpy(sig, r, ECCSI_N);
	memcpy(sig + 2 * ECCSI_N, s->pvt, ECCSI_POINT_LEN);
	if (trace) {
		memcpy(trace->hs, s->hs, ECCSI_N);
		memcpy(trace->he, he, ECCSI_N);
		memcpy(trace->j, jp, ECCSI_POINT_LEN);
	}
	return MST_OK;
}

mst_rc eccsi_sign_with_j_trace(const eccsi_signer *s, const uint8_t *msg, size_t msg_len,
			       const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_LEN],
			       eccsi_trace *trace)
{
	struct ecc_env e;
	mst_rc rc;

	if (!s || (!msg && msg_len) || !j || !sig)
		return MST_ERR_ARGS;
	rc = ecc_env_open(&e);
	if (rc == MST_OK) {
		rc = sign_once(&e, s, msg, msg_len, j, sig, trace);
		ecc_env_close(&e);
	}
	if (rc != MST_OK)
		memset(sig, 0, ECCSI_SIG_LEN); /* no half-made signature */
	return rc;
}

mst_rc eccsi_sign_with_j(const eccsi_signer *s, const uint8_t *msg, size_t msg_len,
			 const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_LEN])
{
	return eccsi_sign_with_j_trace(s, msg, msg_len, j, sig, NULL);
}

mst_rc eccsi_sign(const eccsi_signer *s, const uint8_t *msg, size_t msg_len,
		  uint8_t sig[ECCSI_SIG_LEN])
{
	struct ecc_env e;
	uint8_t j[ECCSI_N];
	mst_rc rc;
	int i;

	if (!s || (!msg && msg_len) || !sig)
		return MST_ERR_ARGS;
	rc = ecc_env_open(&e);
	for (i = 0; rc == MST_OK && i < ECC_RANDOM_TRIES; i++) {
		rc = ecc_random_scalar(j);
		if (rc == MST_OK)
			rc = sign_once(&e, s, msg, msg_len, j, sig, NULL);
		if (rc != MST_ERR_BAD_SCALAR)
			break;
		rc = MST_OK; /* step 4: a fresh j */
	}
	if (i == ECC_RANDOM_TRIES)
		rc = MST_ERR_CRYPTO; /* 64 unusable j in a row: a broken generator */
	secure_wipe(j, sizeof(j)); /* step 5: erase j */
	ecc_env_close(&e);
	if (rc != MST_OK)
		memset(sig, 0, ECCSI_SIG_LEN);
	return rc;
}

/* MST_OK when 0 < x < m for a public x given as N octets, else
 * MST_ERR_BAD_SIGNATURE (MST_ERR_NOMEM if it cannot even be checked). */
static mst_rc signature_scalar_ok(const uint8_t x[ECCSI_N], const BIGNUM *m)
{
	BIGNUM *b = BN_bin2bn(x, ECCSI_N, NULL);
	mst_rc rc = MST_ERR_NOMEM;

	if (b)
		rc = !BN_is_zero(b) && BN_cmp(b, m) < 0 ? MST_OK : MST_ERR_BAD_SIGNATURE;
	BN_free(b);
	return rc;
}

/* Steps 4-6 of 5.2.2: Y = [HS]PVT + KPAK, J = [s]([HE]G + [r]Y), Jx = r.
 * J is computed as [s*HE]G + [s*r]Y, one two-scalar multiplication (all
 * values are public here, so the variable-time wNAF code is fine). */
static mst_rc verify_points(const struct ecc_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
			    const uint8_t hs[ECCSI_N], const uint8_t he[ECCSI_N],
			    const uint8_t sig[ECCSI_SIG_LEN], eccsi_trace *trace)
{
	EC_POINT *pk = NULL, *pv = NULL, *hp = EC_POINT_new(e->group);
	EC_POINT *y = EC_POINT_new(e->group), *j = EC_POINT_new(e->group);
	BIGNUM *hsb = BN_bin2bn(hs, ECCSI_N, NULL), *heb = BN_bin2bn(he, ECCSI_N, NULL);
	BIGNUM *rb = BN_bin2bn(sig, ECCSI_N, NULL), *sb = BN_bin2bn(sig + ECCSI_N, ECCSI_N, NULL);
	uint8_t jenc[ECCSI_POINT_LEN];
	mst_rc rc = ecc_point_decode(e, kpak, &pk);

	if (rc == MST_OK)
		rc = ecc_point_decode(e, sig + 2 * ECCSI_N, &pv);
	if (rc != MST_OK)
		goto out;
	rc = MST_ERR_CRYPTO;
	if (!hp || !y || !j || !hsb || !heb || !rb || !sb ||
	    !EC_POINT_mul(e->group, hp, NULL, pv, hsb, e->bn) ||
	    !EC_POINT_add(e->group, y, hp, pk, e->bn) ||
	    !BN_mod_mul(heb, heb, sb, e->q, e->bn) || !BN_mod_mul(rb, rb, sb, e->q, e->bn) ||
	    !EC_POINT_mul(e->group, j, heb, y, rb, e->bn))
		goto out;
	if (trace && (EC_POINT_is_at_infinity(e->group, y) ||
		      ecc_point_encode(e, y, trace->y) != MST_OK))
		memset(trace->y, 0, ECCSI_POINT_LEN);
	/* J at infinity has no Jx: the signature is wrong. */
	rc = ecc_point_encode(e, j, jenc);
	if (rc == MST_ERR_BAD_POINT) {
		rc = MST_ERR_BAD_SIGNATURE;
		goto out;
	}
	if (rc != MST_OK)
		goto out;
	if (trace)
		memcpy(trace->j, jenc, ECCSI_POINT_LEN);
	/* r was checked to be in [1, p-1], so Jx = r mod p is equality, and
	 * Jx = r implies Jx != 0. */
	rc = CRYPTO_memcmp(jenc + 1, sig, ECCSI_N) == 0 ? MST_OK : MST_ERR_BAD_SIGNATURE;
out:
	BN_free(sb);
	BN_free(rb);
	BN_free(heb);
	BN_free(hsb);
	EC_POINT_free(j);
	EC_POINT_free(y);
	EC_POINT_free(hp);
	EC_POINT_free(pv);
	EC_POINT_free(pk);
	return rc;
}

mst_rc eccsi_verify_trace(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
			  const uint8_t *msg, size_t msg_len, const uint8_t sig[ECCSI_SIG_LEN],
			  eccsi_trace *trace)
{
	struct ecc_env e;
	uint8_t hs[ECCSI_N], he[ECCSI_N];
	BIGNUM *p = NULL;
	mst_rc rc;

	if (!kpak || !id || id_len == 0 || (!msg && msg_len) || !sig)
		return MST_ERR_ARGS;
	rc = ecc_env_open(&e);
	if (rc != MST_OK)
		return rc;
	/* step 1: PVT (and the root of trust) on the curve */
	rc = ecc_check_points(&e, kpak, sig + 2 * ECCSI_N);
	if (rc != MST_OK)
		goto out;
	rc = MST_ERR_CRYPTO;
	p = BN_new();
	if (!p || !EC_GROUP_get_curve(e.group, p, NULL, NULL, e.bn))
		goto out;
	/* r is an x coordinate (in [1, p-1]) and s an element of F_q*; any
	 * other encoding of them is refused rather than reduced. */
	rc = signature_scalar_ok(sig, p);
	if (rc == MST_OK)
		rc = signature_scalar_ok(sig + ECCSI_N, e.q);
	if (rc == MST_OK)
		rc = ecc_hs(&e, kpak, id, id_len, sig + 2 * ECCSI_N, hs);
	if (rc == MST_OK)
		rc = ecc_he(hs, sig, msg, msg_len, he);
	if (rc == MST_OK && trace) {
		memcpy(trace->hs, hs, ECCSI_N);
		memcpy(trace->he, he, ECCSI_N);
	}
	if (rc == MST_OK)
		rc = verify_points(&e, kpak, hs, he, sig, trace);
out:
	BN_free(p);
	ecc_env_close(&e);
	return rc;
}

mst_rc eccsi_verify(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		    const uint8_t *msg, size_t msg_len, const uint8_t sig[ECCSI_SIG_LEN])
{
	return eccsi_verify_trace(kpak, id, id_len, msg, msg_len, sig, NULL);
}
