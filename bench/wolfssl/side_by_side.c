/* bench/wolfssl/side_by_side.c - mstoken's core next to wolfSSL, the only
 * other open C implementation of ECCSI (RFC 6507) and SAKKE (RFC 6508), in
 * one process, with OpenSSL's ECDSA P-256 as the common yardstick (README
 * "Performance", paragraph "Side by side with wolfSSL").
 *
 * Not built by default: configure --with-wolfssl=PREFIX (a wolfSSL built
 * with ECCSI and SAKKE, installed in PREFIX), then `make side-by-side`.
 *
 * First it checks that both libraries agree on the RFC 6507 / RFC 6508
 * Appendix A keys (each verifies the other's signatures, both encapsulate
 * the RFC's SSV to the RFC's R and H byte for byte, each decapsulates the
 * other's Encapsulated Data, both accept the RFC's RSK and refuse it for
 * another identifier) and on fresh identifiers under the RFC's KMS key;
 * `--check` stops there (the make check test).  Then it times, on those
 * keys, each operation of both libraries: CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), median of many samples after a warm-up.  The
 * samples are interleaved: every round takes one sample of every
 * operation of both libraries, in an order that rotates from round to
 * round, and each sample is followed by a sample of the ECDSA yardstick
 * of about the same length, so that on a loaded machine an operation and
 * its yardstick see the same load.  A ratio is the median of an
 * operation's samples over the median of the yardstick samples taken next
 * to them (sign rows: ECDSA sign; verify rows: ECDSA verify).
 *
 * wolfSSL is timed with its tables where it has them, and on the faster of
 * its two x86-64 paths (BMI2/ADX or generic, measured at start: see
 * wolf_choose_path); the checks run on both.
 *
 * Every timed call is checked where a check costs nothing: each
 * decapsulation must give the SSV back, each same-identifier encapsulation
 * the expected Encapsulated Data, each verification must accept.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/version.h>
#include <wolfssl/wolfcrypt/eccsi.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sakke.h>
#include <wolfssl/wolfcrypt/wc_port.h>
#include <wolfssl/wolfcrypt/cpuid.h>
#if defined(HAVE_CPUID_INTEL) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#define WOLF_TWO_PATHS 1
#endif

#include "token/eccsi.h"
#include "token/hex.h"
#include "token/sakke.h"
#include "token/sakke_lines.h"
#include "tests/unit/eccsi_rfc_vectors.h"
#include "tests/unit/sakke_rfc_vectors.h"

#define MSG_LEN 64       /* the message signed in the timed rows */
#define ID_CAP 128       /* wolfSSL's SAKKE_ID_MAX_SIZE */

static void die(const char *what)
{
	fprintf(stderr, "side_by_side: %s failed\n", what);
	exit(1);
}

static void wolf_ok(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "side_by_side: %s: wolfSSL error %d\n", what, rc);
		exit(1);
	}
}

/* An RFC hex literal (spaces as the RFCs print them) into exactly len
 * octets, through the token's strict decoder. */
static size_t rfc_hex(const char *lit, uint8_t *out, size_t cap)
{
	char digits[1024];
	size_t n = 0, len;

	for (; *lit; lit++)
		if (*lit != ' ') {
			if (n + 1 >= sizeof digits)
				die("RFC literal length");
			digits[n++] = *lit;
		}
	if (hex_decode(digits, n, out, cap, &len) != MST_OK)
		die("RFC literal");
	return len;
}

static void rfc_exact(const char *lit, uint8_t *out, size_t len)
{
	if (rfc_hex(lit, out, len) != len)
		die("RFC literal length");
}

/* ---- the RFC keys ---- */

static struct {
	/* RFC 6507 Appendix A */
	uint8_t kpak[ECCSI_POINT_LEN], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN], sig[ECCSI_SIG_LEN];
	uint8_t eid[64], msg[16];
	size_t eid_len, msg_len;
	/* RFC 6508 Appendix A */
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];
	uint8_t b[64];
	size_t z_len, b_len;
} rfc;

static void rfc_load(void)
{
	rfc_exact(A_KPAK, rfc.kpak, sizeof rfc.kpak);
	rfc_exact(A_SSK, rfc.ssk, sizeof rfc.ssk);
	rfc_exact(A_PVT, rfc.pvt, sizeof rfc.pvt);
	rfc_exact(A_R A_S A_PVT, rfc.sig, sizeof rfc.sig);
	rfc.eid_len = rfc_hex(A_ID, rfc.eid, sizeof rfc.eid);
	rfc.msg_len = rfc_hex(A_M, rfc.msg, sizeof rfc.msg);

	rfc.z_len = rfc_hex(RFC_Z_SECRET, rfc.z, sizeof rfc.z);
	rfc_exact("04" RFC_ZX RFC_ZY, rfc.z_pub, sizeof rfc.z_pub);
	rfc_exact("04" RFC_KBX RFC_KBY, rfc.rsk, sizeof rfc.rsk);
	rfc_exact(RFC_SSV, rfc.ssv, sizeof rfc.ssv);
	rfc_exact("04" RFC_RBX RFC_RBY RFC_H, rfc.encap, sizeof rfc.encap);
	rfc.b_len = rfc_hex(RFC_B, rfc.b, sizeof rfc.b);
}

/* ---- wolfSSL: thin calls of its public API ---- */

static WC_RNG wrng;

/* An ECCSI key holding the KPAK; for a signer also (SSK, PVT) and HS. */
static void wolf_eccsi_key(EccsiKey *k, int signer)
{
	wolf_ok(wc_InitEccsiKey(k, NULL, INVALID_DEVID), "wc_InitEccsiKey");
	wolf_ok(wc_ImportEccsiPublicKey(k, rfc.kpak, sizeof rfc.kpak, 0), "wc_ImportEccsiPublicKey");
	if (signer) {
		ecc_point *pvt = wc_ecc_new_point();
		mp_int ssk;
		byte hs[WC_MAX_DIGEST_SIZE], hs_len = sizeof hs;
		int valid = 0;

		if (pvt == NULL || mp_init(&ssk) != MP_OKAY)
			die("wolfSSL allocation");
		wolf_ok(wc_DecodeEccsiSsk(k, rfc.ssk, sizeof rfc.ssk, &ssk), "wc_DecodeEccsiSsk");
		wolf_ok(wc_DecodeEccsiPvt(k, rfc.pvt, sizeof rfc.pvt, pvt), "wc_DecodeEccsiPvt");
		wolf_ok(wc_ValidateEccsiPair(k, WC_HASH_TYPE_SHA256, rfc.eid, (word32)rfc.eid_len,
					     &ssk, pvt, &valid), "wc_ValidateEccsiPair");
		if (!valid)
			die("wolfSSL: RFC 6507 (SSK, PVT) valid");
		wolf_ok(wc_SetEccsiPair(k, &ssk, pvt), "wc_SetEccsiPair");
		/* HS once per key, as the token's signer does */
		wolf_ok(wc_HashEccsiId(k, WC_HASH_TYPE_SHA256, rfc.eid, (word32)rfc.eid_len, pvt,
				       hs, &hs_len), "wc_HashEccsiId");
		mp_forcezero(&ssk);
		mp_free(&ssk);
		wc_ecc_del_point(pvt);
	}
}

/* RFC 6507 5.2.2 from (KPAK in k, ID, M, signature), as eccsi_verify:
 * the PVT taken from the signature, HS computed, then verified.  1 when
 * valid. */
static int wolf_eccsi_verify(EccsiKey *k, const uint8_t *id, size_t id_len,
			     const uint8_t *msg, size_t msg_len, const uint8_t sig[ECCSI_SIG_LEN])
{
	ecc_point *pvt = wc_ecc_new_point();
	byte hs[WC_MAX_DIGEST_SIZE], hs_len = sizeof hs;
	int verified = 0, rc;

	if (pvt == NULL)
		die("wolfSSL allocation");
	rc = wc_DecodeEccsiPvtFromSig(k, sig, ECCSI_SIG_LEN, pvt);
	if (rc == 0)
		rc = wc_HashEccsiId(k, WC_HASH_TYPE_SHA256, id, (word32)id_len, pvt, hs, &hs_len);
	if (rc == 0)
		rc = wc_VerifyEccsiHash(k, WC_HASH_TYPE_SHA256, msg, (word32)msg_len, sig,
					ECCSI_SIG_LEN, &verified);
	wc_ecc_del_point(pvt);
	return rc == 0 && verified;
}

static void wolf_eccsi_sign(EccsiKey *k, const uint8_t *msg, size_t msg_len,
			    uint8_t sig[ECCSI_SIG_LEN])
{
	word32 len = ECCSI_SIG_LEN;

	wolf_ok(wc_SignEccsiHash(k, &wrng, WC_HASH_TYPE_SHA256, msg, (word32)msg_len, sig, &len),
		"wc_SignEccsiHash");
	if (len != ECCSI_SIG_LEN)
		die("wolfSSL ECCSI signature length");
}

/* A SAKKE key holding the KMS public key Z. */
static void wolf_sakke_key(SakkeKey *k)
{
	wolf_ok(wc_InitSakkeKey_ex(k, 128, ECC_SAKKE_1, NULL, INVALID_DEVID), "wc_InitSakkeKey_ex");
	wolf_ok(wc_ImportSakkePublicKey(k, rfc.z_pub, sizeof rfc.z_pub, 1), "wc_ImportSakkePublicKey");
}

/* RFC 6508 6.2.1: SSV -> R || H, in the token's layout. */
static void wolf_encapsulate(SakkeKey *k, const uint8_t ssv[SAKKE_SSV_LEN],
			     uint8_t encap[SAKKE_ENCAP_LEN])
{
	word16 auth_len = SAKKE_POINT_LEN;

	memcpy(encap + SAKKE_POINT_LEN, ssv, SAKKE_SSV_LEN); /* H is made in place */
	wolf_ok(wc_MakeSakkeEncapsulatedSSV(k, WC_HASH_TYPE_SHA256, encap + SAKKE_POINT_LEN,
					    SAKKE_SSV_LEN, encap, &auth_len),
		"wc_MakeSakkeEncapsulatedSSV");
	if (auth_len != SAKKE_POINT_LEN)
		die("wolfSSL SAKKE R length");
}

/* RFC 6508 6.2.2 with the RSK (and identifier) set in k. */
static int wolf_decapsulate(SakkeKey *k, const uint8_t encap[SAKKE_ENCAP_LEN],
			    uint8_t ssv[SAKKE_SSV_LEN])
{
	memcpy(ssv, encap + SAKKE_POINT_LEN, SAKKE_SSV_LEN); /* the SSV is made in place */
	return wc_DeriveSakkeSSV(k, WC_HASH_TYPE_SHA256, ssv, SAKKE_SSV_LEN, encap, SAKKE_POINT_LEN);
}

/* A receiver's key: Z, its identifier, its RSK; with_tables: wolfSSL's
 * RSK pairing table and its table for the point [b]P + Z of the receiver's
 * own identifier (decapsulation's re-encapsulation check uses it), the
 * fastest wolfSSL offers.  The tables are allocated here and freed with
 * wolf_receiver_free. */
struct wolf_receiver {
	SakkeKey key;
	ecc_point *rsk;
	byte *rsk_table, *i_table;
	word32 rsk_table_len;
};

static void wolf_receiver(struct wolf_receiver *r, const uint8_t *id, size_t id_len,
			  const uint8_t rsk[SAKKE_POINT_LEN], int with_tables)
{
	word32 len = 0;

	memset(r, 0, sizeof *r);
	wolf_sakke_key(&r->key);
	r->rsk = wc_ecc_new_point();
	if (r->rsk == NULL)
		die("wolfSSL allocation");
	wolf_ok(wc_DecodeSakkeRsk(&r->key, rsk, SAKKE_POINT_LEN, r->rsk), "wc_DecodeSakkeRsk");
	wolf_ok(wc_SetSakkeIdentity(&r->key, id, (word16)id_len), "wc_SetSakkeIdentity");
	if (!with_tables) {
		wolf_ok(wc_SetSakkeRsk(&r->key, r->rsk, NULL, 0), "wc_SetSakkeRsk");
		return;
	}
	if (wc_GenerateSakkeRskTable(&r->key, r->rsk, NULL, &len) != LENGTH_ONLY_E ||
	    (r->rsk_table = malloc(len)) == NULL)
		die("wolfSSL RSK table size");
	wolf_ok(wc_GenerateSakkeRskTable(&r->key, r->rsk, r->rsk_table, &len),
		"wc_GenerateSakkeRskTable");
	r->rsk_table_len = len;
	wolf_ok(wc_SetSakkeRsk(&r->key, r->rsk, r->rsk_table, len), "wc_SetSakkeRsk");
	wolf_ok(wc_MakeSakkePointI(&r->key, id, (word16)id_len), "wc_MakeSakkePointI");
	len = 0;
	if (wc_GenerateSakkePointITable(&r->key, NULL, &len) != LENGTH_ONLY_E ||
	    (r->i_table = malloc(len)) == NULL)
		die("wolfSSL point I table size");
	wolf_ok(wc_GenerateSakkePointITable(&r->key, r->i_table, &len),
		"wc_GenerateSakkePointITable");
	wolf_ok(wc_SetSakkePointITable(&r->key, r->i_table, len), "wc_SetSakkePointITable");
}

static void wolf_receiver_free(struct wolf_receiver *r)
{
	wc_FreeSakkeKey(&r->key);
	wc_ecc_del_point(r->rsk);
	/* the RSK's table holds secret data (wolfSSL's doc) */
	if (r->rsk_table)
		OPENSSL_cleanse(r->rsk_table, r->rsk_table_len);
	free(r->rsk_table);
	free(r->i_table);
}

static int wolf_rsk_valid(SakkeKey *k, const uint8_t *id, size_t id_len,
			  const uint8_t rsk[SAKKE_POINT_LEN])
{
	ecc_point *p = wc_ecc_new_point();
	int valid = 0;

	if (p == NULL)
		die("wolfSSL allocation");
	wolf_ok(wc_DecodeSakkeRsk(k, rsk, SAKKE_POINT_LEN, p), "wc_DecodeSakkeRsk");
	wolf_ok(wc_ValidateSakkeRsk(k, id, (word16)id_len, p, &valid), "wc_ValidateSakkeRsk");
	wc_ecc_del_point(p);
	return valid;
}

/* ---- wolfSSL's two x86-64 paths ----
 *
 * wolfSSL's x86-64 assembly has two versions of its 1024-bit (and P-256)
 * arithmetic: one with the BMI2/ADX instructions (mulx, adcx, adox), taken
 * when the CPU reports them, and a generic one.  Which is faster depends
 * on the machine (on the virtual AMD EPYC of README "Performance" the
 * BMI2/ADX one is 3x slower), so the bench measures both and times
 * wolfSSL on the faster, through wolfSSL's public cpuid_* calls. */

static const char *wolf_path = "as built (no run-time choice)";

#ifdef WOLF_TWO_PATHS
/* the CPU has BMI2 and ADX (CPUID leaf 7: EBX bits 8 and 19) */
static int cpu_has_bmi2_adx(void)
{
	unsigned a, b, c, d;

	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 8)) && (b & (1u << 19));
}

/* wolfSSL on its BMI2/ADX path (on != 0, only where the CPU has them) or
 * on its generic path.  wolfSSL reads the CPU's flags at its first
 * operation; the checks ran one before. */
static void wolf_bmi2_adx(int on)
{
	if (on && cpu_has_bmi2_adx()) {
		cpuid_set_flag(CPUID_BMI2);
		cpuid_set_flag(CPUID_ADX);
	} else {
		cpuid_clear_flag(CPUID_BMI2);
		cpuid_clear_flag(CPUID_ADX);
	}
}
#endif

/* ---- the correctness checks ---- */

static int checks_failed;

static void check(int ok, const char *what)
{
	printf("check %-66s %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		checks_failed++;
}

static void check_eccsi(void)
{
	EccsiKey signer, verifier;
	eccsi_signer *ms;
	uint8_t sig[ECCSI_SIG_LEN], msg[MSG_LEN];
	int i;

	wolf_eccsi_key(&signer, 1);
	wolf_eccsi_key(&verifier, 0);
	if (eccsi_signer_new(rfc.kpak, rfc.eid, rfc.eid_len, rfc.ssk, rfc.pvt, &ms) != MST_OK)
		die("eccsi_signer_new (RFC 6507 key)");
	check(eccsi_verify(rfc.kpak, rfc.eid, rfc.eid_len, rfc.msg, rfc.msg_len, rfc.sig) == MST_OK,
	      "RFC 6507 signature: mstoken accepts");
	check(wolf_eccsi_verify(&verifier, rfc.eid, rfc.eid_len, rfc.msg, rfc.msg_len, rfc.sig),
	      "RFC 6507 signature: wolfSSL accepts");
	for (i = 0; i < 4; i++) {
		RAND_bytes(msg, sizeof msg);
		wolf_eccsi_sign(&signer, msg, sizeof msg, sig);
		if (eccsi_verify(rfc.kpak, rfc.eid, rfc.eid_len, msg, sizeof msg, sig) != MST_OK)
			break;
		if (eccsi_sign(ms, msg, sizeof msg, sig) != MST_OK ||
		    !wolf_eccsi_verify(&verifier, rfc.eid, rfc.eid_len, msg, sizeof msg, sig))
			break;
	}
	check(i == 4, "4 random messages: wolfSSL signs, mstoken accepts, and back");
	sig[40] ^= 1; /* in s */
	check(eccsi_verify(rfc.kpak, rfc.eid, rfc.eid_len, msg, sizeof msg, sig) != MST_OK &&
	      !wolf_eccsi_verify(&verifier, rfc.eid, rfc.eid_len, msg, sizeof msg, sig),
	      "a signature with one bit of s flipped: both refuse");
	eccsi_signer_free(ms);
	wc_FreeEccsiKey(&signer);
	wc_FreeEccsiKey(&verifier);
}

static void check_sakke(void)
{
	struct wolf_receiver plain, tabled;
	SakkeKey sender;
	uint8_t encap[SAKKE_ENCAP_LEN], wencap[SAKKE_ENCAP_LEN], ssv[SAKKE_SSV_LEN];
	uint8_t out[SAKKE_SSV_LEN], id[ID_CAP], rsk[SAKKE_POINT_LEN], other[64];
	size_t id_len;
	int i, ok;

	wolf_sakke_key(&sender);
	wolf_ok(wc_SetSakkeIdentity(&sender, rfc.b, (word16)rfc.b_len), "wc_SetSakkeIdentity");
	check(sakke_encapsulate(rfc.z_pub, rfc.b, rfc.b_len, rfc.ssv, encap) == MST_OK &&
	      memcmp(encap, rfc.encap, sizeof encap) == 0,
	      "RFC 6508 SSV: mstoken encapsulates to the RFC's R and H");
	wolf_encapsulate(&sender, rfc.ssv, wencap);
	check(memcmp(wencap, rfc.encap, sizeof wencap) == 0,
	      "RFC 6508 SSV: wolfSSL encapsulates to the RFC's R and H");

	wolf_receiver(&plain, rfc.b, rfc.b_len, rfc.rsk, 0);
	wolf_receiver(&tabled, rfc.b, rfc.b_len, rfc.rsk, 1);
	check(wolf_decapsulate(&plain.key, encap, out) == 0 && memcmp(out, rfc.ssv, sizeof out) == 0 &&
	      wolf_decapsulate(&tabled.key, encap, out) == 0 && memcmp(out, rfc.ssv, sizeof out) == 0,
	      "wolfSSL decapsulates mstoken's (with and without tables): RFC SSV");
	check(sakke_decapsulate(rfc.z_pub, rfc.b, rfc.b_len, rfc.rsk, wencap, out) == MST_OK &&
	      memcmp(out, rfc.ssv, sizeof out) == 0,
	      "mstoken decapsulates wolfSSL's: RFC SSV");
	encap[SAKKE_ENCAP_LEN - 1] ^= 1; /* H altered: another SSV, whose r does not give R */
	check(wolf_decapsulate(&tabled.key, encap, out) == SAKKE_VERIFY_FAIL_E &&
	      sakke_decapsulate(rfc.z_pub, rfc.b, rfc.b_len, rfc.rsk, encap, out) == MST_ERR_DECAPSULATE,
	      "Encapsulated Data with one bit of H flipped: both refuse");

	check(sakke_rsk_validate(rfc.z_pub, rfc.b, rfc.b_len, rfc.rsk) == MST_OK &&
	      wolf_rsk_valid(&sender, rfc.b, rfc.b_len, rfc.rsk),
	      "RFC 6508 RSK: both accept it");
	memcpy(other, rfc.b, rfc.b_len);
	other[rfc.b_len - 2] ^= 1; /* tel:+447700900122 */
	check(sakke_rsk_validate(rfc.z_pub, other, rfc.b_len, rfc.rsk) == MST_ERR_BAD_KEY &&
	      !wolf_rsk_valid(&sender, other, rfc.b_len, rfc.rsk),
	      "RFC 6508 RSK for another identifier: both refuse");
	wolf_receiver_free(&plain);
	wolf_receiver_free(&tabled);

	/* fresh identifiers under the RFC's KMS key: RSKs issued by mstoken */
	for (i = 0, ok = 1; i < 3 && ok; i++) {
		id_len = (size_t)snprintf((char *)id, sizeof id, "2026-12%ctel:+4477009%05d", 0, i) + 1;
		RAND_bytes(ssv, sizeof ssv);
		wolf_ok(wc_SetSakkeIdentity(&sender, id, (word16)id_len), "wc_SetSakkeIdentity");
		wolf_encapsulate(&sender, ssv, wencap);
		ok = sakke_encapsulate(rfc.z_pub, id, id_len, ssv, encap) == MST_OK &&
		     memcmp(encap, wencap, sizeof encap) == 0 &&
		     sakke_rsk_issue(rfc.z, rfc.z_len, id, id_len, rsk) == MST_OK &&
		     wolf_rsk_valid(&sender, id, id_len, rsk);
		if (ok) {
			wolf_receiver(&plain, id, id_len, rsk, 0);
			ok = wolf_decapsulate(&plain.key, encap, out) == 0 && memcmp(out, ssv, sizeof out) == 0;
			wolf_receiver_free(&plain);
		}
	}
	check(ok, "3 new ids, random SSVs: same R and H; mstoken's RSK opens wolfSSL's");
	OPENSSL_cleanse(rsk, sizeof rsk);
	OPENSSL_cleanse(ssv, sizeof ssv);
	OPENSSL_cleanse(out, sizeof out);
	wc_FreeSakkeKey(&sender);
}

/* ---- timing ---- */

typedef void (*op_fn)(void *arg);

static double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* CPU microseconds per call of `batch` calls */
static double sample(op_fn fn, void *arg, int batch)
{
	double t0 = cpu_us();
	int i;

	for (i = 0; i < batch; i++)
		fn(arg);
	return (cpu_us() - t0) / batch;
}

/* OpenSSL ECDSA P-256 through EVP, sign and verify: the yardstick. */
static struct {
	EVP_PKEY *key;
	uint8_t msg[MSG_LEN], sig[80];
	size_t sig_len;
} ecdsa;

static void ecdsa_sign_once(void *arg)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t len = sizeof ecdsa.sig;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ecdsa.key) != 1 ||
	    EVP_DigestSign(md, ecdsa.sig, &len, ecdsa.msg, sizeof ecdsa.msg) != 1)
		die("ECDSA sign");
	ecdsa.sig_len = len;
	EVP_MD_CTX_free(md);
}

static void ecdsa_verify_once(void *arg)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, ecdsa.key) != 1 ||
	    EVP_DigestVerify(md, ecdsa.sig, ecdsa.sig_len, ecdsa.msg, sizeof ecdsa.msg) != 1)
		die("ECDSA verify");
	EVP_MD_CTX_free(md);
}

/* The state every timed operation works on: the RFC keys, as set up for
 * each library by timing_setup. */
static struct {
	uint8_t msg[MSG_LEN], sig[ECCSI_SIG_LEN], wsig[ECCSI_SIG_LEN];
	eccsi_signer *signer;
	EccsiKey wsigner, wverifier;
	SakkeKey wsender_new, wsender_same, wvalidator;
	byte *wsame_table;
	struct wolf_receiver wreceiver, wplain;
	uint8_t encap[SAKKE_ENCAP_LEN];
	uint8_t id[ID_CAP];
	size_t id_len;
	unsigned mst_counter, wolf_counter;
	int lines_dropped;      /* mstoken's line table dropped since the last steady sample */
} t;

/* a new identifier each call; each library its own, so that neither
 * meets an identifier the other has used (the token may cache per
 * identifier) */
static void next_id(unsigned *counter, unsigned base)
{
	t.id_len = (size_t)snprintf((char *)t.id, sizeof t.id, "2026-12%ctel:+44%09u", 0,
				    base + (*counter)++) + 1;
}

static void mst_eccsi_sign(void *arg)
{
	if (eccsi_sign(t.signer, t.msg, sizeof t.msg, t.sig) != MST_OK)
		die("eccsi_sign");
}

static void mst_eccsi_verify(void *arg)
{
	if (eccsi_verify(rfc.kpak, rfc.eid, rfc.eid_len, t.msg, sizeof t.msg, t.sig) != MST_OK)
		die("eccsi_verify");
}

static void mst_encap_new(void *arg)
{
	uint8_t encap[SAKKE_ENCAP_LEN];

	next_id(&t.mst_counter, 100000000);
	if (sakke_encapsulate(rfc.z_pub, t.id, t.id_len, rfc.ssv, encap) != MST_OK)
		die("sakke_encapsulate");
}

static void mst_encap_same(void *arg)
{
	uint8_t encap[SAKKE_ENCAP_LEN];

	if (sakke_encapsulate(rfc.z_pub, rfc.b, rfc.b_len, rfc.ssv, encap) != MST_OK ||
	    memcmp(encap, rfc.encap, sizeof encap) != 0)
		die("sakke_encapsulate (RFC)");
}

static void mst_decap(void *arg)
{
	uint8_t out[SAKKE_SSV_LEN];

	if (sakke_decapsulate(rfc.z_pub, rfc.b, rfc.b_len, rfc.rsk, rfc.encap, out) != MST_OK ||
	    memcmp(out, rfc.ssv, sizeof out) != 0)
		die("sakke_decapsulate");
}

/* first use of the key in a running process: its line table dropped, as
 * mstoken-bench's sakke-decap-first */
static void mst_decap_first(void *arg)
{
	sakke_lines_clear();
	t.lines_dropped = 1;
	mst_decap(arg);
}

/* before a steady-state sample (untimed): the key's line table back, if
 * a first-use sample dropped it (built at the key's second use) */
static void mst_decap_rewarm(void *arg)
{
	if (t.lines_dropped) {
		mst_decap(arg);
		mst_decap(arg);
		t.lines_dropped = 0;
	}
}

static void mst_rsk_validate(void *arg)
{
	if (sakke_rsk_validate(rfc.z_pub, rfc.b, rfc.b_len, rfc.rsk) != MST_OK)
		die("sakke_rsk_validate");
}

static void wolf_eccsi_sign_once(void *arg)
{
	wolf_eccsi_sign(&t.wsigner, t.msg, sizeof t.msg, t.wsig);
}

static void wolf_eccsi_verify_once(void *arg)
{
	if (!wolf_eccsi_verify(&t.wverifier, rfc.eid, rfc.eid_len, t.msg, sizeof t.msg, t.wsig))
		die("wolfSSL ECCSI verify");
}

static void wolf_encap_new(void *arg)
{
	uint8_t encap[SAKKE_ENCAP_LEN];

	next_id(&t.wolf_counter, 500000000);
	wolf_ok(wc_SetSakkeIdentity(&t.wsender_new, t.id, (word16)t.id_len), "wc_SetSakkeIdentity");
	wolf_encapsulate(&t.wsender_new, rfc.ssv, encap);
}

static void wolf_encap_same(void *arg)
{
	uint8_t encap[SAKKE_ENCAP_LEN];

	wolf_encapsulate(&t.wsender_same, rfc.ssv, encap);
	if (memcmp(encap, rfc.encap, sizeof encap) != 0)
		die("wolfSSL encapsulation (RFC)");
}

static void wolf_decap(void *arg)
{
	uint8_t out[SAKKE_SSV_LEN];

	if (wolf_decapsulate(&t.wreceiver.key, rfc.encap, out) != 0 ||
	    memcmp(out, rfc.ssv, sizeof out) != 0)
		die("wolfSSL decapsulation");
}

/* a kept key object without tables (its point [b]P + Z kept from the
 * call before, as wolfSSL does for the identifier last used) */
static void wolf_decap_no_table(void *arg)
{
	uint8_t out[SAKKE_SSV_LEN];

	if (wolf_decapsulate(&t.wplain.key, rfc.encap, out) != 0 ||
	    memcmp(out, rfc.ssv, sizeof out) != 0)
		die("wolfSSL decapsulation (no table)");
}

/* first use of the key: a key object made from the bytes (Z, identifier,
 * RSK) and no table, as a receiver that decapsulates once */
static void wolf_decap_first(void *arg)
{
	struct wolf_receiver r;
	uint8_t out[SAKKE_SSV_LEN];

	wolf_receiver(&r, rfc.b, rfc.b_len, rfc.rsk, 0);
	if (wolf_decapsulate(&r.key, rfc.encap, out) != 0 || memcmp(out, rfc.ssv, sizeof out) != 0)
		die("wolfSSL decapsulation (first)");
	wolf_receiver_free(&r);
}

static void wolf_rsk_validate(void *arg)
{
	if (!wolf_rsk_valid(&t.wvalidator, rfc.b, rfc.b_len, rfc.rsk))
		die("wolfSSL RSK validation");
}

static void timing_setup(void)
{
	word32 len = 0;

	ecdsa.key = EVP_EC_gen("P-256");
	if (ecdsa.key == NULL)
		die("ECDSA key generation");
	RAND_bytes(ecdsa.msg, sizeof ecdsa.msg);
	ecdsa_sign_once(NULL);
	RAND_bytes(t.msg, sizeof t.msg);
	if (eccsi_signer_new(rfc.kpak, rfc.eid, rfc.eid_len, rfc.ssk, rfc.pvt, &t.signer) != MST_OK)
		die("eccsi_signer_new");
	mst_eccsi_sign(NULL);
	wolf_eccsi_key(&t.wsigner, 1);
	wolf_eccsi_key(&t.wverifier, 0);
	wolf_eccsi_sign_once(NULL);

	wolf_sakke_key(&t.wsender_new);
	wolf_sakke_key(&t.wsender_same);
	wolf_sakke_key(&t.wvalidator);
	/* the same identifier with wolfSSL's table for its point [b]P + Z */
	wolf_ok(wc_SetSakkeIdentity(&t.wsender_same, rfc.b, (word16)rfc.b_len), "wc_SetSakkeIdentity");
	wolf_ok(wc_MakeSakkePointI(&t.wsender_same, rfc.b, (word16)rfc.b_len), "wc_MakeSakkePointI");
	if (wc_GenerateSakkePointITable(&t.wsender_same, NULL, &len) != LENGTH_ONLY_E ||
	    (t.wsame_table = malloc(len)) == NULL)
		die("wolfSSL point I table size");
	wolf_ok(wc_GenerateSakkePointITable(&t.wsender_same, t.wsame_table, &len),
		"wc_GenerateSakkePointITable");
	wolf_ok(wc_SetSakkePointITable(&t.wsender_same, t.wsame_table, len), "wc_SetSakkePointITable");
	wolf_receiver(&t.wreceiver, rfc.b, rfc.b_len, rfc.rsk, 1);
	wolf_receiver(&t.wplain, rfc.b, rfc.b_len, rfc.rsk, 0);
}

static void timing_teardown(void)
{
	eccsi_signer_free(t.signer);
	wc_FreeEccsiKey(&t.wsigner);
	wc_FreeEccsiKey(&t.wverifier);
	wc_FreeSakkeKey(&t.wsender_new);
	wc_FreeSakkeKey(&t.wsender_same);
	wc_FreeSakkeKey(&t.wvalidator);
	free(t.wsame_table);
	wolf_receiver_free(&t.wreceiver);
	wolf_receiver_free(&t.wplain);
	EVP_PKEY_free(ecdsa.key);
}

/* one timed operation of one library */
struct op {
	const char *row;
	int lib;        /* 0: mstoken, 1: wolfSSL, 2: the yardstick itself */
	op_fn fn;
	int batch, warm;
	int verify;     /* yardstick: 0 ECDSA sign, 1 ECDSA verify */
	op_fn prepare;  /* if set, called untimed before each sample */
	double *s, *y;  /* its samples, the yardstick's next to them */
	double us, yard_us;
};

#define LIBS 2
static const char *const row_names[] = {
	"ecdsa-p256-sign", "ecdsa-p256-verify", "eccsi-sign", "eccsi-verify",
	"sakke-encap-new-id", "sakke-encap-same-id", "sakke-decap-steady",
	"sakke-decap-first", "sakke-decap-no-table", "rsk-validate",
};
#define ROWS (sizeof row_names / sizeof row_names[0])

#define OP(ROW, LIB, FN, BATCH, WARM, VERIFY) \
	{ .row = ROW, .lib = LIB, .fn = FN, .batch = BATCH, .warm = WARM, .verify = VERIFY }
static struct op ops[] = {
	OP("ecdsa-p256-sign", 2, ecdsa_sign_once, 20, 100, 0),
	OP("ecdsa-p256-verify", 2, ecdsa_verify_once, 20, 50, 1),
	OP("eccsi-sign", 0, mst_eccsi_sign, 10, 50, 0),
	OP("eccsi-sign", 1, wolf_eccsi_sign_once, 10, 50, 0),
	OP("eccsi-verify", 0, mst_eccsi_verify, 10, 50, 1),
	OP("eccsi-verify", 1, wolf_eccsi_verify_once, 10, 50, 1),
	OP("sakke-encap-new-id", 0, mst_encap_new, 1, 3, 0),
	OP("sakke-encap-new-id", 1, wolf_encap_new, 1, 3, 0),
	OP("sakke-encap-same-id", 0, mst_encap_same, 1, 3, 0),
	OP("sakke-encap-same-id", 1, wolf_encap_same, 1, 3, 0),
	{ .row = "sakke-decap-steady", .lib = 0, .fn = mst_decap, .batch = 1, .warm = 3,
	  .prepare = mst_decap_rewarm },
	OP("sakke-decap-steady", 1, wolf_decap, 1, 3, 0),
	OP("sakke-decap-first", 0, mst_decap_first, 1, 2, 0),
	OP("sakke-decap-first", 1, wolf_decap_first, 1, 2, 0),
	/* mstoken has no table at a key's first use: the same call again */
	OP("sakke-decap-no-table", 0, mst_decap_first, 1, 2, 0),
	OP("sakke-decap-no-table", 1, wolf_decap_no_table, 1, 2, 0),
	OP("rsk-validate", 0, mst_rsk_validate, 1, 2, 0),
	OP("rsk-validate", 1, wolf_rsk_validate, 1, 2, 0),
};
#define OPS (sizeof ops / sizeof ops[0])

/* choice: 0 the faster of wolfSSL's two paths (measured on steady-state
 * decapsulation), 1 its BMI2/ADX path, 2 its generic path */
static void wolf_choose_path(int choice)
{
#ifdef WOLF_TWO_PATHS
	static char why[160];
	double adx[5], gen[5], a, g;
	int i;

	if (!cpu_has_bmi2_adx()) {
		wolf_bmi2_adx(0);
		wolf_path = "generic (the CPU has no BMI2/ADX)";
		return;
	}
	if (choice != 0) {
		wolf_bmi2_adx(choice == 1);
		wolf_path = choice == 1 ? "BMI2/ADX (--wolf-path adx)" : "generic (--wolf-path generic)";
		return;
	}
	for (i = 0; i < 5; i++) {
		wolf_bmi2_adx(1);
		adx[i] = sample(wolf_decap, NULL, 1);
		wolf_bmi2_adx(0);
		gen[i] = sample(wolf_decap, NULL, 1);
	}
	a = median(adx, 5);
	g = median(gen, 5);
	wolf_bmi2_adx(a < g);
	snprintf(why, sizeof why, "%s, the faster here (decapsulation: BMI2/ADX %.0f us, generic %.0f us)",
		 a < g ? "BMI2/ADX" : "generic", a, g);
	wolf_path = why;
#else
	(void)choice;
#endif
}

static void run_rounds(int rounds)
{
	double yard_est[2];
	size_t i, k;
	int r;

	for (i = 0; i < OPS; i++) {
		ops[i].s = calloc((size_t)rounds, sizeof(double));
		ops[i].y = calloc((size_t)rounds, sizeof(double));
		if (ops[i].s == NULL || ops[i].y == NULL)
			die("allocation");
		for (k = 0; k < (size_t)ops[i].warm; k++)
			ops[i].fn(NULL);
	}
	yard_est[0] = sample(ecdsa_sign_once, NULL, 50);
	yard_est[1] = sample(ecdsa_verify_once, NULL, 50);
	for (r = 0; r < rounds; r++)
		for (k = 0; k < OPS; k++) {
			struct op *o = &ops[(k + (size_t)r) % OPS];
			op_fn yard = o->verify ? ecdsa_verify_once : ecdsa_sign_once;
			double *est = &yard_est[o->verify];
			int ybatch;

			if (o->prepare)
				o->prepare(NULL);
			o->s[r] = sample(o->fn, NULL, o->batch);
			/* a yardstick sample about as long as the operation's */
			ybatch = (int)(o->s[r] * o->batch / (*est > 0 ? *est : 1));
			ybatch = ybatch < 20 ? 20 : ybatch > 400 ? 400 : ybatch;
			o->y[r] = sample(yard, NULL, ybatch);
			*est = o->y[r];
		}
	for (i = 0; i < OPS; i++) {
		ops[i].us = median(ops[i].s, rounds);
		ops[i].yard_us = median(ops[i].y, rounds);
		free(ops[i].s);
		free(ops[i].y);
	}
}

static void print_table(void)
{
	size_t i, k;

	printf("\n%-22s %12s %9s %12s %9s %11s\n", "operation", "mstoken us", "ratio",
	       "wolfSSL us", "ratio", "wolf/mst");
	for (i = 0; i < ROWS; i++) {
		const struct op *by[LIBS + 1] = { NULL, NULL, NULL };

		for (k = 0; k < OPS; k++)
			if (strcmp(ops[k].row, row_names[i]) == 0)
				by[ops[k].lib] = &ops[k];
		if (by[2]) { /* OpenSSL's, the yardstick: the same for both */
			printf("%-22s %12.2f %9s %12.2f %9s\n", row_names[i], by[2]->us, "1",
			       by[2]->us, "1");
			continue;
		}
		printf("%-22s %12.2f %9.2f %12.2f %9.2f %11.2f\n", row_names[i],
		       by[0]->us, by[0]->us / by[0]->yard_us, by[1]->us, by[1]->us / by[1]->yard_us,
		       (by[1]->us / by[1]->yard_us) / (by[0]->us / by[0]->yard_us));
	}
	printf("CPU us per call, median of the rounds; ratio: to OpenSSL ECDSA P-256 sign (verify\n"
	       "rows: verify) sampled next to each sample; wolf/mst > 1: mstoken is faster\n");
}

int main(int argc, char **argv)
{
	int rounds = 41, check_only = 0, path_choice = 0, i;
	double load[3];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0) {
			check_only = 1;
		} else if (strcmp(argv[i], "--quick") == 0) {
			rounds = 9;
		} else if (strcmp(argv[i], "--wolf-path") == 0 && i + 1 < argc &&
			   (strcmp(argv[i + 1], "adx") == 0 || strcmp(argv[i + 1], "generic") == 0)) {
			path_choice = strcmp(argv[++i], "adx") == 0 ? 1 : 2;
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1)
				rounds = 1;
		} else {
			fprintf(stderr, "usage: side_by_side [--check] [--quick | --rounds N] [--wolf-path adx|generic]\n"
				"  --check      the cross-checks of both libraries only (on both wolfSSL paths)\n"
				"  --quick      9 rounds (default 41)\n"
				"  --wolf-path  time wolfSSL on its BMI2/ADX or its generic x86-64 path\n"
				"               (default: the faster of the two on this machine)\n");
			return 2;
		}
	}
	wolf_ok(wolfCrypt_Init(), "wolfCrypt_Init");
	wolf_ok(wc_InitRng(&wrng), "wc_InitRng");
	printf("mstoken %s, wolfSSL %s, %s\n", PACKAGE_VERSION, LIBWOLFSSL_VERSION_STRING,
	       OpenSSL_version(OPENSSL_VERSION));
	if (getloadavg(load, 3) == 3)
		printf("load average %.2f %.2f %.2f on %ld cores\n", load[0], load[1], load[2],
		       sysconf(_SC_NPROCESSORS_ONLN));
	rfc_load();
	check_eccsi();
	check_sakke();
#ifdef WOLF_TWO_PATHS
	if (cpu_has_bmi2_adx()) { /* the checks again on the other path */
		printf("wolfSSL on its generic path:\n");
		wolf_bmi2_adx(0);
		check_eccsi();
		check_sakke();
		wolf_bmi2_adx(1);
	}
#endif
	if (checks_failed) {
		printf("%d check(s) FAILED\n", checks_failed);
		return 1;
	}
	if (!check_only) {
		timing_setup();
		wolf_choose_path(path_choice);
		printf("wolfSSL timed on its path: %s\n", wolf_path);
		run_rounds(rounds);
		print_table();
		timing_teardown();
		if (getloadavg(load, 3) == 3)
			printf("load average at the end %.2f %.2f %.2f\n", load[0], load[1], load[2]);
	}
	wc_FreeRng(&wrng);
	wolfCrypt_Cleanup();
	OPENSSL_cleanse(&rfc, sizeof rfc);
	return 0;
}
