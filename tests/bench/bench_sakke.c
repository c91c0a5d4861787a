/* tests/bench/bench_sakke.c - speed of the SAKKE code next to OpenSSL in
 * the same process: 1024-bit modular multiplication and exponentiation,
 * then whole operations, with RSA-2048 private decryption as a yardstick.
 * Not a test: `make bench` builds and runs it. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include "token/fp.h"
#include "token/sakke.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);   /* CPU time: the machine is shared */
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* run fn(arg) n times, return microseconds per call */
#define TIME_US(n, stmt) ({ double _t0 = now_us(); int _i; \
	for (_i = 0; _i < (n); _i++) { stmt; } (now_us() - _t0) / (n); })

static volatile int sink;

static void die(const char *what)
{
	fprintf(stderr, "bench_sakke: %s failed\n", what);
	exit(1);
}

static double rsa_decrypt_us(void)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	EVP_PKEY_CTX *enc, *dec;
	uint8_t msg[32], ct[256], pt[256];
	size_t ct_len = sizeof ct, pt_len;
	double us;

	if (key == NULL)
		die("RSA key generation");
	enc = EVP_PKEY_CTX_new(key, NULL);
	dec = EVP_PKEY_CTX_new(key, NULL);
	RAND_bytes(msg, sizeof msg);
	if (!enc || !dec || EVP_PKEY_encrypt_init(enc) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(enc, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_encrypt(enc, ct, &ct_len, msg, sizeof msg) != 1 ||
	    EVP_PKEY_decrypt_init(dec) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(dec, RSA_PKCS1_OAEP_PADDING) != 1)
		die("RSA setup");
	us = TIME_US(50, pt_len = sizeof pt;
		     if (EVP_PKEY_decrypt(dec, pt, &pt_len, ct, ct_len) != 1) die("RSA decrypt"));
	EVP_PKEY_CTX_free(enc);
	EVP_PKEY_CTX_free(dec);
	EVP_PKEY_free(key);
	return us;
}

static void field_figures(void)
{
	uint8_t xb[FP_BYTES], eb[FP_BYTES];
	fp x, y;
	BIGNUM *p = BN_bin2bn(sakke_param_p, SAKKE_L, NULL), *a = BN_new(), *b = BN_new();
	BIGNUM *e = BN_new(), *r = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	BN_MONT_CTX *mont = BN_MONT_CTX_new();
	double ours, theirs;

	if (!p || !a || !b || !e || !r || !ctx || !mont || !BN_MONT_CTX_set(mont, p, ctx))
		die("BN setup");
	RAND_bytes(xb, sizeof xb);
	RAND_bytes(eb, sizeof eb);
	xb[0] &= 0x7f;
	(void)fp_from_bytes(&x, xb);
	fp_copy(&y, &x);
	BN_bin2bn(xb, sizeof xb, a);
	BN_to_montgomery(b, a, mont, ctx);
	BN_bin2bn(eb, sizeof eb, e);

	ours = TIME_US(200000, fp_mul(&y, &y, &x));
	theirs = TIME_US(200000, BN_mod_mul_montgomery(b, b, a, mont, ctx));
	printf("1024-bit mod mul:      ours %7.3f us   OpenSSL BN_mod_mul_montgomery %7.3f us   (ratio %.2f)\n",
	       ours, theirs, ours / theirs);
	ours = TIME_US(200000, fp_sqr(&y, &y));
	printf("1024-bit mod square:   ours %7.3f us\n", ours);
	ours = TIME_US(200, fp_pow(&y, &x, eb, sizeof eb));
	theirs = TIME_US(200, BN_mod_exp_mont_consttime(r, a, e, p, ctx, mont));
	printf("1024-bit mod exp:      ours %7.1f us   OpenSSL BN_mod_exp_mont_consttime %7.1f us   (ratio %.2f)\n",
	       ours, theirs, ours / theirs);
	sink = (int)y.v[0];
	BN_free(p); BN_free(a); BN_free(b); BN_free(e); BN_free(r);
	BN_CTX_free(ctx);
	BN_MONT_CTX_free(mont);
}

int main(void)
{
	static const uint8_t id[] = "2011-02\0tel:+447700900123";
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN], w[SAKKE_L];
	uint8_t k[SAKKE_SCALAR_LEN], pt[SAKKE_POINT_LEN];
	double rsa, us;

	field_figures();
	if (sakke_kms_keygen(z, z_pub) != MST_OK ||
	    sakke_rsk_issue(z, sizeof z, id, sizeof id, rsk) != MST_OK ||
	    sakke_random_ssv(ssv) != MST_OK ||
	    sakke_encapsulate(z_pub, id, sizeof id, ssv, encap) != MST_OK)
		die("SAKKE setup");
	RAND_bytes(k, sizeof k);
	k[0] &= 0x1f;
	rsa = rsa_decrypt_us();
	printf("OpenSSL RSA-2048 private decrypt (OAEP): %.2f ms\n", rsa / 1000);

#define OP(name, n, stmt) do { us = TIME_US(n, if ((stmt) != MST_OK) die(name)); \
	printf("%-22s %6.2f ms  (= %.1f x OpenSSL RSA-2048 private decrypt)\n", name ":", \
	       us / 1000, us / rsa); } while (0)
	OP("sakke_pairing", 20, sakke_pairing(encap, rsk, w));
	OP("sakke_point_mul", 20, sakke_point_mul(k, sizeof k, sakke_param_P, pt));
	OP("sakke_g_pow", 20, sakke_g_pow(k, sizeof k, w));
	OP("sakke_encapsulate", 10, sakke_encapsulate(z_pub, id, sizeof id, ssv, encap));
	OP("sakke_decapsulate", 10, sakke_decapsulate(z_pub, id, sizeof id, rsk, encap, out));
	OP("sakke_rsk_validate", 10, sakke_rsk_validate(z_pub, id, sizeof id, rsk));
	OP("sakke_rsk_issue", 10, sakke_rsk_issue(z, sizeof z, id, sizeof id, rsk));
	if (memcmp(out, ssv, sizeof ssv) != 0)
		die("round trip");
	return 0;
}
