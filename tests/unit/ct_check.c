/* tests/unit/ct_check.c - constant-time check of whole secret paths under
 * Valgrind memcheck (run by sakke_ct.sh, with tests/unit/ct.supp):
 *
 *   decap   sakke_decapsulate with the RSK secret, from the point decoding
 *           through the pairing and HashToIntegerRange to the test of R
 *   hash    HashToIntegerRange (RFC 6508 5.1) on a secret input
 *   eccsi   ECCSI signing: eccsi_signer_new (key check) with the SSK
 *           secret, then eccsi_sign_with_j with the SSK and j secret
 *   unseal  the TPM store's AES-256-GCM open (tpm_gcm_open) with the
 *           record key and the plaintext secret
 *   p11open the SoftHSM2 backend's record open (p11_value_open in
 *           token/backend_pkcs11_seal.c) over the stand-in HSM of
 *           tests/fuzz/fake_p11.c, its AES-256-GCM key and the plaintext
 *           it opens secret: what the backend does with the opened key
 *           bytes must not depend on them
 *   hex     hex decoding of secret key text (hex_decode_exact, as the
 *           KmsKeySet reader uses it for the SSK and RSK)
 *
 * Keys are made at run time by the KMS functions, then their secret parts
 * are marked "undefined" (VALGRIND_MAKE_MEM_UNDEFINED): memcheck reports
 * each conditional jump and each memory address that depends on them.
 * The places where a secret-derived value becomes public on purpose (a
 * verdict: decapsulation's R check, a valid key) are named in ct.supp with
 * why.  Arguments name the parts to run (default: all of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include "token/sakke.h"
#include "token/eccsi.h"
#include "token/hex.h"
#include "token/secmem.h"
#include "tpm/tpm_crypto.h"
#include "token/backend_pkcs11_int.h"
#include "tests/fuzz/fake_p11.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static const uint8_t id[] = "2026-12\0tel:+447700900123";

static int fail(const char *what)
{
	fprintf(stderr, "ct_check: %s failed\n", what);
	return 1;
}

static int decap(void)
{
	uint8_t z[SAKKE_SCALAR_LEN], zp[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN], out[SAKKE_SSV_LEN];
	mst_rc rc;

	if (sakke_kms_keygen(z, zp) != MST_OK || sakke_rsk_issue(z, sizeof z, id, sizeof id, rsk) != MST_OK ||
	    sakke_random_ssv(ssv) != MST_OK || sakke_encapsulate(zp, id, sizeof id, ssv, encap) != MST_OK)
		return fail("SAKKE set-up");
	SECRET(rsk + 1, sizeof rsk - 1);     /* x || y; the 0x04 format octet is public */
	rc = sakke_decapsulate(zp, id, sizeof id, rsk, encap, out);
	PUBLIC(&rc, sizeof rc);
	PUBLIC(out, sizeof out);
	if (rc != MST_OK || memcmp(out, ssv, sizeof ssv) != 0)
		return fail("sakke_decapsulate");
	/* a wrong H: same path, refused at the R test */
	encap[SAKKE_POINT_LEN] ^= 1;
	rc = sakke_decapsulate(zp, id, sizeof id, rsk, encap, out);
	PUBLIC(&rc, sizeof rc);
	return rc == MST_ERR_DECAPSULATE ? 0 : fail("sakke_decapsulate (wrong H)");
}

static int hash(void)
{
	uint8_t s[SAKKE_L + SAKKE_SSV_LEN], out[SAKKE_L];
	static const uint8_t two_n[SAKKE_SSV_LEN + 1] = { 1 };

	memset(s, 0xa7, sizeof s);
	SECRET(s, sizeof s);
	if (sakke_hash_to_range(s, sizeof s, sakke_param_q, SAKKE_L, out) != MST_OK ||
	    sakke_hash_to_range(s, SAKKE_L, two_n, sizeof two_n, out) != MST_OK)
		return fail("sakke_hash_to_range");
	return 0;
}

static int eccsi(void)
{
	uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_LEN], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
	uint8_t j[ECCSI_N], sig[ECCSI_SIG_LEN];
	static const uint8_t msg[] = "an I_MESSAGE up to its SIGN payload";
	eccsi_signer *s = NULL;
	mst_rc rc;

	if (eccsi_kms_keygen(ksak, kpak) != MST_OK ||
	    eccsi_issue(ksak, kpak, id, sizeof id, ssk, pvt) != MST_OK)
		return fail("ECCSI set-up");
	memset(j, 0x3c, sizeof j);
	SECRET(ssk, sizeof ssk);
	rc = eccsi_signer_new(kpak, id, sizeof id, ssk, pvt, &s);
	PUBLIC(&rc, sizeof rc);
	if (rc != MST_OK)
		return fail("eccsi_signer_new");
	SECRET(j, sizeof j);
	rc = eccsi_sign_with_j(s, msg, sizeof msg, j, sig);
	PUBLIC(&rc, sizeof rc);
	PUBLIC(sig, sizeof sig);
	eccsi_signer_free(s);
	if (rc != MST_OK)
		return fail("eccsi_sign_with_j");
	return eccsi_verify(kpak, id, sizeof id, msg, sizeof msg, sig) == MST_OK ? 0 : fail("eccsi_verify");
}

static int unseal(void)
{
	uint8_t key[TPM_SECRET_LEN], iv[TPM_GCM_IV_LEN] = { 7 }, data[64], ct[64 + TPM_GCM_TAG_LEN];
	uint8_t out[64];
	static const uint8_t aad[] = "MSTR head";
	mst_rc rc;

	memset(key, 0x42, sizeof key);
	memset(data, 0x99, sizeof data);
	if (tpm_gcm_seal(key, iv, aad, sizeof aad, data, sizeof data, ct) != MST_OK)
		return fail("tpm_gcm_seal");
	SECRET(key, sizeof key);
	rc = tpm_gcm_open(key, iv, aad, sizeof aad, ct, sizeof ct, out);
	PUBLIC(&rc, sizeof rc);
	PUBLIC(out, sizeof out);
	if (rc != MST_OK || memcmp(out, data, sizeof data) != 0)
		return fail("tpm_gcm_open");
	ct[3] ^= 1;
	rc = tpm_gcm_open(key, iv, aad, sizeof aad, ct, sizeof ct, out);
	PUBLIC(&rc, sizeof rc);
	return rc == MST_ERR_TAMPERED ? 0 : fail("tpm_gcm_open (tampered)");
}

static void opened_secret(uint8_t *plain, size_t len)
{
	SECRET(plain, len);
}

static int p11open(void)
{
	struct p11_store st;
	uint8_t data[64], *val = NULL, *got = NULL;
	size_t val_len = 0, got_len = 0;
	uint32_t kind = 0;
	mst_rc rc;

	memset(&st, 0, sizeof st);
	st.f = fake_p11();
	st.seal_key = FAKE_P11_FIXED_KEY;
	st.have_session = 1;
	st.who = KEYSTORE_USER;
	memset(data, 0xc3, sizeof data);
	if (p11_value_build(&st, "key-1.v", 2, 7, 1, data, sizeof data, &val, &val_len) != MST_OK)
		return fail("p11_value_build");
	SECRET(fake_p11_key, sizeof fake_p11_key);
	fake_p11_opened = opened_secret;
	rc = p11_value_open(&st, "key-1.v", 1, val, val_len, &kind, &got, &got_len);
	PUBLIC(&rc, sizeof rc);
	fake_p11_opened = NULL;
	PUBLIC(fake_p11_key, sizeof fake_p11_key);
	if (rc != MST_OK || got_len != sizeof data || kind != 2)
		return fail("p11_value_open");
	PUBLIC(got, got_len);
	if (memcmp(got, data, sizeof data) != 0)
		return fail("p11_value_open (value)");
	secmem_free(got);
	free(val);
	return 0;
}

static int hex(void)
{
	char text[2 * ECCSI_N + 1];
	uint8_t v[ECCSI_N];
	size_t i;
	mst_rc rc;

	for (i = 0; i < ECCSI_N; i++)
		v[i] = (uint8_t)(i * 37 + 11);
	hex_encode_upper(v, ECCSI_N, text);
	text[5] = 'a';  /* mixed case, as KMS documents may be */
	SECRET(text, 2 * ECCSI_N);
	rc = hex_decode_exact(text, 2 * ECCSI_N, v, ECCSI_N);
	PUBLIC(&rc, sizeof rc);
	return rc == MST_OK ? 0 : fail("hex_decode_exact");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(void);
	} parts[] = {
		{ "decap", decap }, { "hash", hash }, { "eccsi", eccsi },
		{ "unseal", unseal }, { "p11open", p11open }, { "hex", hex },
	};
	size_t i;
	int a, failed = 0;

	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		int want = argc == 1;

		for (a = 1; a < argc; a++)
			want |= strcmp(argv[a], parts[i].name) == 0;
		if (want) {
			failed |= parts[i].run();
			printf("ct_check %s done\n", parts[i].name);
		}
	}
	return failed;
}
