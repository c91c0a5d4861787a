/* token/sakke_kms.c - KMS side of SAKKE (RFC 6508 6.1): master secret,
 * public key, receiver secret keys.  Used by the development KMS. */
#include <string.h>
#include <openssl/rand.h>
#include "token/sakke_internal.h"
#include "token/secmem.h"

/* out = encoding of [k]P */
static mst_rc mul_generator(const uint8_t k[SAKKE_SCALAR_LEN], uint8_t out[SAKKE_POINT_LEN])
{
	ec_aff r;
	ec_jac t;
	mst_rc rc;

	ec_mul_generator(&t, k);        /* k < q: checked by the callers */
	rc = ec_to_affine(&r, &t) ? MST_OK : MST_ERR_BAD_POINT;
	if (rc == MST_OK)
		ec_encode(out, &r);
	secure_wipe(&r, sizeof r);
	secure_wipe(&t, sizeof t);
	return rc;
}

/* The master secret z, padded to 128 octets; RFC 6508 6.1: z in [2, q-1]. */
static mst_rc load_master_secret(const uint8_t *z, size_t z_len, uint8_t k[SAKKE_SCALAR_LEN])
{
	mst_rc rc = sakke_scalar_pad(z, z_len, k);

	if (rc == MST_OK && !sakke_scalar_valid(k))
		rc = MST_ERR_BAD_SCALAR;
	return rc;
}

mst_rc sakke_kms_keygen(uint8_t z[SAKKE_SCALAR_LEN], uint8_t z_pub[SAKKE_POINT_LEN])
{
	int tries;

	if (z == NULL || z_pub == NULL)
		return MST_ERR_ARGS;
	memset(z_pub, 0, SAKKE_POINT_LEN);
	/* rejection sampling of 1022-bit strings: q > 2^1021, so each draw is
	 * accepted with probability > 1/2; only the number of draws leaks */
	for (tries = 0; tries < 128; tries++) {
		if (RAND_priv_bytes(z, SAKKE_SCALAR_LEN) != 1)
			break;
		z[0] &= 0x3f;
		if (sakke_scalar_valid(z))
			return sakke_kms_public(z, SAKKE_SCALAR_LEN, z_pub);
	}
	secure_wipe(z, SAKKE_SCALAR_LEN);
	return MST_ERR_CRYPTO;
}

mst_rc sakke_kms_public(const uint8_t *z, size_t z_len, uint8_t z_pub[SAKKE_POINT_LEN])
{
	uint8_t k[SAKKE_SCALAR_LEN];
	mst_rc rc;

	if (z_pub == NULL)
		return MST_ERR_ARGS;
	memset(z_pub, 0, SAKKE_POINT_LEN);
	rc = load_master_secret(z, z_len, k);
	if (rc == MST_OK)
		rc = mul_generator(k, z_pub);
	secure_wipe(k, sizeof k);
	sakke_scrub_stack();
	return rc;
}

mst_rc sakke_rsk_issue(const uint8_t *z, size_t z_len, const uint8_t *id, size_t id_len,
		       uint8_t rsk[SAKKE_POINT_LEN])
{
	uint8_t k[SAKKE_SCALAR_LEN], a[SAKKE_SCALAR_LEN], inv[SAKKE_SCALAR_LEN];
	mst_rc rc;

	if (rsk == NULL)
		return MST_ERR_ARGS;
	memset(rsk, 0, SAKKE_POINT_LEN);
	if (id == NULL || id_len == 0)
		return MST_ERR_ARGS;
	rc = load_master_secret(z, z_len, k);
	if (rc == MST_OK)
		rc = sakke_id_scalar(id, id_len, a);
	/* K_(a,T) = [(a + z)^-1 mod q] P */
	if (rc == MST_OK)
		rc = sakke_inv_sum_mod_q(a, k, inv);
	if (rc == MST_OK)
		rc = mul_generator(inv, rsk);
	secure_wipe(k, sizeof k);
	secure_wipe(inv, sizeof inv);
	sakke_scrub_stack();
	return rc;
}
