/* bench/bench_p11.c - the rows of mstoken-bench measured through the
 * PKCS#11 module (p11-*), through libmikeysakke (imessage-*, group-create-N,
 * srtp-mikeysakke) and with libsrtp alone (srtp-raw).
 *
 * Set-up, the way the integration tests do it (tests/integration/
 * test_client_util.c), but self-contained since the program is installed:
 * a private SoftHSM2 in a fresh temporary folder (removed at the end), an
 * mstoken.conf with the slots "alice" and "bob" sealing into it, each token
 * initialised and given the published Streamwide community and key sets
 * of tests/vectors (public test keys, never real ones) through
 * C_CreateObject of the KMS XML.  MSTOKEN_MODULE and
 * MSTOKEN_BENCH_HSM_MODULE override the module paths.
 *
 * Each p11- row of an identity operation is sampled in turn with the same
 * operation called in the core (token/) on the same keys and inputs, so
 * that the module's cost shows as a ratio of two figures measured under
 * the same load (ratio_to_ref), not as the difference of two rows timed
 * seconds apart on a busy machine.
 */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>

#include "bench/bench.h"
#include "client/ctx.h"
#include "mikeysakke/session.h"
#include "mikeysakke/srtp.h"
#include "mikeysakke/status.h"
#include "token/config.h"
#include "token/eccsi.h"
#include "token/identity.h"
#include "token/sakke.h"
#include "tests/vectors/interop_vectors.h"

#define PIN "1234"
#define SO_PIN "12345678"
#define KMS "kms.mydev.streamwide.com"
/* 2025-10-03, inside key period 236 of the Streamwide community */
#define NOW (3968437672LL - 2208988800LL + 100)

static char dir[512];
static const char *module;

static const struct interop_key_set *sw_user(const char *user)
{
	size_t i;

	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++)
		if (strcmp(interop_key_sets[i].block, "streamwide") == 0 &&
		    strcmp(interop_key_sets[i].user, user) == 0)
			return &interop_key_sets[i];
	die("Streamwide key set");
	return NULL;
}

static const char *uri_of(const char *user)
{
	return strcmp(user, "alice") == 0 ? "sip:alice@streamwide.com" : "sip:bob@streamwide.com";
}

static void hexu(char *out, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* the folder, softhsm2.conf and an mstoken.conf with `n` slots named by
 * label(i) */
static int make_env(const char *hsm, unsigned n, const char *(*label)(unsigned))
{
	const char *tmp = getenv("TMPDIR");
	char path[600], text[1024];
	FILE *f;
	unsigned i;

	snprintf(dir, sizeof dir, "%s/mstoken-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/tokens", dir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(text, sizeof text,
		 "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
		 "slots.removable = false\nlibrary.reset_on_fork = true\n", dir);
	snprintf(path, sizeof path, "%s/softhsm2.conf", dir);
	if (write_file(path, text) != 0 || setenv("SOFTHSM2_CONF", path, 1) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/mstoken.conf", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "[slot]\nlabel = %s\nbackend = pkcs11\npkcs11.module = %s\npkcs11.token = %s-store\n\n",
			label(i), hsm, label(i));
	if (fclose(f) != 0 || setenv("MSTOKEN_CONF", path, 1) != 0)
		return -1;
	return 0;
}

static void remove_env(void)
{
	char cmd[600];

	if (dir[0] == '\0')
		return;
	/* our own mkdtemp folder: token files of SoftHSM2 only */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "mstoken-bench: could not remove %s\n", dir);
	dir[0] = '\0';
}

/* ---- provisioning through the module's own PKCS#11 interface ---- */

static CK_FUNCTION_LIST_PTR fl;
static void *dl;

static int load(void)
{
	CK_C_GetFunctionList get;

	dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL)
		return -1;
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	if (get == NULL || get(&fl) != CKR_OK || fl->C_Initialize(NULL) != CKR_OK)
		return -1;
	return 0;
}

static void unload(void)
{
	if (dl) {
		fl->C_Finalize(NULL);
		dlclose(dl);
		dl = NULL;
	}
}

/* mstoken slots describe themselves as "mstoken <label> ..." */
static int slot_by_label(const char *label, CK_SLOT_ID *out)
{
	CK_SLOT_ID ids[256];
	CK_ULONG n = 256, i;
	char want[64];

	snprintf(want, sizeof want, "mstoken %s ", label);
	if (fl->C_GetSlotList(CK_FALSE, ids, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++) {
		CK_SLOT_INFO si;

		if (fl->C_GetSlotInfo(ids[i], &si) == CKR_OK &&
		    memcmp(si.slotDescription, want, strlen(want)) == 0) {
			*out = ids[i];
			return 0;
		}
	}
	return -1;
}

static int put_xml(CK_SESSION_HANDLE s, const char *app, const char *xml)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, (void *)(uintptr_t)xml, strlen(xml) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) },
	};
	CK_OBJECT_HANDLE h;

	return fl->C_CreateObject(s, t, 5, &h) == CKR_OK ? 0 : -1;
}

/* The key-period parameters of every community the bench makes: key
 * period 236 holds NOW. */
#define KEY_PERIOD 16777215u
#define KEY_PERIOD_NO 236u

/* token `label`: initialised, PIN set, the community (Z_T, KPAK) imported
 * by the SO (CKA_TRUSTED is the SO's), left with the user logged in on *s */
static int token_with_community(const char *label, const char *kms, const uint8_t *z,
				const uint8_t *kpak, CK_SESSION_HANDLE *s)
{
	static char xml[2048], zh[2 * SAKKE_POINT_LEN + 1], kh[2 * ECCSI_POINT_LEN + 1];
	CK_UTF8CHAR tl[32];
	CK_SLOT_ID slot;

	if (slot_by_label(label, &slot) != 0)
		return -1;
	memset(tl, ' ', sizeof tl);
	memcpy(tl, label, strlen(label) < sizeof tl ? strlen(label) : sizeof tl);
	if (fl->C_InitToken(slot, (CK_UTF8CHAR_PTR)(uintptr_t)SO_PIN, strlen(SO_PIN), tl) != CKR_OK ||
	    fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s) != CKR_OK)
		return -1;
	hexu(zh, z, SAKKE_POINT_LEN);
	hexu(kh, kpak, ECCSI_POINT_LEN);
	snprintf(xml, sizeof xml,
		 "<KmsCertificate xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" Version=\"1.1.0\""
		 " Role=\"Root\"><KmsUri>%s</KmsUri><UserIdFormat>2</UserIdFormat>"
		 "<UserKeyPeriod>%u</UserKeyPeriod><UserKeyOffset>0</UserKeyOffset>"
		 "<PubEncKey>%s</PubEncKey><PubAuthKey>%s</PubAuthKey></KmsCertificate>",
		 kms, KEY_PERIOD, zh, kh);
	if (fl->C_Login(*s, CKU_SO, (CK_UTF8CHAR_PTR)(uintptr_t)SO_PIN, strlen(SO_PIN)) != CKR_OK ||
	    fl->C_InitPIN(*s, (CK_UTF8CHAR_PTR)(uintptr_t)PIN, strlen(PIN)) != CKR_OK ||
	    put_xml(*s, MSTOKEN_APP_KMS_CERTIFICATE, xml) != 0 ||
	    fl->C_Logout(*s) != CKR_OK ||
	    fl->C_Login(*s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)PIN, strlen(PIN)) != CKR_OK) {
		fl->C_CloseSession(*s);
		return -1;
	}
	return 0;
}

/* a user's key set (KmsKeySet of key period KEY_PERIOD_NO), imported in
 * the user session s */
static int put_keyset(CK_SESSION_HANDLE s, const char *kms, const char *uri, const uint8_t *uid,
		      size_t uid_len, const uint8_t *rsk, const uint8_t *ssk, const uint8_t *pvt)
{
	static char xml[4096], id[2 * IDENTITY_UID_LEN + 1], rh[2 * SAKKE_POINT_LEN + 1];
	static char sh[2 * ECCSI_N + 1], ph[2 * ECCSI_POINT_LEN + 1];
	int rc;

	if (uid_len != IDENTITY_UID_LEN)
		return -1;
	hexu(id, uid, uid_len);
	hexu(rh, rsk, SAKKE_POINT_LEN);
	hexu(sh, ssk, ECCSI_N);
	hexu(ph, pvt, ECCSI_POINT_LEN);
	snprintf(xml, sizeof xml,
		 "<KmsKeySet xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" Version=\"1.1.0\">"
		 "<KmsUri>%s</KmsUri><UserUri>%s</UserUri><UserID>%s</UserID>"
		 "<ValidFrom>2000-01-01T00:00:00</ValidFrom><ValidTo>2100-01-01T00:00:00</ValidTo>"
		 "<KeyPeriodNo>%u</KeyPeriodNo><UserDecryptKey>%s</UserDecryptKey>"
		 "<UserSigningKeySSK>%s</UserSigningKeySSK><UserPubTokenPVT>%s</UserPubTokenPVT>"
		 "</KmsKeySet>", kms, uri, id, KEY_PERIOD_NO, rh, sh, ph);
	rc = put_xml(s, MSTOKEN_APP_KMS_KEYSET, xml);
	OPENSSL_cleanse(rh, sizeof rh);
	OPENSSL_cleanse(sh, sizeof sh);
	OPENSSL_cleanse(xml, sizeof xml);
	return rc;
}

/* token `label`: the Streamwide community and the key set of `user` */
static int provision(const char *label, const char *user)
{
	const struct interop_key_set *k = sw_user(user), *a = sw_user("alice");
	CK_SESSION_HANDLE s;
	int rc;

	if (a->z_len != SAKKE_POINT_LEN || a->kpak_len != ECCSI_POINT_LEN || k->rsk_len != SAKKE_POINT_LEN ||
	    k->ssk_len != ECCSI_N || k->pvt_len != ECCSI_POINT_LEN ||
	    token_with_community(label, KMS, a->z, a->kpak, &s) != 0)
		return -1;
	rc = put_keyset(s, KMS, uri_of(user), k->uid, k->uid_len, k->rsk, k->ssk, k->pvt);
	fl->C_CloseSession(s);
	return rc;
}

static const char *two_labels(unsigned i)
{
	return i == 0 ? "alice" : "bob";
}

static int hsm_and_module(const char **hsm)
{
	module = getenv("MSTOKEN_MODULE");
	if (module == NULL || *module == '\0')
		module = MST_BENCH_MODULE;
	*hsm = getenv("MSTOKEN_BENCH_HSM_MODULE");
	if (*hsm == NULL || **hsm == '\0')
		*hsm = MST_DEFAULT_HSM_MODULE;
	return access(module, R_OK) == 0 && access(*hsm, R_OK) == 0 ? 0 : -1;
}

/* ---- the rows ---- */

struct p11_ctx {
	struct ms_ctx *alice, *bob;
	struct ms_community comm;
	CK_OBJECT_HANDLE ssk, rsk, ssv;
	const struct interop_key_set *ka, *kb;
	uint8_t msg[64], sig[256], encap[512], uid[32], rnd[16];
	size_t sig_len, encap_len;
	struct ms_created cr;
	const char *to[1024];
	size_t n_to;
	struct ms_accepted acc;
};

/* the same operations in the core, on the same keys: the references */
struct core_ctx {
	struct p11_ctx *p;
	eccsi_signer *signer;
	uint8_t ssv[SAKKE_SSV_LEN], uid[32], sig[ECCSI_SIG_LEN], encap[SAKKE_ENCAP_LEN];
};

static void core_sign_once(void *arg)
{
	struct core_ctx *c = arg;

	if (eccsi_sign(c->signer, c->p->msg, sizeof c->p->msg, c->sig) != MST_OK)
		die("eccsi_sign");
}

static void core_verify_once(void *arg)
{
	struct core_ctx *c = arg;

	if (c->p->sig_len != ECCSI_SIG_LEN ||
	    eccsi_verify(c->p->ka->kpak, c->p->ka->uid, c->p->ka->uid_len, c->p->msg, sizeof c->p->msg,
			 c->p->sig) != MST_OK)
		die("eccsi_verify");
}

static void core_wrap_new_once(void *arg)
{
	struct core_ctx *c = arg;

	RAND_bytes(c->uid, sizeof c->uid);
	if (sakke_encapsulate(c->p->kb->z, c->uid, sizeof c->uid, c->ssv, c->encap) != MST_OK)
		die("sakke_encapsulate (new identifier)");
}

static void core_wrap_same_once(void *arg)
{
	struct core_ctx *c = arg;

	if (sakke_encapsulate(c->p->kb->z, c->p->kb->uid, c->p->kb->uid_len, c->ssv, c->encap) != MST_OK)
		die("sakke_encapsulate");
}

static void core_unwrap_once(void *arg)
{
	struct core_ctx *c = arg;
	uint8_t out[SAKKE_SSV_LEN];

	if (c->p->encap_len != SAKKE_ENCAP_LEN ||
	    sakke_decapsulate(c->p->kb->z, c->p->kb->uid, c->p->kb->uid_len, c->p->kb->rsk, c->p->encap,
			      out) != MST_OK)
		die("sakke_decapsulate");
	OPENSSL_cleanse(out, sizeof out);
}

/* a p11- row sampled in turn with its core reference and the yardstick */
static void ref_row(const char *name, op_fn fn, op_fn ref, struct core_ctx *c, int runs, int batch,
		    int warm, int verify)
{
	struct figure f = measure_ref(fn, c->p, ref, c, runs, batch, warm,
				      verify ? yard_verify_fn : yard_sign_fn);

	report_ref(name, &f, "the core call");
}

static void p11_sign_once(void *arg)
{
	struct p11_ctx *c = arg;

	if (ms_p11_sign(&c->alice->p, c->ssk, c->msg, sizeof c->msg, c->sig, sizeof c->sig,
			&c->sig_len) != MS_OK)
		die("C_Sign (ECCSI)");
}

static void p11_verify_once(void *arg)
{
	struct p11_ctx *c = arg;

	if (ms_p11_verify(&c->alice->p, c->comm.kpak, c->ka->uid, c->ka->uid_len, c->msg, sizeof c->msg,
			  c->sig, c->sig_len) != MS_OK)
		die("C_Verify (ECCSI)");
}

static void p11_wrap_same_once(void *arg)
{
	struct p11_ctx *c = arg;

	if (ms_p11_wrap(&c->alice->p, c->comm.z, c->kb->uid, c->kb->uid_len, c->ssv, c->encap,
			sizeof c->encap, &c->encap_len) != MS_OK)
		die("C_WrapKey (SAKKE)");
}

static void p11_wrap_new_once(void *arg)
{
	struct p11_ctx *c = arg;
	uint8_t out[512];
	size_t len;

	RAND_bytes(c->uid, sizeof c->uid);
	if (ms_p11_wrap(&c->alice->p, c->comm.z, c->uid, sizeof c->uid, c->ssv, out, sizeof out,
			&len) != MS_OK)
		die("C_WrapKey (SAKKE, new identifier)");
}

static void p11_unwrap_once(void *arg)
{
	struct p11_ctx *c = arg;
	CK_OBJECT_HANDLE ssv;

	if (ms_p11_unwrap(&c->bob->p, c->rsk, c->encap, c->encap_len, &ssv) != MS_OK)
		die("C_UnwrapKey (SAKKE)");
	ms_p11_destroy(&c->bob->p, ssv);
}

static void p11_derive_once(void *arg)
{
	struct p11_ctx *c = arg;
	uint8_t key[16];

	if (ms_p11_derive(&c->alice->p, c->ssv, 1, 0, 0, 1, c->rnd, sizeof c->rnd, key, sizeof key) != MS_OK)
		die("C_DeriveKey (MIKEY PRF)");
}

static void create_once(void *arg)
{
	struct p11_ctx *c = arg;
	struct ms_create_req r = { "sip:alice@streamwide.com", c->to, c->n_to, 1,
				   MS_SRTP_AES_CM_128_HMAC_SHA1_80, c->n_to > 1, NOW };
	ms_rc rc = ms_create(c->alice, &r, &c->cr);

	if (rc != MS_OK) {
		fprintf(stderr, "mstoken-bench: ms_create: %s (%s)\n", ms_strerror(rc), ms_ctx_error(c->alice));
		die("ms_create");
	}
	ms_created_clear(c->alice, &c->cr);
}

static struct ms_created *sample_msg;

static void accept_once(void *arg)
{
	struct p11_ctx *c = arg;
	struct ms_accept_opts o = { 0, NOW, NULL, 0, 0 };
	ms_rc rc = ms_accept(c->bob, sample_msg->msg[0], sample_msg->len[0], &o, &c->acc);

	if (rc != MS_OK) {
		fprintf(stderr, "mstoken-bench: ms_accept: %s (%s)\n", ms_strerror(rc), c->acc.reason);
		die("ms_accept");
	}
	ms_accepted_clear(&c->acc);
}

/* ---- SRTP: 160-byte RTP payloads, protect + unprotect ---- */

#define SRTP_PAYLOAD 160

struct srtp_bench {
	srtp_t tx, rx;
	struct ms_srtp *mtx, *mrx;
	uint16_t seq;
};

/* one packet buffer for both rows: neither gets the better cache lines */
static uint8_t srtp_pkt[12 + SRTP_PAYLOAD + 64];

static void rtp_packet(uint8_t *pkt, uint16_t seq)
{
	memset(pkt, 0xa5, 12 + SRTP_PAYLOAD);
	ms_rtp_header(pkt, 0, seq, (uint32_t)seq * 160, 0x12345678);
}

static void srtp_raw_once(void *arg)
{
	struct srtp_bench *b = arg;
	int len = 12 + SRTP_PAYLOAD;

	rtp_packet(srtp_pkt, b->seq++);
	if (srtp_protect(b->tx, srtp_pkt, &len) != srtp_err_status_ok ||
	    srtp_unprotect(b->rx, srtp_pkt, &len) != srtp_err_status_ok || len != 12 + SRTP_PAYLOAD)
		die("libsrtp protect/unprotect");
}

static void srtp_ms_once(void *arg)
{
	struct srtp_bench *b = arg;
	size_t len = 12 + SRTP_PAYLOAD;

	rtp_packet(srtp_pkt, b->seq++);
	if (ms_srtp_protect(b->mtx, srtp_pkt, &len, sizeof srtp_pkt) != MS_OK ||
	    ms_srtp_unprotect(b->mrx, srtp_pkt, &len) != MS_OK || len != 12 + SRTP_PAYLOAD)
		die("ms_srtp protect/unprotect");
}

static void bench_srtp(void)
{
	uint8_t key[16], salt[14], master[30];
	srtp_policy_t pol;
	struct srtp_bench raw, ms;

	RAND_bytes(key, sizeof key);
	RAND_bytes(salt, sizeof salt);
	memset(&raw, 0, sizeof raw);
	memset(&ms, 0, sizeof ms);
	/* libsrtp alone, the same policy as client/srtp.c */
	if (ms_srtp_new(&ms.mtx, MS_SRTP_AES_CM_128_HMAC_SHA1_80, MS_SRTP_OUTBOUND, key, 16, salt, 14) != MS_OK ||
	    ms_srtp_new(&ms.mrx, MS_SRTP_AES_CM_128_HMAC_SHA1_80, MS_SRTP_INBOUND, key, 16, salt, 14) != MS_OK)
		die("ms_srtp_new");      /* also runs srtp_init() once */
	memcpy(master, key, 16);
	memcpy(master + 16, salt, 14);
	memset(&pol, 0, sizeof pol);
	srtp_crypto_policy_set_rtp_default(&pol.rtp);
	srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	pol.key = master;
	pol.window_size = 128;
	pol.ssrc.type = ssrc_any_outbound;
	if (srtp_create(&raw.tx, &pol) != srtp_err_status_ok)
		die("srtp_create");
	pol.ssrc.type = ssrc_any_inbound;
	if (srtp_create(&raw.rx, &pol) != srtp_err_status_ok)
		die("srtp_create");
	/* The two in turns, sample after sample (500 packets each, 201
	 * pairs: about 100,000 packets each way), so that both see the same
	 * load; srtp-mikeysakke's last column is its time per packet over
	 * raw libsrtp's, the inverse of the throughput ratio. */
	{
		struct figure f = measure_ref(srtp_ms_once, &ms, srtp_raw_once, &raw, R(201), 500, 1000,
					      yard_sign_fn);

		report("srtp-raw", f.ref_us, f.yard_us);
		report_ref("srtp-mikeysakke", &f, "raw libsrtp");
	}
	srtp_dealloc(raw.tx);
	srtp_dealloc(raw.rx);
	ms_srtp_free(ms.mtx);
	ms_srtp_free(ms.mrx);
	OPENSSL_cleanse(master, sizeof master);
}

/* group-create-N: ms_create to N members, each run to N members never
 * seen before (sip:rRRmNNNN@...): every member then costs what a new
 * identifier costs, in every row (a member met in the run before would
 * find its table in the token's identifier cache, and group-create-1 would
 * time the cached path against the uncached one of group-create-100).
 * Timed on the wall clock: the workers run on every core, which CPU time
 * (the sum over threads) would not show; the CPU time of the same runs is
 * printed too (cpu_us; cores = cpu_us / median_us, the parallelism the
 * run got), and per_member_vs_one = median_us / (N x group-create-1's
 * cpu_us), the issue's "N = 100 in <= 0.6 x 100 x the one-member time"
 * (one member runs on one core: its CPU time is its wall-clock time on an
 * idle machine, and the load of a shared one does not shrink the ratio);
 * cores_available (cores_available()) what spinning threads got in 0.1 s
 * after each run.  The yardstick is timed on the wall clock between the
 * runs.
 * MSTOKEN_BENCH_CPU_GROUP set: median_us is CPU time as well. */
static char group_uris[1000][48];

static double clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double spin_until;       /* written before the threads start */

static void *spin(void *arg)
{
	volatile unsigned long x = 0;

	while (clock_us(CLOCK_MONOTONIC) < spin_until)
		x++;
	return arg;
}

/* What the machine gives this process right now: as many threads as
 * online processors (ms_create's workers) spin for `us` microseconds of
 * wall-clock time; process CPU time over wall time.  On a shared machine
 * the group rows' `cores` is to be read against this (a busy neighbour
 * takes the second core from the spinners as from the workers). */
static double cores_available(double us)
{
	pthread_t t[16];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus, i, started = 0;
	double c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_us(CLOCK_MONOTONIC);

	spin_until = w0 + us;
	for (i = 1; i < n; i++)
		started += pthread_create(&t[started], NULL, spin, NULL) == 0;
	spin(NULL);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	return (clock_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / (clock_us(CLOCK_MONOTONIC) - w0);
}

static void group_members(struct p11_ctx *c, unsigned n)
{
	static unsigned run;
	unsigned i;

	run++;
	for (i = 0; i < n; i++) {
		snprintf(group_uris[i], sizeof group_uris[i], "sip:r%um%04u@streamwide.com", run, i);
		c->to[i] = group_uris[i];
	}
	c->n_to = n;
}

static void group_rows(struct p11_ctx *c)
{
	static const unsigned ns[] = { 1, 10, 100, 1000 };
	double wall[21], cpu[21], yard[21], avail[21], one = 0, w0, c0;
	int cpu_clock = getenv("MSTOKEN_BENCH_CPU_GROUP") != NULL;
	char name[32];
	unsigned k;

	for (k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		int runs = ns[k] >= 1000 ? (opt.quick ? 1 : 3) : ns[k] >= 100 ? R(7) : R(21), i;
		double w, cp, y, av;

		snprintf(name, sizeof name, "group-create-%u", ns[k]);
		if (ns[k] < 1000) {             /* warm-up */
			group_members(c, ns[k]);
			create_once(c);
		}
		for (i = 0; i < runs; i++) {
			group_members(c, ns[k]);
			bench_wall_clock = 1;
			w0 = cpu_us();
			bench_wall_clock = 0;
			c0 = cpu_us();
			create_once(c);
			cpu[i] = cpu_us() - c0;
			bench_wall_clock = 1;
			wall[i] = cpu_us() - w0;
			bench_wall_clock = !cpu_clock;
			yard[i] = sample(yard_sign_fn, yard_arg, 20);
			bench_wall_clock = 0;
			avail[i] = cores_available(100000);
		}
		w = median(wall, runs);
		cp = median(cpu, runs);
		y = median(yard, runs);
		av = median(avail, runs);
		if (cpu_clock)
			w = cp;
		if (ns[k] == 1)         /* one member is one core's work */
			one = cp;
		if (opt.json)
			printf("{\"op\": \"%s\", \"median_us\": %.2f, \"ratio\": %.3f, \"cpu_us\": %.2f, "
			       "\"cores\": %.2f, \"cores_available\": %.2f, \"per_member_vs_one\": %.3f}\n",
			       name, w, w / y, cp, cp / w, av, w / (ns[k] * one));
		else
			printf("%-24s %12.2f %10.2f   cpu %.0f us, %.2f cores of %.2f available, "
			       "%.3f x N x one member\n", name, w, w / y, cp, cp / w, av, w / (ns[k] * one));
		fflush(stdout);
	}
}

void bench_p11(void)
{
	static struct p11_ctx c;
	static struct core_ctx core;
	static struct ms_created msg1;
	static const char *bob_to[] = { "sip:bob@streamwide.com" };
	const char *hsm;
	ms_rc rc;

	bench_srtp();
	if (hsm_and_module(&hsm) != 0) {
		fprintf(stderr, "mstoken-bench: module %s or SoftHSM2 %s not found: "
			"no p11-/imessage-/group- rows (set MSTOKEN_MODULE, MSTOKEN_BENCH_HSM_MODULE)\n",
			module, hsm);
		return;
	}
	if (make_env(hsm, 2, two_labels) != 0 || load() != 0 ||
	    provision("alice", "alice") != 0 || provision("bob", "bob") != 0) {
		unload();
		remove_env();
		die("SoftHSM2 token set-up");
	}
	unload();
	memset(&c, 0, sizeof c);
	c.ka = sw_user("alice");
	c.kb = sw_user("bob");
	RAND_bytes(c.msg, sizeof c.msg);
	if (ms_ctx_open(&c.alice, module, "alice", PIN) != MS_OK ||
	    ms_ctx_open(&c.bob, module, "bob", PIN) != MS_OK ||
	    ctx_community(c.alice, KMS, &c.comm) != MS_OK ||
	    ctx_private_key(c.alice, c.ka->uid, c.ka->uid_len, MS_KEY_SUFFIX_ECCSI, &c.ssk) != MS_OK ||
	    ctx_private_key(c.bob, c.kb->uid, c.kb->uid_len, MS_KEY_SUFFIX_SAKKE, &c.rsk) != MS_OK ||
	    ms_p11_generate_ssv(&c.alice->p, &c.ssv) != MS_OK)
		die("opening the provisioned tokens");
	core.p = &c;
	if (eccsi_signer_new(c.ka->kpak, c.ka->uid, c.ka->uid_len, c.ka->ssk, c.ka->pvt,
			     &core.signer) != MST_OK || sakke_random_ssv(core.ssv) != MST_OK)
		die("core references");
	ref_row("p11-eccsi-sign", p11_sign_once, core_sign_once, &core, R(101), 5, 20, 0);
	ref_row("p11-eccsi-verify", p11_verify_once, core_verify_once, &core, R(101), 5, 20, 1);
	ref_row("p11-sakke-encap-new-id", p11_wrap_new_once, core_wrap_new_once, &core, R(41), 1, 5, 0);
	ref_row("p11-sakke-encap-same-id", p11_wrap_same_once, core_wrap_same_once, &core, R(41), 1, 5, 0);
	ref_row("p11-sakke-decap-steady", p11_unwrap_once, core_unwrap_once, &core, R(41), 1, 5, 0);
	eccsi_signer_free(core.signer);
	OPENSSL_cleanse(&core, sizeof core);
	row("p11-mikey-prf", p11_derive_once, &c, R(101), 20, 20, 0);
	/* one message for the accept rows */
	{
		struct ms_create_req r = { "sip:alice@streamwide.com", bob_to, 1, 1,
					   MS_SRTP_AES_CM_128_HMAC_SHA1_80, 0, NOW };

		rc = ms_create(c.alice, &r, &msg1);
		if (rc != MS_OK)
			die("ms_create");
		sample_msg = &msg1;
	}
	c.to[0] = bob_to[0];
	c.n_to = 1;
	row("imessage-create", create_once, &c, R(41), 1, 3, 0);
	row("imessage-accept", accept_once, &c, R(41), 1, 3, 0);
	group_rows(&c);
	ms_created_clear(c.alice, &msg1);
	ms_p11_destroy(&c.alice->p, c.ssv);
	ms_ctx_close(c.bob);
	ms_ctx_close(c.alice);
	remove_env();
}

/* ---- --memory: the module's resident memory with 1, 10, 100 users ---- */

static char mem_labels[100][16];

static const char *mem_label(unsigned i)
{
	return mem_labels[i];
}

static long vm_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	size_t n = strlen(field);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && sscanf(line + n, " %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* fn(arg) in a forked child, waited for: set-up and measurement leave
 * nothing in this process's heap, so every count starts from the same
 * one (freed blocks reused would hide part of the next count's growth) */
static void in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("memory measurement child");
}

static const char *users_label(unsigned i)
{
	(void)i;
	return "users";
}

#define BENCH_KMS "kms.bench.example"
#define MAX_KEYSET_USERS 100

static uint8_t user_ids[MAX_KEYSET_USERS][IDENTITY_UID_LEN];

struct keyset_run {
	const char *hsm;
	unsigned n;
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN];     /* the community's */
	uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_LEN];
};

/* One slot whose token holds the key sets of n users (identities) of one
 * community the bench makes, as a dispatcher's or gateway's token would:
 * n users cost n key sets, not n slots, and one slot is not limited as the
 * slots are (MST_CONFIG_MAX_SLOTS).  Here: the folder, the community and
 * the users' identifiers (kept in this process for the measuring child). */
static void keyset_prepare(struct keyset_run *r)
{
	char uri[64];
	unsigned i;

	if (make_env(r->hsm, 1, users_label) != 0 || sakke_kms_keygen(r->z, r->z_pub) != MST_OK ||
	    eccsi_kms_keygen(r->ksak, r->kpak) != MST_OK)
		die("SoftHSM2 set-up");
	for (i = 0; i < r->n; i++) {
		snprintf(uri, sizeof uri, "sip:user%03u@bench.example", i);
		if (identity_uid(uri, BENCH_KMS, KEY_PERIOD, 0, KEY_PERIOD_NO, user_ids[i]) != MST_OK)
			die("a user's identifier");
	}
}

/* ... and in a child: the token initialised, the community and the n key
 * sets imported */
static void keyset_setup_child(void *arg)
{
	struct keyset_run *r = arg;
	uint8_t rsk[SAKKE_POINT_LEN], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
	char uri[64];
	CK_SESSION_HANDLE s;
	unsigned i;

	if (load() != 0 || token_with_community("users", BENCH_KMS, r->z_pub, r->kpak, &s) != 0)
		die("SoftHSM2 set-up");
	for (i = 0; i < r->n; i++) {
		snprintf(uri, sizeof uri, "sip:user%03u@bench.example", i);
		if (sakke_rsk_issue(r->z, sizeof r->z, user_ids[i], IDENTITY_UID_LEN, rsk) != MST_OK ||
		    eccsi_issue(r->ksak, r->kpak, user_ids[i], IDENTITY_UID_LEN, ssk, pvt) != MST_OK ||
		    put_keyset(s, BENCH_KMS, uri, user_ids[i], IDENTITY_UID_LEN, rsk, ssk, pvt) != 0)
			die("a user's key set");
	}
	fl->C_CloseSession(s);
	unload();
	OPENSSL_cleanse(rsk, sizeof rsk);
	OPENSSL_cleanse(ssk, sizeof ssk);
}

/* every user's keys used once: an ECCSI signature (the SSK unsealed, its
 * signer made) and a SAKKE decapsulation (the RSK unsealed) */
static void use_every_user(struct ms_ctx *c, unsigned n, const uint8_t z_pub[SAKKE_POINT_LEN])
{
	uint8_t msg[64] = { 0 }, sig[256], ssv[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];
	CK_OBJECT_HANDLE ssk, rsk, got;
	size_t sig_len;
	unsigned i;

	if (sakke_random_ssv(ssv) != MST_OK)
		die("SSV");
	for (i = 0; i < n; i++) {
		if (ctx_private_key(c, user_ids[i], IDENTITY_UID_LEN, MS_KEY_SUFFIX_ECCSI, &ssk) != MS_OK ||
		    ms_p11_sign(&c->p, ssk, msg, sizeof msg, sig, sizeof sig, &sig_len) != MS_OK ||
		    ctx_private_key(c, user_ids[i], IDENTITY_UID_LEN, MS_KEY_SUFFIX_SAKKE, &rsk) != MS_OK ||
		    sakke_encapsulate(z_pub, user_ids[i], IDENTITY_UID_LEN, ssv, encap) != MST_OK ||
		    ms_p11_unwrap(&c->p, rsk, encap, sizeof encap, &got) != MS_OK)
			die("using a user's keys");
		ms_p11_destroy(&c->p, got);
	}
	OPENSSL_cleanse(ssv, sizeof ssv);
}

static void keyset_measure_child(void *arg)
{
	struct keyset_run *r = arg;
	long base, logged_in, used;
	struct ms_ctx *c;

	base = vm_kib("VmRSS:");
	if (ms_ctx_open(&c, module, "users", PIN) != MS_OK)
		die("ms_ctx_open");
	logged_in = vm_kib("VmRSS:");
	use_every_user(c, r->n, r->z_pub);
	used = vm_kib("VmRSS:");
	if (opt.json)
		printf("{\"memory\": \"module-rss-keysets\", \"users\": %u, \"kib\": %ld, "
		       "\"kib_keys_used\": %ld}\n", r->n, logged_in - base, used - base);
	else
		printf("module resident memory, %3u users' key sets in one token: %ld KiB logged in, "
		       "%ld KiB once every key was used\n", r->n, logged_in - base, used - base);
	ms_ctx_close(c);
}

static void bench_keyset_memory(const char *hsm)
{
	static const unsigned counts[] = { 1, 10, MAX_KEYSET_USERS };
	static struct keyset_run r;
	unsigned k;

	for (k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		r.hsm = hsm;
		r.n = counts[k];
		keyset_prepare(&r);
		in_child(keyset_setup_child, &r);
		in_child(keyset_measure_child, &r);
		remove_env();
	}
	OPENSSL_cleanse(&r, sizeof r);
}

static void slots_setup_child(void *arg)
{
	unsigned n = *(unsigned *)arg, i;

	if (load() != 0)
		die("SoftHSM2 set-up");
	for (i = 0; i < n; i++)
		if (provision(mem_labels[i], i % 2 ? "bob" : "alice") != 0)
			die("provisioning");
	unload();
}

static void slots_measure_child(void *arg)
{
	unsigned n = *(unsigned *)arg, i;
	struct ms_ctx **ctx = calloc(n, sizeof *ctx);
	long base, after;

	if (ctx == NULL)
		die("allocation");
	base = vm_kib("VmRSS:");
	for (i = 0; i < n; i++)
		if (ms_ctx_open(&ctx[i], module, mem_labels[i], PIN) != MS_OK)
			die("ms_ctx_open");
	after = vm_kib("VmRSS:");
	if (opt.json)
		printf("{\"memory\": \"module-rss-users\", \"users\": %u, \"kib\": %ld}\n", n, after - base);
	else
		printf("module resident memory with %3u provisioned users logged in: %ld KiB\n", n,
		       after - base);
	for (i = 0; i < n; i++)
		ms_ctx_close(ctx[i]);
	free(ctx);
}

/* Per count, each step in a child of its own (in_child): n slots (one
 * provisioned user each) set up, then the resident size before the module
 * is loaded by libmikeysakke and after the n slots were opened and logged
 * in (their records unsealed); then the same for n users' key sets in one
 * slot. */
void bench_p11_memory(void)
{
	static const unsigned counts[] = { 1, 10, 100 };
	const char *hsm;
	unsigned k;

	if (hsm_and_module(&hsm) != 0) {
		fprintf(stderr, "mstoken-bench: module or SoftHSM2 not found: no module memory figures\n");
		return;
	}
	for (k = 0; k < 3; k++) {
		unsigned n = counts[k], i;

		if (n > MST_CONFIG_MAX_SLOTS) {
			if (opt.json)
				printf("{\"memory\": \"module-rss-users\", \"users\": %u, \"kib\": null, "
				       "\"missing\": \"module limit: %d slots; see module-rss-keysets\"}\n", n,
				       MST_CONFIG_MAX_SLOTS);
			else
				printf("module resident memory with %3u provisioned users: - (module limit: %d slots; "
				       "see the key sets below)\n", n, MST_CONFIG_MAX_SLOTS);
			continue;
		}
		for (i = 0; i < n; i++)
			snprintf(mem_labels[i], sizeof mem_labels[i], "u%03u", i);
		if (make_env(hsm, n, mem_label) != 0)
			die("SoftHSM2 set-up");
		in_child(slots_setup_child, &n);
		in_child(slots_measure_child, &n);
		remove_env();
	}
	bench_keyset_memory(hsm);
}
