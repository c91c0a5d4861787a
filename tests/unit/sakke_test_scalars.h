/* tests/unit/sakke_test_scalars.h - scalars mod q for the SAKKE tests,
 * computed with OpenSSL BN (the reference the tests compare against). */
#ifndef MST_SAKKE_TEST_SCALARS_H
#define MST_SAKKE_TEST_SCALARS_H

#include <openssl/bn.h>
#include "token/sakke.h"

/* random scalar below q, 128 octets */
static inline void random_scalar(uint8_t k[SAKKE_SCALAR_LEN])
{
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL), *x = BN_new();

	assert_int_equal(BN_rand_range(x, q), 1);
	BN_bn2binpad(x, k, SAKKE_SCALAR_LEN);
	BN_free(q);
	BN_free(x);
}

/* out = a * b mod q, 128 octets */
static inline void mul_mod_q(uint8_t out[SAKKE_SCALAR_LEN], const uint8_t *a, const uint8_t *b)
{
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL);
	BIGNUM *x = BN_bin2bn(a, SAKKE_SCALAR_LEN, NULL), *y = BN_bin2bn(b, SAKKE_SCALAR_LEN, NULL);
	BN_CTX *ctx = BN_CTX_new();

	BN_mod_mul(x, x, y, q, ctx);
	BN_bn2binpad(x, out, SAKKE_SCALAR_LEN);
	BN_free(q); BN_free(x); BN_free(y);
	BN_CTX_free(ctx);
}

#endif
