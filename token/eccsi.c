/* token/eccsi.c - ECCSI (RFC 6507) on NIST P-256 / SHA-256, OpenSSL 3 EC and BN.
 *
 * Side channels: every secret scalar (KSAK, v, SSK, j) carries
 * BN_FLG_CONSTTIME and is only used in
 *   - EC_POINT_mul with that single scalar (OpenSSL's constant-time ladder,
 *     or the nistz256 code on x86-64), never in a multi-scalar mul (wNAF);
 *   - Montgomery multiplication mod q and BN_mod_add_quick (constant-time),
 *     never BN_mod_mul, which divides;
 *   - the inverse by Fermat, BN_mod_exp_mont_consttime(t, q - 2).
 * Range checks of secret scalars are made on the octets without branches.
 * Every operation builds its own group, BN_CTX and Montgomery context, so no
 * mutable state is shared and one signer may sign from several threads.
 */
#include "config.h"
#include "token/eccsi.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "token/secmem.h"

/* A uniform 32-octet draw is >= q with probability < 2^-32, so 64 draws
 * all failing means the generator is broken. */
#define RANDOM_SCALAR_TRIES 64

/* The P-256 group order q (RFC 6507 Appendix A), for branch-free checks. */
static const uint8_t p256_q[ECCSI_N] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

struct eccsi_signer {
	uint8_t ssk[ECCSI_N];
	uint8_t hs[ECCSI_N];
	uint8_t pvt[ECCSI_POINT_LEN];
};

/* What one operation needs, owned by that operation alone. */
struct ec_env {
	EC_GROUP *group;
	BN_CTX *bn;
	const BIGNUM *q;
	BN_MONT_CTX *mont_q;
};

static void env_close(struct ec_env *e)
{
	BN_MONT_CTX_free(e->mont_q);
	BN_CTX_free(e->bn);
	EC_GROUP_free(e->group);
	memset(e, 0, sizeof(*e));
}

static mst_rc env_open(struct ec_env *e)
{
	memset(e, 0, sizeof(*e));
	e->group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	e->bn = BN_CTX_new();
	e->mont_q = BN_MONT_CTX_new();
	if (!e->group || !e->bn || !e->mont_q)
		goto fail;
	e->q = EC_GROUP_get0_order(e->group);
	if (!e->q || !BN_MONT_CTX_set(e->mont_q, e->q, e->bn))
		goto fail;
	return MST_OK;
fail:
	env_close(e);
	return MST_ERR_CRYPTO;
}

/* 1 when 0 < x < q.  x may be secret: the subtraction runs over every
 * octet and the result is formed with masks, not branches. */
static int scalar_in_range(const uint8_t x[ECCSI_N])
{
	unsigned borrow = 0, nonzero = 0;
	int i;

	for (i = ECCSI_N - 1; i >= 0; i--) {
		unsigned d = (unsigned)x[i] - p256_q[i] - borrow;
		borrow = (d >> 8) & 1u;
		nonzero |= x[i];
	}
	return (int)(borrow & ((nonzero + 0xffu) >> 8));
}

/* A fresh secret scalar in [1, q-1] from the private DRBG.  Rejection
 * sampling keeps it uniform; timing shows only how many draws failed. */
static mst_rc random_scalar(uint8_t out[ECCSI_N])
{
	int i;

	for (i = 0; i < RANDOM_SCALAR_TRIES; i++) {
		if (RAND_priv_bytes(out, ECCSI_N) != 1)
			break;
		if (scalar_in_range(out))
			return MST_OK;
	}
	secure_wipe(out, ECCSI_N);
	return MST_ERR_CRYPTO;
}

/* BIGNUM of a secret scalar already checked to lie in [1, q-1]. */
static BIGNUM *secret_bn(const uint8_t x[ECCSI_N])
{
	BIGNUM *b = BN_secure_new();

	if (!b)
		return NULL;
	BN_set_flags(b, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(x, ECCSI_N, b)) {
		BN_clear_free(b);
		return NULL;
	}
	return b;
}

/* Decode 04||x||y into a point of the curve other than infinity. */
static mst_rc point_decode(const struct ec_env *e, const uint8_t in[ECCSI_POINT_LEN],
			   EC_POINT **out)
{
	EC_POINT *pt;

	*out = NULL;
	if (in[0] != 0x04)
		return MST_ERR_BAD_POINT;
	pt = EC_POINT_new(e->group);
	if (!pt)
		return MST_ERR_NOMEM;
	/* oct2point refuses coordinates >= p and points off the curve */
	if (!EC_POINT_oct2point(e->group, pt, in, ECCSI_POINT_LEN, e->bn) ||
	    EC_POINT_is_at_infinity(e->group, pt) ||
	    EC_POINT_is_on_curve(e->group, pt, e->bn) != 1) {
		EC_POINT_free(pt);
		return MST_ERR_BAD_POINT;
	}
	*out = pt;
	return MST_OK;
}

static mst_rc point_encode(const struct ec_env *e, const EC_POINT *pt,
			   uint8_t out[ECCSI_POINT_LEN])
{
	if (EC_POINT_is_at_infinity(e->group, pt))
		return MST_ERR_BAD_POINT;
	if (EC_POINT_point2oct(e->group, pt, POINT_CONVERSION_UNCOMPRESSED, out,
			       ECCSI_POINT_LEN, e->bn) != ECCSI_POINT_LEN)
		return MST_ERR_CRYPTO;
	return MST_OK;
}

/* SHA-256 over the concatenation of n parts. */
static mst_rc sha256_parts(const uint8_t *const part[], const size_t len[], size_t n,
			   uint8_t out[ECCSI_N])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int olen = 0;
	int ok;
	size_t i;

	if (!md)
		return MST_ERR_NOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (i = 0; ok && i < n; i++)
		ok = len[i] == 0 || EVP_DigestUpdate(md, part[i], len[i]);
	ok = ok && EVP_DigestFinal_ex(md, out, &olen) && olen == ECCSI_N;
	EVP_MD_CTX_free(md);
	return ok ? MST_OK : MST_ERR_CRYPTO;
}

/* HS = hash(G || KPAK || ID || PVT), points already checked. */
static mst_rc compute_hs(const struct ec_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
			 const uint8_t *id, size_t id_len, const uint8_t pvt[ECCSI_POINT_LEN],
			 uint8_t hs[ECCSI_N])
{
	uint8_t g[ECCSI_POINT_LEN];
	mst_rc rc = point_encode(e, EC_GROUP_get0_generator(e->group), g);
	const uint8_t *part[4] = { g, kpak, id, pvt };
	const size_t len[4] = { ECCSI_POINT_LEN, ECCSI_POINT_LEN, id_len, ECCSI_POINT_LEN };

	return rc != MST_OK ? rc : sha256_parts(part, len, 4, hs);
}

/* HE = hash(HS || r || M). */
static mst_rc compute_he(const uint8_t hs[ECCSI_N], const uint8_t r[ECCSI_N],
			 const uint8_t *msg, size_t msg_len, uint8_t he[ECCSI_N])
{
	const uint8_t *part[3] = { hs, r, msg };
	const size_t len[3] = { ECCSI_N, ECCSI_N, msg_len };

	return sha256_parts(part, len, 3, he);
}

/* out = a * b mod q, a and b in [0, q-1], in Montgomery form so that the
 * time does not depend on the (secret) values: to_mont(a) = aR, then
 * mont_mul(aR, b) = ab. */
static int mul_mod_q(const struct ec_env *e, BIGNUM *out, const BIGNUM *a, const BIGNUM *b)
{
	BIGNUM *am = BN_secure_new();
	int ok;

	if (!am)
		return 0;
	BN_set_flags(am, BN_FLG_CONSTTIME);
	ok = BN_to_montgomery(am, a, e->mont_q, e->bn) &&
	     BN_mod_mul_montgomery(out, am, b, e->mont_q, e->bn);
	BN_clear_free(am);
	return ok;
}

/* A public value (a hash, r) reduced mod q. */
static BIGNUM *public_mod_q(const struct ec_env *e, const uint8_t x[ECCSI_N])
{
	BIGNUM *b = BN_bin2bn(x, ECCSI_N, NULL);

	if (b && !BN_nnmod(b, b, e->q, e->bn)) {
		BN_free(b);
		b = NULL;
	}
	return b;
}

/* out = [k]G for a secret k in [1, q-1]. */
static mst_rc mul_generator(const struct ec_env *e, const uint8_t k[ECCSI_N],
			    uint8_t out[ECCSI_POINT_LEN])
{
	BIGNUM *kb = secret_bn(k);
	EC_POINT *pt = EC_POINT_new(e->group);
	mst_rc rc = MST_ERR_CRYPTO;

	if (kb && pt && EC_POINT_mul(e->group, pt, kb, NULL, NULL, e->bn))
		rc = point_encode(e, pt, out);
	EC_POINT_free(pt);
	BN_clear_free(kb);
	return rc;
}

mst_rc eccsi_check_point(const uint8_t pt[ECCSI_POINT_LEN])
{
	struct ec_env e;
	EC_POINT *p = NULL;
	mst_rc rc;

	if (!pt)
		return MST_ERR_ARGS;
	rc = env_open(&e);
	if (rc == MST_OK)
		rc = point_decode(&e, pt, &p);
	EC_POINT_free(p);
	env_close(&e);
	return rc;
}

mst_rc eccsi_kms_keygen(uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_LEN])
{
	struct ec_env e;
	mst_rc rc;

	if (!ksak || !kpak)
		return MST_ERR_ARGS;
	rc = env_open(&e);
	if (rc != MST_OK)
		return rc;
	rc = random_scalar(ksak);
	if (rc == MST_OK)
		rc = mul_generator(&e, ksak, kpak);
	if (rc != MST_OK)
		secure_wipe(ksak, ECCSI_N);
	env_close(&e);
	return rc;
}

/* The first steps of every call taking a secret scalar: the scalar is in
 * [1, q-1], then the operation's environment is opened. */
static mst_rc open_for_secret(struct ec_env *e, const uint8_t secret[ECCSI_N])
{
	if (!scalar_in_range(secret))
		return MST_ERR_BAD_SCALAR;
	return env_open(e);
}

mst_rc eccsi_kms_public(const uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_LEN])
{
	struct ec_env e;
	mst_rc rc;

	if (!ksak || !kpak)
		return MST_ERR_ARGS;
	rc = open_for_secret(&e, ksak);
	if (rc != MST_OK)
		return rc;
	rc = mul_generator(&e, ksak, kpak);
	env_close(&e);
	return rc;
}

/* Both points of a key well formed: the common first step of most calls. */
static mst_rc check_points(const struct ec_env *e, const uint8_t a[ECCSI_POINT_LEN],
			   const uint8_t b[ECCSI_POINT_LEN])
{
	EC_POINT *pa = NULL, *pb = NULL;
	mst_rc rc = point_decode(e, a, &pa);

	if (rc == MST_OK)
		rc = point_decode(e, b, &pb);
	EC_POINT_free(pa);
	EC_POINT_free(pb);
	return rc;
}

mst_rc eccsi_hs(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		const uint8_t pvt[ECCSI_POINT_LEN], uint8_t hs[ECCSI_N])
{
	struct ec_env e;
	mst_rc rc;

	if (!kpak || !id || id_len == 0 || !pvt || !hs)
		return MST_ERR_ARGS;
	rc = env_open(&e);
	if (rc != MST_OK)
		return rc;
	rc = check_points(&e, kpak, pvt);
	if (rc == MST_OK)
		rc = compute_hs(&e, kpak, id, id_len, pvt, hs);
	env_close(&e);
	return rc;
}

/* SSK = (KSAK + HS * v) mod q (RFC 6507 5.1.1 step 4). */
static mst_rc ssk_from(const struct ec_env *e, const uint8_t ksak[ECCSI_N],
		       const uint8_t hs[ECCSI_N], const uint8_t v[ECCSI_N], uint8_t ssk[ECCSI_N])
{
	BIGNUM *kb = secret_bn(ksak), *vb = secret_bn(v), *hb = public_mod_q(e, hs);
	BIGNUM *t = BN_secure_new();
	mst_rc rc = MST_ERR_CRYPTO;

	if (kb && vb && hb && t) {
		BN_set_flags(t, BN_FLG_CONSTTIME);
		if (mul_mod_q(e, t, hb, vb) && BN_mod_add_quick(t, t, kb, e->q) &&
		    BN_bn2binpad(t, ssk, ECCSI_N) == ECCSI_N)
			rc = MST_OK;
	}
	BN_clear_free(t);
	BN_free(hb);
	BN_clear_free(vb);
	BN_clear_free(kb);
	return rc;
}

/* One attempt of RFC 6507 5.1.1 with a given v.  MST_ERR_BAD_SCALAR when v
 * is out of range or makes HS or SSK zero (step 5: try another v). */
static mst_rc issue_once(const struct ec_env *e, const uint8_t ksak[ECCSI_N],
			 const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
			 const uint8_t v[ECCSI_N], uint8_t ssk[ECCSI_N],
			 uint8_t pvt[ECCSI_POINT_LEN])
{
	uint8_t hs[ECCSI_N];
	mst_rc rc;

	if (!scalar_in_range(v))
		return MST_ERR_BAD_SCALAR;
	rc = mul_generator(e, v, pvt);
	if (rc == MST_OK)
		rc = compute_hs(e, kpak, id, id_len, pvt, hs);
	if (rc == MST_OK)
		rc = ssk_from(e, ksak, hs, v, ssk);
	/* HS is public; SSK = 0 happens with probability 2^-256, and a branch
	 * that reveals only that is what the RFC's step 5 asks for. */
	if (rc == MST_OK && (!scalar_in_range(hs) || !scalar_in_range(ssk)))
		rc = MST_ERR_BAD_SCALAR;
	if (rc != MST_OK)
		secure_wipe(ssk, ECCSI_N);
	return rc;
}

/* Checks shared by both issuing calls; opens the environment on success. */
static mst_rc issue_begin(struct ec_env *e, const uint8_t *ksak, const uint8_t *kpak,
			  const uint8_t *id, size_t id_len, const uint8_t *ssk,
			  const uint8_t *pvt)
{
	EC_POINT *pk = NULL;
	mst_rc rc;

	if (!ksak || !kpak || !id || id_len == 0 || !ssk || !pvt)
		return MST_ERR_ARGS;
	rc = open_for_secret(e, ksak);
	if (rc != MST_OK)
		return rc;
	rc = point_decode(e, kpak, &pk);
	EC_POINT_free(pk);
	if (rc != MST_OK)
		env_close(e);
	return rc;
}

mst_rc eccsi_issue_with_v(const uint8_t ksak[ECCSI_N], const uint8_t kpak[ECCSI_POINT_LEN],
			  const uint8_t *id, size_t id_len, const uint8_t v[ECCSI_N],
			  uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_LEN])
{
	struct ec_env e;
	mst_rc rc;

	if (!v)
		return MST_ERR_ARGS;
	rc = issue_begin(&e, ksak, kpak, id, id_len, ssk, pvt);
	if (rc != MST_OK)
		return rc;
	rc = issue_once(&e, ksak, kpak, id, id_len, v, ssk, pvt);
	env_close(&e);
	return rc;
}

mst_rc eccsi_issue(const uint8_t ksak[ECCSI_N], const uint8_t kpak[ECCSI_POINT_LEN],
		   const uint8_t *id, size_t id_len,
		   uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_LEN])
{
	struct ec_env e;
	uint8_t v[ECCSI_N];
	mst_rc rc;
	int i;

	rc = issue_begin(&e, ksak, kpak, id, id_len, ssk, pvt);
	if (rc != MST_OK)
		return rc;
	rc = MST_ERR_CRYPTO;
	for (i = 0; i < RANDOM_SCALAR_TRIES; i++) {
		rc = random_scalar(v);
		if (rc == MST_OK)
			rc = issue_once(&e, ksak, kpak, id, id_len, v, ssk, pvt);
		if (rc != MST_ERR_BAD_SCALAR)
			break;
	}
	secure_wipe(v, sizeof(v)); /* step 6: the KMS erases v */
	env_close(&e);
	return rc;
}

/* RFC 6507 5.1.2 step 3 with HS known: KPAK == [SSK]G - [HS]PVT.  [SSK]G
 * is computed alone (ladder) so the secret never enters a wNAF mul. */
static mst_rc check_kpak(const struct ec_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
			 const uint8_t ssk[ECCSI_N], const uint8_t hs[ECCSI_N],
			 const uint8_t pvt[ECCSI_POINT_LEN])
{
	EC_POINT *pk = NULL, *pv = NULL, *a = EC_POINT_new(e->group);
	EC_POINT *b = EC_POINT_new(e->group), *d = EC_POINT_new(e->group);
	BIGNUM *sb = secret_bn(ssk), *hb = BN_bin2bn(hs, ECCSI_N, NULL);
	mst_rc rc = point_decode(e, kpak, &pk);

	if (rc == MST_OK)
		rc = point_decode(e, pvt, &pv);
	if (rc == MST_OK) {
		rc = MST_ERR_CRYPTO;
		if (a && b && d && sb && hb &&
		    EC_POINT_mul(e->group, a, sb, NULL, NULL, e->bn) &&
		    EC_POINT_mul(e->group, b, NULL, pv, hb, e->bn) &&
		    EC_POINT_invert(e->group, b, e->bn) &&
		    EC_POINT_add(e->group, d, a, b, e->bn))
			rc = EC_POINT_cmp(e->group, d, pk, e->bn) == 0 ? MST_OK : MST_ERR_BAD_KEY;
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
	struct ec_env e;
	mst_rc rc;

	if (!kpak || !id || id_len == 0 || !ssk || !pvt)
		return MST_ERR_ARGS;
	rc = open_for_secret(&e, ssk);
	if (rc != MST_OK)
		return rc;
	rc = check_points(&e, kpak, pvt);
	if (rc == MST_OK)
		rc = compute_hs(&e, kpak, id, id_len, pvt, hs);
	if (rc == MST_OK)
		rc = check_kpak(&e, kpak, ssk, hs, pvt);
	env_close(&e);
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

/* s' = ((HE + r * SSK)^-1 * j) mod q (steps 4-5).  MST_ERR_BAD_SCALAR when
 * HE + r * SSK = 0 mod q (step 4: try another j). */
static mst_rc sign_scalar(const struct ec_env *e, const uint8_t ssk[ECCSI_N],
			  const uint8_t he[ECCSI_N], const uint8_t r[ECCSI_N],
			  const uint8_t j[ECCSI_N], uint8_t s_out[ECCSI_N])
{
	BIGNUM *sb = secret_bn(ssk), *jb = secret_bn(j);
	BIGNUM *hb = public_mod_q(e, he), *rb = public_mod_q(e, r);
	BIGNUM *t = BN_secure_new(), *qm2 = BN_dup(e->q);
	mst_rc rc = MST_ERR_CRYPTO;

	if (!sb || !jb || !hb || !rb || !t || !qm2 || !BN_sub_word(qm2, 2))
		goto out;
	BN_set_flags(t, BN_FLG_CONSTTIME);
	if (!mul_mod_q(e, t, rb, sb) || !BN_mod_add_quick(t, t, hb, e->q))
		goto out;
	/* Zero only with probability 2^-256; the RFC requires the check. */
	if (BN_is_zero(t)) {
		rc = MST_ERR_BAD_SCALAR;
		goto out;
	}
	/* t^(q-2) = t^-1 (q prime), exponent public, base secret */
	if (!BN_mod_exp_mont_consttime(t, t, qm2, e->q, e->bn, e->mont_q) ||
	    !mul_mod_q(e, t, t, jb) || BN_bn2binpad(t, s_out, ECCSI_N) != ECCSI_N)
		goto out;
	rc = MST_OK;
out:
	BN_free(qm2);
	BN_clear_free(t);
	BN_free(rb);
	BN_free(hb);
	BN_clear_free(jb);
	BN_clear_free(sb);
	return rc;
}

/* RFC 6507 5.2.1 steps 2-7 with a given j.  MST_ERR_BAD_SCALAR asks for a
 * fresh j (j out of range, r = 0, or step 4). */
static mst_rc sign_once(const struct ec_env *e, const eccsi_signer *s, const uint8_t *msg,
			size_t msg_len, const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_LEN],
			eccsi_trace *trace)
{
	uint8_t jp[ECCSI_POINT_LEN], he[ECCSI_N];
	const uint8_t *r = jp + 1; /* r = Jx, the N octets after 0x04 */
	mst_rc rc;

	if (!scalar_in_range(j))
		return MST_ERR_BAD_SCALAR;
	rc = mul_generator(e, j, jp);
	if (rc != MST_OK)
		return rc;
	/* r = 0 would fail verification (5.2.2 step 6); r is public. */
	if (CRYPTO_memcmp(r, (const uint8_t[ECCSI_N]){ 0 }, ECCSI_N) == 0)
		return MST_ERR_BAD_SCALAR;
	rc = compute_he(s->hs, r, msg, msg_len, he);
	if (rc == MST_OK)
		rc = sign_scalar(e, s->ssk, he, r, j, sig + ECCSI_N);
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
	struct ec_env e;
	mst_rc rc;

	if (!s || (!msg && msg_len) || !j || !sig)
		return MST_ERR_ARGS;
	rc = env_open(&e);
	if (rc != MST_OK)
		return rc;
	rc = sign_once(&e, s, msg, msg_len, j, sig, trace);
	env_close(&e);
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
	struct ec_env e;
	uint8_t j[ECCSI_N];
	mst_rc rc;
	int i;

	if (!s || (!msg && msg_len) || !sig)
		return MST_ERR_ARGS;
	rc = env_open(&e);
	if (rc != MST_OK)
		return rc;
	for (i = 0; i < RANDOM_SCALAR_TRIES; i++) {
		rc = random_scalar(j);
		if (rc == MST_OK)
			rc = sign_once(&e, s, msg, msg_len, j, sig, NULL);
		if (rc != MST_ERR_BAD_SCALAR)
			break;
	}
	secure_wipe(j, sizeof(j)); /* step 5: erase j */
	env_close(&e);
	return rc;
}

/* 1 when 0 < x < m for a public x given as N octets. */
static int public_in_range(const uint8_t x[ECCSI_N], const BIGNUM *m)
{
	BIGNUM *b = BN_bin2bn(x, ECCSI_N, NULL);
	int ok = b && !BN_is_zero(b) && BN_cmp(b, m) < 0;

	BN_free(b);
	return ok;
}

/* Steps 4-6 of 5.2.2: Y = [HS]PVT + KPAK, J = [s]([HE]G + [r]Y), Jx = r. */
static mst_rc verify_points(const struct ec_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
			    const uint8_t hs[ECCSI_N], const uint8_t he[ECCSI_N],
			    const uint8_t sig[ECCSI_SIG_LEN], eccsi_trace *trace)
{
	EC_POINT *pk = NULL, *pv = NULL, *hp = EC_POINT_new(e->group);
	EC_POINT *y = EC_POINT_new(e->group), *t = EC_POINT_new(e->group);
	EC_POINT *j = EC_POINT_new(e->group);
	BIGNUM *hsb = BN_bin2bn(hs, ECCSI_N, NULL), *heb = BN_bin2bn(he, ECCSI_N, NULL);
	BIGNUM *rb = BN_bin2bn(sig, ECCSI_N, NULL), *sb = BN_bin2bn(sig + ECCSI_N, ECCSI_N, NULL);
	uint8_t jenc[ECCSI_POINT_LEN];
	mst_rc rc = point_decode(e, kpak, &pk);

	if (rc == MST_OK)
		rc = point_decode(e, sig + 2 * ECCSI_N, &pv);
	if (rc != MST_OK)
		goto out;
	rc = MST_ERR_CRYPTO;
	if (!hp || !y || !t || !j || !hsb || !heb || !rb || !sb ||
	    !EC_POINT_mul(e->group, hp, NULL, pv, hsb, e->bn) ||
	    !EC_POINT_add(e->group, y, hp, pk, e->bn) ||
	    !EC_POINT_mul(e->group, t, heb, y, rb, e->bn) ||
	    !EC_POINT_mul(e->group, j, NULL, t, sb, e->bn))
		goto out;
	if (trace && (EC_POINT_is_at_infinity(e->group, y) ||
		      point_encode(e, y, trace->y) != MST_OK))
		memset(trace->y, 0, ECCSI_POINT_LEN);
	/* J at infinity has no Jx: the signature is wrong. */
	rc = point_encode(e, j, jenc);
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
	EC_POINT_free(t);
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
	struct ec_env e;
	uint8_t hs[ECCSI_N], he[ECCSI_N];
	BIGNUM *p = NULL;
	mst_rc rc;

	if (!kpak || !id || id_len == 0 || (!msg && msg_len) || !sig)
		return MST_ERR_ARGS;
	rc = env_open(&e);
	if (rc != MST_OK)
		return rc;
	/* step 1: PVT (and the root of trust) on the curve */
	rc = check_points(&e, kpak, sig + 2 * ECCSI_N);
	if (rc != MST_OK)
		goto out;
	rc = MST_ERR_CRYPTO;
	p = BN_new();
	if (!p || !EC_GROUP_get_curve(e.group, p, NULL, NULL, e.bn))
		goto out;
	/* r is an x coordinate (in [1, p-1]) and s an element of F_q*; any
	 * other encoding of them is refused rather than reduced. */
	rc = MST_ERR_BAD_SIGNATURE;
	if (!public_in_range(sig, p) || !public_in_range(sig + ECCSI_N, e.q))
		goto out;
	rc = compute_hs(&e, kpak, id, id_len, sig + 2 * ECCSI_N, hs);
	if (rc == MST_OK)
		rc = compute_he(hs, sig, msg, msg_len, he);
	if (rc == MST_OK && trace) {
		memcpy(trace->hs, hs, ECCSI_N);
		memcpy(trace->he, he, ECCSI_N);
	}
	if (rc == MST_OK)
		rc = verify_points(&e, kpak, hs, he, sig, trace);
out:
	BN_free(p);
	env_close(&e);
	return rc;
}

mst_rc eccsi_verify(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		    const uint8_t *msg, size_t msg_len, const uint8_t sig[ECCSI_SIG_LEN])
{
	return eccsi_verify_trace(kpak, id, id_len, msg, msg_len, sig, NULL);
}
