/* token/eccsi.c - ECCSI keys (RFC 6507 5.1): KMS keys, issuing (SSK, PVT),
 * validating them, and the signer object that holds them. */
#include "config.h"
#include "token/eccsi.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "token/eccsi_ec.h"
#include "token/secmem.h"

mst_rc eccsi_check_point(const uint8_t pt[ECCSI_POINT_LEN])
{
	struct ecc_env e;
	EC_POINT *p = NULL;
	mst_rc rc;

	if (!pt)
		return MST_ERR_ARGS;
	rc = ecc_env_open(&e);
	if (rc == MST_OK)
		rc = ecc_point_decode(&e, pt, &p);
	EC_POINT_free(p);
	ecc_env_close(&e);
	return rc;
}

mst_rc eccsi_kms_keygen(uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_LEN])
{
	struct ecc_env e;
	mst_rc rc;

	if (!ksak || !kpak)
		return MST_ERR_ARGS;
	rc = ecc_env_open(&e);
	if (rc != MST_OK)
		return rc;
	rc = ecc_random_scalar(ksak);
	if (rc == MST_OK)
		rc = ecc_mul_generator(&e, ksak, kpak);
	if (rc != MST_OK)
		secure_wipe(ksak, ECCSI_N);
	ecc_env_close(&e);
	return rc;
}

mst_rc eccsi_kms_public(const uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_LEN])
{
	struct ecc_env e;
	mst_rc rc;

	if (!ksak || !kpak)
		return MST_ERR_ARGS;
	rc = ecc_open_for_secret(&e, ksak);
	if (rc != MST_OK)
		return rc;
	rc = ecc_mul_generator(&e, ksak, kpak);
	ecc_env_close(&e);
	return rc;
}

mst_rc eccsi_hs(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		const uint8_t pvt[ECCSI_POINT_LEN], uint8_t hs[ECCSI_N])
{
	struct ecc_env e;
	mst_rc rc;

	if (!kpak || !id || id_len == 0 || !pvt || !hs)
		return MST_ERR_ARGS;
	rc = ecc_env_open(&e);
	if (rc != MST_OK)
		return rc;
	rc = ecc_check_points(&e, kpak, pvt);
	if (rc == MST_OK)
		rc = ecc_hs(&e, kpak, id, id_len, pvt, hs);
	ecc_env_close(&e);
	return rc;
}

/* SSK = (KSAK + HS * v) mod q (RFC 6507 5.1.1 step 4). */
static mst_rc ssk_from(const struct ecc_env *e, const uint8_t ksak[ECCSI_N],
		       const uint8_t hs[ECCSI_N], const uint8_t v[ECCSI_N], uint8_t ssk[ECCSI_N])
{
	BIGNUM *kb = ecc_secret_bn(ksak), *vb = ecc_secret_bn(v), *hb = ecc_public_mod_q(e, hs);
	BIGNUM *t = BN_secure_new();
	mst_rc rc = MST_ERR_CRYPTO;

	if (kb && vb && hb && t) {
		BN_set_flags(t, BN_FLG_CONSTTIME);
		if (ecc_mul_mod_q(e, t, hb, vb) && BN_mod_add_quick(t, t, kb, e->q) &&
		    BN_bn2binpad(t, ssk, ECCSI_N) == ECCSI_N)
			rc = MST_OK;
	}
	BN_clear_free(t);
	BN_free(hb);
	BN_clear_free(vb);
	BN_clear_free(kb);
	return rc;
}

/* 1 when the public N-octet integer x is 0 mod q (x = 0 or x = q). */
static int public_zero_mod_q(const struct ecc_env *e, const uint8_t x[ECCSI_N])
{
	BIGNUM *b = ecc_public_mod_q(e, x);
	int zero = !b || BN_is_zero(b); /* an allocation failure counts as "retry" */

	BN_free(b);
	return zero;
}

/* One attempt of RFC 6507 5.1.1 with a given v.  MST_ERR_BAD_SCALAR when v
 * is out of range or makes HS or SSK zero (step 5: try another v). */
static mst_rc issue_once(const struct ecc_env *e, const uint8_t ksak[ECCSI_N],
			 const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
			 const uint8_t v[ECCSI_N], uint8_t ssk[ECCSI_N],
			 uint8_t pvt[ECCSI_POINT_LEN])
{
	uint8_t hs[ECCSI_N];
	mst_rc rc;

	if (!ecc_scalar_in_range(v))
		return MST_ERR_BAD_SCALAR;
	rc = ecc_mul_generator(e, v, pvt);
	if (rc == MST_OK)
		rc = ecc_hs(e, kpak, id, id_len, pvt, hs);
	if (rc == MST_OK)
		rc = ssk_from(e, ksak, hs, v, ssk);
	/* Step 5: HS or SSK zero mod q (SSK is already reduced).  HS is public;
	 * SSK = 0 happens with probability 2^-256, and a branch revealing only
	 * that is what the step asks for. */
	if (rc == MST_OK && (public_zero_mod_q(e, hs) || !ecc_scalar_in_range(ssk)))
		rc = MST_ERR_BAD_SCALAR;
	if (rc != MST_OK) {
		secure_wipe(ssk, ECCSI_N);
		memset(pvt, 0, ECCSI_POINT_LEN); /* no half-issued pair */
	}
	return rc;
}

/* Checks shared by both issuing calls (KPAK well formed and equal to
 * [KSAK]G, so no key is issued that could never validate); opens the
 * environment on success. */
static mst_rc issue_begin(struct ecc_env *e, const uint8_t *ksak, const uint8_t *kpak,
			  const uint8_t *id, size_t id_len, const uint8_t *ssk,
			  const uint8_t *pvt)
{
	uint8_t own[ECCSI_POINT_LEN];
	EC_POINT *pk = NULL;
	mst_rc rc;

	if (!ksak || !kpak || !id || id_len == 0 || !ssk || !pvt)
		return MST_ERR_ARGS;
	rc = ecc_open_for_secret(e, ksak);
	if (rc != MST_OK)
		return rc;
	rc = ecc_point_decode(e, kpak, &pk);
	EC_POINT_free(pk);
	if (rc == MST_OK)
		rc = ecc_mul_generator(e, ksak, own);
	if (rc == MST_OK && memcmp(own, kpak, ECCSI_POINT_LEN) != 0)
		rc = MST_ERR_BAD_KEY;
	if (rc != MST_OK)
		ecc_env_close(e);
	return rc;
}

mst_rc eccsi_issue_with_v(const uint8_t ksak[ECCSI_N], const uint8_t kpak[ECCSI_POINT_LEN],
			  const uint8_t *id, size_t id_len, const uint8_t v[ECCSI_N],
			  uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_LEN])
{
	struct ecc_env e;
	mst_rc rc;

	if (!v)
		return MST_ERR_ARGS;
	rc = issue_begin(&e, ksak, kpak, id, id_len, ssk, pvt);
	if (rc != MST_OK)
		return rc;
	rc = issue_once(&e, ksak, kpak, id, id_len, v, ssk, pvt);
	ecc_env_close(&e);
	return rc;
}

mst_rc eccsi_issue(const uint8_t ksak[ECCSI_N], const uint8_t kpak[ECCSI_POINT_LEN],
		   const uint8_t *id, size_t id_len,
		   uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_LEN])
{
	struct ecc_env e;
	uint8_t v[ECCSI_N];
	mst_rc rc;
	int i;

	rc = issue_begin(&e, ksak, kpak, id, id_len, ssk, pvt);
	if (rc != MST_OK)
		return rc;
	rc = MST_ERR_CRYPTO;
	for (i = 0; i < ECC_RANDOM_TRIES; i++) {
		rc = ecc_random_scalar(v);
		if (rc == MST_OK)
			rc = issue_once(&e, ksak, kpak, id, id_len, v, ssk, pvt);
		if (rc != MST_ERR_BAD_SCALAR)
			break;
	}
	secure_wipe(v, sizeof(v)); /* step 6: the KMS erases v */
	ecc_env_close(&e);
	return rc;
}

/* MST_OK when a = b, MST_ERR_BAD_KEY when not, MST_ERR_CRYPTO when the
 * comparison itself failed (EC_POINT_cmp's -1). */
static mst_rc points_equal(const struct ecc_env *e, const EC_POINT *a, const EC_POINT *b)
{
	int c = EC_POINT_cmp(e->group, a, b, e->bn);

	return c == 0 ? MST_OK : c == 1 ? MST_ERR_BAD_KEY : MST_ERR_CRYPTO;
}

/* RFC 6507 5.1.2 step 3 with HS known: KPAK == [SSK]G - [HS]PVT.  [SSK]G
 * is computed alone (ladder) so the secret never enters a wNAF mul. */
static mst_rc check_kpak(const struct ecc_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
			 const uint8_t ssk[ECCSI_N], const uint8_t hs[ECCSI_N],
			 const uint8_t pvt[ECCSI_POINT_LEN])
{
	EC_POINT *pk = NULL, *pv = NULL, *a = EC_POINT_new(e->group);
	EC_POINT *b = EC_POINT_new(e->group), *d = EC_POINT_new(e->group);
	BIGNUM *sb = ecc_secret_bn(ssk), *hb = BN_bin2bn(hs, ECCSI_N, NULL);
	mst_rc rc = ecc_point_decode(e, kpak, &pk);

	if (rc == MST_OK)
		rc = ecc_point_decode(e, pvt, &pv);
	if (rc == MST_OK) {
		rc = MST_ERR_CRYPTO;
		if (a && b && d && sb && hb &&
		    EC_POINT_mul(e->group, a, sb, NULL, NULL, e->bn) &&
		    EC_POINT_mul(e->group, b, NULL, pv, hb, e->bn) &&
		    EC_POINT_invert(e->group, b, e->bn) &&
		    EC_POINT_add(e->group, d, a, b, e->bn))
			rc = points_equal(e, d, pk);
	}
	BN_free(hb);
	BN_clear_free(sb);
	EC_POINT_free(d);
	EC_POINT_free(b);
	EC_POINT_clear_free(a);
	EC_POINT_free(pv);
	EC_POINT_free(pk);
	return rc;
}

/* RFC 6507 5.1.2 in full, returning HS for the signer. */
static mst_rc validate(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		       const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_LEN],
		       uint8_t hs[ECCSI_N])
{
	struct ecc_env e;
	mst_rc rc;

	if (!kpak || !id || id_len == 0 || !ssk || !pvt)
		return MST_ERR_ARGS;
	rc = ecc_open_for_secret(&e, ssk);
	if (rc != MST_OK)
		return rc;
	rc = ecc_check_points(&e, kpak, pvt);
	if (rc == MST_OK)
		rc = ecc_hs(&e, kpak, id, id_len, pvt, hs);
	if (rc == MST_OK)
		rc = check_kpak(&e, kpak, ssk, hs, pvt);
	ecc_env_close(&e);
	return rc;
}

mst_rc eccsi_validate(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		      const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_LEN])
{
	uint8_t hs[ECCSI_N];

	return validate(kpak, id, id_len, ssk, pvt, hs);
}

mst_rc eccsi_signer_new(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
			const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_LEN],
			eccsi_signer **out)
{
	eccsi_signer *s;
	mst_rc rc;

	if (!out)
		return MST_ERR_ARGS;
	*out = NULL;
	s = secmem_alloc(sizeof(*s));
	if (!s)
		return MST_ERR_NOMEM;
	rc = validate(kpak, id, id_len, ssk, pvt, s->hs);
	if (rc != MST_OK) {
		secmem_free(s);
		return rc;
	}
	memcpy(s->ssk, ssk, ECCSI_N);
	memcpy(s->pvt, pvt, ECCSI_POINT_LEN);
	*out = s;
	return MST_OK;
}

void eccsi_signer_free(eccsi_signer *s)
{
	secmem_free(s); /* wipes SSK */
}
