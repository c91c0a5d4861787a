/* token/eccsi_ec.c - P-256 building blocks of ECCSI (see eccsi_ec.h for
 * the side-channel rules they follow). */
#include "config.h"
#include "token/eccsi_ec.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "token/secmem.h"

/* The P-256 group order q (RFC 6507 Appendix A), for branch-free checks. */
static const uint8_t p256_q[ECCSI_N] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* P-256 and the Montgomery context of its order, made once per process:
 * building them (curve constants, Montgomery inverses) cost as much as
 * the signature's own arithmetic.  Both are only read afterwards
 * (EC_POINT_mul and the BN Montgomery calls take them const), so every
 * thread shares them; each operation still owns its BN_CTX.
 *
 * `users` counts the environments open on them, so that the unload
 * destructor (which also runs at exit(), perhaps while another thread is
 * still signing) frees them only when nobody holds them.  Lock-free on
 * purpose: a mutex could be held across fork().  open() counts itself
 * before it reads `shared`; the destructor takes `shared` before it reads
 * the count (both sequentially consistent), so either open() sees NULL and
 * fails, or the destructor sees the user and leaves the pair alone. */
struct shared_ec {
	EC_GROUP *group;
	BN_MONT_CTX *mont_q;
};
static struct shared_ec shared_store;
static _Atomic(struct shared_ec *) shared;
static atomic_uint users;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

/* A forked child has only the thread that called fork(), which was not
 * inside an operation: none of the parent's environments exist there. */
static void users_reset_in_child(void)
{
	atomic_store(&users, 0);
}

static void shared_init(void)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_MONT_CTX *m = BN_MONT_CTX_new();
	BN_CTX *bn = BN_CTX_new();

	if (g && m && bn && BN_MONT_CTX_set(m, EC_GROUP_get0_order(g), bn)) {
		shared_store.group = g;
		shared_store.mont_q = m;
		atomic_store(&shared, &shared_store);
		pthread_atfork(NULL, NULL, users_reset_in_child);
	} else {
		EC_GROUP_free(g);
		BN_MONT_CTX_free(m);
	}
	BN_CTX_free(bn);
}

/* When the module is unloaded (dlclose after C_Finalize; a process may load
 * it many times) the two go with it, instead of leaking one pair per load. */
__attribute__((destructor)) static void shared_free(void)
{
	struct shared_ec *s = atomic_exchange(&shared, NULL);

	/* a pair still in use stays in shared_store: reachable, never freed */
	if (!s || atomic_load(&users) != 0)
		return;
	EC_GROUP_free(s->group);
	BN_MONT_CTX_free(s->mont_q);
	memset(s, 0, sizeof(*s));
}

void ecc_env_close(struct ecc_env *e)
{
	BN_CTX_free(e->bn);
	if (e->group)
		atomic_fetch_sub(&users, 1);
	memset(e, 0, sizeof(*e));
}

unsigned ecc_env_users(void)
{
	return atomic_load(&users);
}

mst_rc ecc_env_open(struct ecc_env *e)
{
	const struct shared_ec *s;

	memset(e, 0, sizeof(*e));
	if (pthread_once(&shared_once, shared_init) != 0)
		return MST_ERR_CRYPTO;
	atomic_fetch_add(&users, 1);
	s = atomic_load(&shared);
	if (!s) {
		atomic_fetch_sub(&users, 1);
		return MST_ERR_CRYPTO;
	}
	e->group = s->group;
	e->mont_q = s->mont_q;
	e->q = EC_GROUP_get0_order(e->group);
	e->bn = BN_CTX_new();
	if (!e->bn) {
		ecc_env_close(e);
		return MST_ERR_CRYPTO;
	}
	return MST_OK;
}

/* 1 when 0 < x < q.  x may be secret: the subtraction runs over every
 * octet and the result is formed with masks, not branches. */
int ecc_scalar_in_range(const uint8_t x[ECCSI_N])
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
mst_rc ecc_random_scalar(uint8_t out[ECCSI_N])
{
	int i;

	for (i = 0; i < ECC_RANDOM_TRIES; i++) {
		if (RAND_priv_bytes(out, ECCSI_N) != 1)
			break;
		if (ecc_scalar_in_range(out))
			return MST_OK;
	}
	secure_wipe(out, ECCSI_N);
	return MST_ERR_CRYPTO;
}

/* BIGNUM of a secret scalar already checked to lie in [1, q-1]. */
BIGNUM *ecc_secret_bn(const uint8_t x[ECCSI_N])
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

/* Is (x, y) on y^2 = x^3 + ax + b over F_p, with x, y < p?  Checked here
 * rather than left to EC_POINT_oct2point, whose failure does not say
 * whether the point or an allocation was at fault: MST_ERR_BAD_POINT only
 * for the point, MST_ERR_CRYPTO for a resource.  All values are public. */
static mst_rc check_on_curve(const struct ecc_env *e, const BIGNUM *x, const BIGNUM *y)
{
	BIGNUM *p, *a, *b, *lhs, *rhs;
	mst_rc rc = MST_ERR_CRYPTO;

	BN_CTX_start(e->bn);
	p = BN_CTX_get(e->bn);
	a = BN_CTX_get(e->bn);
	b = BN_CTX_get(e->bn);
	lhs = BN_CTX_get(e->bn);
	rhs = BN_CTX_get(e->bn);
	if (!rhs || !EC_GROUP_get_curve(e->group, p, a, b, e->bn))
		goto out;
	if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0) {
		rc = MST_ERR_BAD_POINT;
		goto out;
	}
	/* rhs = (x^2 + a) * x + b, lhs = y^2 */
	if (!BN_mod_sqr(rhs, x, p, e->bn) || !BN_mod_add(rhs, rhs, a, p, e->bn) ||
	    !BN_mod_mul(rhs, rhs, x, p, e->bn) || !BN_mod_add(rhs, rhs, b, p, e->bn) ||
	    !BN_mod_sqr(lhs, y, p, e->bn))
		goto out;
	rc = BN_cmp(lhs, rhs) == 0 ? MST_OK : MST_ERR_BAD_POINT;
out:
	BN_CTX_end(e->bn);
	return rc;
}

/* Decode 04||x||y into a point of the curve (never infinity: it has no
 * such encoding, and P-256 has cofactor 1, so on the curve means in the
 * group of order q). */
mst_rc ecc_point_decode(const struct ecc_env *e, const uint8_t in[ECCSI_POINT_LEN],
			EC_POINT **out)
{
	BIGNUM *x = BN_bin2bn(in + 1, ECCSI_N, NULL);
	BIGNUM *y = BN_bin2bn(in + 1 + ECCSI_N, ECCSI_N, NULL);
	EC_POINT *pt = EC_POINT_new(e->group);
	mst_rc rc = MST_ERR_NOMEM;

	*out = NULL;
	if (in[0] != 0x04)
		rc = MST_ERR_BAD_POINT;
	else if (x && y && pt)
		rc = check_on_curve(e, x, y);
	/* the point is known good now: a failure here is OpenSSL's */
	if (rc == MST_OK && !EC_POINT_set_affine_coordinates(e->group, pt, x, y, e->bn))
		rc = MST_ERR_CRYPTO;
	BN_free(y);
	BN_free(x);
	if (rc != MST_OK) {
		EC_POINT_free(pt);
		return rc;
	}
	*out = pt;
	return MST_OK;
}

/* Encode a point other than infinity as 04||x||y. */
mst_rc ecc_point_encode(const struct ecc_env *e, const EC_POINT *pt,
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
mst_rc ecc_sha256_parts(const uint8_t *const part[], const size_t len[], size_t n,
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
mst_rc ecc_hs(const struct ecc_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
	      const uint8_t *id, size_t id_len, const uint8_t pvt[ECCSI_POINT_LEN],
	      uint8_t hs[ECCSI_N])
{
	uint8_t g[ECCSI_POINT_LEN];
	mst_rc rc = ecc_point_encode(e, EC_GROUP_get0_generator(e->group), g);
	const uint8_t *part[4] = { g, kpak, id, pvt };
	const size_t len[4] = { ECCSI_POINT_LEN, ECCSI_POINT_LEN, id_len, ECCSI_POINT_LEN };

	return rc != MST_OK ? rc : ecc_sha256_parts(part, len, 4, hs);
}

/* HE = hash(HS || r || M). */
mst_rc ecc_he(const uint8_t hs[ECCSI_N], const uint8_t r[ECCSI_N],
	      const uint8_t *msg, size_t msg_len, uint8_t he[ECCSI_N])
{
	const uint8_t *part[3] = { hs, r, msg };
	const size_t len[3] = { ECCSI_N, ECCSI_N, msg_len };

	return ecc_sha256_parts(part, len, 3, he);
}

/* out = a * b mod q, a and b in [0, q-1], in Montgomery form so that the
 * time does not depend on the (secret) values: to_mont(a) = aR, then
 * mont_mul(aR, b) = ab. */
int ecc_mul_mod_q(const struct ecc_env *e, BIGNUM *out, const BIGNUM *a, const BIGNUM *b)
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
BIGNUM *ecc_public_mod_q(const struct ecc_env *e, const uint8_t x[ECCSI_N])
{
	BIGNUM *b = BN_bin2bn(x, ECCSI_N, NULL);

	if (b && !BN_nnmod(b, b, e->q, e->bn)) {
		BN_free(b);
		b = NULL;
	}
	return b;
}

/* out = [k]G for a secret k in [1, q-1]. */
mst_rc ecc_mul_generator(const struct ecc_env *e, const uint8_t k[ECCSI_N],
			 uint8_t out[ECCSI_POINT_LEN])
{
	BIGNUM *kb = ecc_secret_bn(k);
	EC_POINT *pt = EC_POINT_new(e->group);
	mst_rc rc = MST_ERR_CRYPTO;

	if (kb && pt && EC_POINT_mul(e->group, pt, kb, NULL, NULL, e->bn))
		rc = ecc_point_encode(e, pt, out);
	EC_POINT_free(pt);
	BN_clear_free(kb);
	return rc;
}

/* The first steps of every call taking a secret scalar: the scalar is in
 * [1, q-1], then the operation's environment is opened. */
mst_rc ecc_open_for_secret(struct ecc_env *e, const uint8_t secret[ECCSI_N])
{
	if (!ecc_scalar_in_range(secret))
		return MST_ERR_BAD_SCALAR;
	return ecc_env_open(e);
}

/* Both points of a key well formed: the common first step of most calls. */
mst_rc ecc_check_points(const struct ecc_env *e, const uint8_t a[ECCSI_POINT_LEN],
			const uint8_t b[ECCSI_POINT_LEN])
{
	EC_POINT *pa = NULL, *pb = NULL;
	mst_rc rc = ecc_point_decode(e, a, &pa);

	if (rc == MST_OK)
		rc = ecc_point_decode(e, b, &pb);
	EC_POINT_free(pa);
	EC_POINT_free(pb);
	return rc;
}
