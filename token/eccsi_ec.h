/* token/eccsi_ec.h - internal to ECCSI: the P-256 operations that
 * token/eccsi.c (keys) and token/eccsi_sign.c (signatures) share.
 * Not part of the token's interface.
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
#ifndef MST_ECCSI_EC_H
#define MST_ECCSI_EC_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "token/eccsi.h"

/* A uniform 32-octet draw is >= q with probability < 2^-32, so 64 draws
 * all failing means the generator is broken. */
#define ECC_RANDOM_TRIES 64

/* A signer's key, in locked memory (secmem_alloc) for its whole life. */
struct eccsi_signer {
	uint8_t ssk[ECCSI_N];
	uint8_t hs[ECCSI_N];
	uint8_t pvt[ECCSI_POINT_LEN];
};

/* What one operation needs: the group and the Montgomery context of q are
 * shared by the process (created once, read-only), the BN_CTX is the
 * operation's own. */
struct ecc_env {
	const EC_GROUP *group;
	BN_CTX *bn;
	const BIGNUM *q;
	BN_MONT_CTX *mont_q;    /* only read (OpenSSL's prototypes lack const) */
};

/* Open / close one operation's environment (close is safe after a failed
 * open and frees everything). */
mst_rc ecc_env_open(struct ecc_env *e);
void ecc_env_close(struct ecc_env *e);

/* How many environments are open now (tests: every path that opens one
 * closes it, or the unload destructor would keep the curve forever). */
unsigned ecc_env_users(void);

/* 1 when 0 < x < q.  x may be secret: the subtraction runs over every
 * octet and the result is formed with masks, not branches. */
int ecc_scalar_in_range(const uint8_t x[ECCSI_N]);

/* A fresh secret scalar in [1, q-1] from the private DRBG.  Rejection
 * sampling keeps it uniform; timing shows only how many draws failed. */
mst_rc ecc_random_scalar(uint8_t out[ECCSI_N]);

/* BIGNUM of a secret scalar already checked to lie in [1, q-1]. */
BIGNUM *ecc_secret_bn(const uint8_t x[ECCSI_N]);

/* Decode 04||x||y into a point of the curve other than infinity. */
mst_rc ecc_point_decode(const struct ecc_env *e, const uint8_t in[ECCSI_POINT_LEN],
			EC_POINT **out);

/* Encode a point other than infinity as 04||x||y. */
mst_rc ecc_point_encode(const struct ecc_env *e, const EC_POINT *pt,
			uint8_t out[ECCSI_POINT_LEN]);

/* SHA-256 over the concatenation of n parts. */
mst_rc ecc_sha256_parts(const uint8_t *const part[], const size_t len[], size_t n,
			uint8_t out[ECCSI_N]);

/* HS = hash(G || KPAK || ID || PVT), points already checked. */
mst_rc ecc_hs(const struct ecc_env *e, const uint8_t kpak[ECCSI_POINT_LEN],
	      const uint8_t *id, size_t id_len, const uint8_t pvt[ECCSI_POINT_LEN],
	      uint8_t hs[ECCSI_N]);

/* HE = hash(HS || r || M). */
mst_rc ecc_he(const uint8_t hs[ECCSI_N], const uint8_t r[ECCSI_N],
	      const uint8_t *msg, size_t msg_len, uint8_t he[ECCSI_N]);

/* out = a * b mod q, a and b in [0, q-1], in Montgomery form so that the
 * time does not depend on the (secret) values: to_mont(a) = aR, then
 * mont_mul(aR, b) = ab. */
int ecc_mul_mod_q(const struct ecc_env *e, BIGNUM *out, const BIGNUM *a, const BIGNUM *b);

/* s' = j (HE + r SSK)^-1 mod q (RFC 6507 5.2.1 steps 4-5) on fixed
 * four-limb arithmetic, constant time in SSK and j (token/eccsi_modq.c);
 * MST_ERR_BAD_SCALAR (s' zeroed) when HE + r SSK = 0 mod q. */
mst_rc ecc_sign_scalar(const uint8_t ssk[ECCSI_N], const uint8_t he[ECCSI_N],
		       const uint8_t r[ECCSI_N], const uint8_t j[ECCSI_N], uint8_t s_out[ECCSI_N]);

/* A public value (a hash, r) reduced mod q. */
BIGNUM *ecc_public_mod_q(const struct ecc_env *e, const uint8_t x[ECCSI_N]);

/* out = [k]G for a secret k in [1, q-1]. */
mst_rc ecc_mul_generator(const struct ecc_env *e, const uint8_t k[ECCSI_N],
			 uint8_t out[ECCSI_POINT_LEN]);

/* The first steps of every call taking a secret scalar: the scalar is in
 * [1, q-1], then the operation's environment is opened. */
mst_rc ecc_open_for_secret(struct ecc_env *e, const uint8_t secret[ECCSI_N]);

/* Both points of a key well formed: the common first step of most calls. */
mst_rc ecc_check_points(const struct ecc_env *e, const uint8_t a[ECCSI_POINT_LEN],
			const uint8_t b[ECCSI_POINT_LEN]);

#endif
