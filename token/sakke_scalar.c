/* token/sakke_scalar.c - integers modulo q: identifiers, the KMS master
 * secret's range, and the secret inversion of RSK issuance. */
#include <string.h>
#include <openssl/bn.h>
#include "token/sakke_internal.h"
#include "token/secmem.h"

mst_rc sakke_scalar_pad(const uint8_t *x, size_t x_len, uint8_t out[SAKKE_SCALAR_LEN])
{
	if ((x == NULL && x_len) || x_len > SAKKE_SCALAR_LEN)
		return MST_ERR_ARGS;
	memset(out, 0, SAKKE_SCALAR_LEN);
	if (x_len)
		memcpy(out + SAKKE_SCALAR_LEN - x_len, x, x_len);
	return MST_OK;
}

/* 1 when a < b (big-endian, same length): the borrow out of a - b. */
static unsigned ct_less(const uint8_t *a, const uint8_t *b, size_t len)
{
	unsigned borrow = 0;
	size_t i = len;

	while (i-- > 0)
		borrow = ((unsigned)a[i] - b[i] - borrow) >> 8 & 1;
	return borrow;
}

int sakke_scalar_valid(const uint8_t k[SAKKE_SCALAR_LEN])
{
	uint8_t one[SAKKE_SCALAR_LEN] = { 0 };

	one[SAKKE_SCALAR_LEN - 1] = 1;
	/* k < q and not (k < 2, i.e. k <= 1 i.e. k < 1 + 1): 1 < k */
	return (int)(ct_less(k, sakke_param_q, SAKKE_SCALAR_LEN) & ct_less(one, k, SAKKE_SCALAR_LEN));
}

mst_rc sakke_reduce_public(const uint8_t *x, size_t x_len, int shift, uint8_t out[SAKKE_SCALAR_LEN])
{
	BIGNUM *b, *q;
	BN_CTX *ctx;
	mst_rc rc = MST_ERR_NOMEM;

	if (x == NULL || x_len == 0 || x_len > (size_t)INT32_MAX)
		return MST_ERR_ARGS;
	b = BN_bin2bn(x, (int)x_len, NULL);
	q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL);
	ctx = BN_CTX_new();
	if (b && q && ctx) {
		rc = MST_ERR_CRYPTO;
		/* the value is public: a plain reduction is fine */
		if (BN_lshift(b, b, shift) == 1 && BN_nnmod(b, b, q, ctx) == 1 &&
		    BN_bn2binpad(b, out, SAKKE_SCALAR_LEN) == SAKKE_SCALAR_LEN)
			rc = MST_OK;
	}
	BN_free(b);
	BN_free(q);
	BN_CTX_free(ctx);
	return rc;
}

mst_rc sakke_id_scalar(const uint8_t *id, size_t id_len, uint8_t out[SAKKE_SCALAR_LEN])
{
	return sakke_reduce_public(id, id_len, 0, out);
}

mst_rc sakke_inv_sum_mod_q(const uint8_t a[SAKKE_SCALAR_LEN], const uint8_t z[SAKKE_SCALAR_LEN],
			   uint8_t out[SAKKE_SCALAR_LEN])
{
	BIGNUM *an = BN_bin2bn(a, SAKKE_SCALAR_LEN, NULL);
	BIGNUM *zn = BN_secure_new();
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL);
	BIGNUM *s = BN_secure_new(), *e = BN_new(), *inv = BN_secure_new();
	BN_CTX *ctx = BN_CTX_new();
	mst_rc rc = MST_ERR_NOMEM;

	if (!an || !zn || !q || !s || !e || !inv || !ctx)
		goto out;
	rc = MST_ERR_CRYPTO;
	if (!BN_bin2bn(z, SAKKE_SCALAR_LEN, zn))
		goto out;
	BN_set_flags(zn, BN_FLG_CONSTTIME);
	BN_set_flags(s, BN_FLG_CONSTTIME);
	BN_set_flags(inv, BN_FLG_CONSTTIME);
	/* s = a + z (< 2q, as a and z are both below q), reduced with the
	 * constant-time division path; inverse by Fermat, s^(q-2), with the
	 * constant-time Montgomery exponentiation */
	if (BN_add(s, an, zn) != 1 || BN_mod(s, s, q, ctx) != 1)
		goto out;
	if (BN_copy(e, q) == NULL || BN_sub_word(e, 2) != 1 ||
	    BN_mod_exp_mont_consttime(inv, s, e, q, ctx, NULL) != 1)
		goto out;
	/* s == 0 only when a = -z mod q: that identifier has no key; the
	 * verdict is public, so branching on it is fine */
	if (BN_is_zero(inv)) {
		rc = MST_ERR_BAD_SCALAR;
		goto out;
	}
	if (BN_bn2binpad(inv, out, SAKKE_SCALAR_LEN) != SAKKE_SCALAR_LEN)
		goto out;
	rc = MST_OK;
out:
	BN_free(an);
	BN_clear_free(zn);
	BN_free(q);
	BN_clear_free(s);
	BN_free(e);
	BN_clear_free(inv);
	BN_CTX_free(ctx);
	return rc;
}
