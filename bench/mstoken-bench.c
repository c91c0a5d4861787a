/* bench/mstoken-bench.c - speed of the token's identity operations next to
 * OpenSSL's ECDSA P-256 in the same process (installed; see README
 * "Performance").
 *
 * Every figure is the median, over many runs after a warm-up, of the CPU
 * time (CLOCK_PROCESS_CPUTIME_ID) of one call; fast operations are timed
 * in batches so that the clock's resolution does not matter.  Ratios are
 * to ECDSA P-256 sign (verify rows: to ECDSA P-256 verify) measured in the
 * same run, so that load on a shared machine cancels out as far as it can.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "token/eccsi.h"
#include "token/hex.h"
#include "token/mikey_prf.h"
#include "token/sakke.h"
#include "token/sakke_lines.h"

#include "bench/bench.h"

struct bench_opts opt;
static double yard_sign, yard_verify;   /* medians of the yardsticks */

void die(const char *what)
{
	fprintf(stderr, "mstoken-bench: %s failed\n", what);
	exit(1);
}

int bench_wall_clock;

double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(bench_wall_clock ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The yardstick: ECDSA P-256 sign or verify (set up by bench_ecdsa). */
op_fn yard_sign_fn, yard_verify_fn;
void *yard_arg;

double sample(op_fn fn, void *arg, int batch)
{
	double t0 = cpu_us();
	int j;

	for (j = 0; j < batch; j++)
		fn(arg);
	return (cpu_us() - t0) / batch;
}

/* Median CPU microseconds per call of fn: `warm` untimed calls, then
 * `runs` samples of `batch` calls each.  After every sample, a sample of
 * the reference `ref` (if not NULL: the same operation without the layer
 * under test, `batch` calls on ref_arg) and one of the yardstick `yard`
 * (if not NULL, of about the same duration): on a machine shared with
 * other jobs all of them then see the same load, and their ratios are
 * steadier than any figure alone. */
struct figure measure_ref(op_fn fn, void *arg, op_fn ref, void *ref_arg, int runs, int batch,
			  int warm, op_fn yard)
{
	double *s = calloc((size_t)runs, sizeof *s), *y = calloc((size_t)runs, sizeof *y);
	double *r = calloc((size_t)runs, sizeof *r);
	struct figure f = { 0, 0, 0 };
	int i, ybatch = 20;

	if (s == NULL || y == NULL || r == NULL)
		die("allocation");
	for (i = 0; i < warm; i++) {
		fn(arg);
		if (ref)
			ref(ref_arg);
	}
	for (i = 0; i < runs; i++) {
		/* in turns which of the two goes first, so that neither
		 * always finds the caches as the other left them */
		if (ref && i % 2)
			r[i] = sample(ref, ref_arg, batch);
		s[i] = sample(fn, arg, batch);
		if (ref && !(i % 2))
			r[i] = sample(ref, ref_arg, batch);
		if (yard) {
			y[i] = sample(yard, yard_arg, ybatch);
			/* about as long as the operation's sample, 20..400 calls */
			ybatch = (int)(s[i] * batch / (y[i] > 0 ? y[i] : 1));
			ybatch = ybatch < 20 ? 20 : ybatch > 400 ? 400 : ybatch;
		}
	}
	f.us = median(s, runs);
	if (ref)
		f.ref_us = median(r, runs);
	if (yard)
		f.yard_us = median(y, runs);
	free(s);
	free(y);
	free(r);
	return f;
}

struct figure measure(op_fn fn, void *arg, int runs, int batch, int warm, op_fn yard)
{
	return measure_ref(fn, arg, NULL, NULL, runs, batch, warm, yard);
}

/* runs scaled down by --quick */
int R(int n)
{
	return opt.quick ? (n + 4) / 5 : n;
}

void report(const char *name, double us, double base)
{
	if (base <= 0)
		die("yardstick");
	if (opt.json)
		printf("{\"op\": \"%s\", \"median_us\": %.2f, \"ratio\": %.3f}\n", name, us, us / base);
	else
		printf("%-24s %12.2f %10.2f\n", name, us, us / base);
	fflush(stdout);
}

/* a row measured against its reference as well: the last column is
 * us / ref_us, the layer's cost (1.05: 5 % over the reference) */
void report_ref(const char *name, const struct figure *f, const char *ref_name)
{
	if (f->yard_us <= 0 || f->ref_us <= 0)
		die("yardstick");
	if (opt.json)
		printf("{\"op\": \"%s\", \"median_us\": %.2f, \"ratio\": %.3f, \"ref_us\": %.2f, "
		       "\"ratio_to_ref\": %.3f}\n", name, f->us, f->us / f->yard_us, f->ref_us,
		       f->us / f->ref_us);
	else
		printf("%-24s %12.2f %10.2f   %.3f x %s (%.2f us)\n", name, f->us, f->us / f->yard_us,
		       f->us / f->ref_us, ref_name, f->ref_us);
	fflush(stdout);
}

void report_missing(const char *name, const char *why)
{
	if (opt.json)
		printf("{\"op\": \"%s\", \"median_us\": null, \"ratio\": null, \"missing\": \"%s\"}\n",
		       name, why);
	else
		printf("%-24s %12s %10s   (%s)\n", name, "-", "-", why);
	fflush(stdout);
}

/* ---- ECDSA P-256 through EVP: the yardstick ---- */

struct ecdsa_ctx {
	EVP_PKEY *key;
	uint8_t msg[64];
	uint8_t sig[80];
	size_t sig_len;
};

static void ecdsa_sign_once(void *arg)
{
	struct ecdsa_ctx *c = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t len = sizeof c->sig;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, c->key) != 1 ||
	    EVP_DigestSign(md, c->sig, &len, c->msg, sizeof c->msg) != 1)
		die("ECDSA sign");
	c->sig_len = len;
	EVP_MD_CTX_free(md);
}

static void ecdsa_verify_once(void *arg)
{
	struct ecdsa_ctx *c = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, c->key) != 1 ||
	    EVP_DigestVerify(md, c->sig, c->sig_len, c->msg, sizeof c->msg) != 1)
		die("ECDSA verify");
	EVP_MD_CTX_free(md);
}

static struct ecdsa_ctx ecdsa;

static void bench_ecdsa(void)
{
	ecdsa.key = EVP_EC_gen("P-256");
	if (ecdsa.key == NULL)
		die("ECDSA key generation");
	RAND_bytes(ecdsa.msg, sizeof ecdsa.msg);
	yard_sign_fn = ecdsa_sign_once;
	yard_verify_fn = ecdsa_verify_once;
	yard_arg = &ecdsa;
	ecdsa_sign_once(&ecdsa);
	yard_sign = measure(ecdsa_sign_once, &ecdsa, R(101), 20, 200, NULL).us;
	report("ecdsa-p256-sign", yard_sign, yard_sign);
	yard_verify = measure(ecdsa_verify_once, &ecdsa, R(101), 20, 100, NULL).us;
	report("ecdsa-p256-verify", yard_verify, yard_verify);
}

/* a row: the operation against the sign (or verify) yardstick sampled
 * alongside it */
void row(const char *name, op_fn fn, void *arg, int runs, int batch, int warm, int verify)
{
	struct figure f = measure(fn, arg, runs, batch, warm, verify ? yard_verify_fn : yard_sign_fn);

	report(name, f.us, f.yard_us);
}

/* ---- ECCSI ---- */

struct eccsi_ctx {
	uint8_t kpak[ECCSI_POINT_LEN];
	uint8_t id[64];
	size_t id_len;
	eccsi_signer *signer;
	uint8_t msg[64];
	uint8_t sig[ECCSI_SIG_LEN];
};

static void eccsi_sign_once(void *arg)
{
	struct eccsi_ctx *c = arg;

	if (eccsi_sign(c->signer, c->msg, sizeof c->msg, c->sig) != MST_OK)
		die("eccsi_sign");
}

static void eccsi_verify_once(void *arg)
{
	struct eccsi_ctx *c = arg;

	if (eccsi_verify(c->kpak, c->id, c->id_len, c->msg, sizeof c->msg, c->sig) != MST_OK)
		die("eccsi_verify");
}

static void bench_eccsi(void)
{
	static const char id[] = "2011-02\0tel:+447700900123";
	uint8_t ksak[ECCSI_N], ssk[ECCSI_N], pvt[ECCSI_POINT_LEN];
	struct eccsi_ctx c;

	memcpy(c.id, id, sizeof id);
	c.id_len = sizeof id;
	RAND_bytes(c.msg, sizeof c.msg);
	if (eccsi_kms_keygen(ksak, c.kpak) != MST_OK ||
	    eccsi_issue(ksak, c.kpak, c.id, c.id_len, ssk, pvt) != MST_OK ||
	    eccsi_signer_new(c.kpak, c.id, c.id_len, ssk, pvt, &c.signer) != MST_OK)
		die("ECCSI setup");
	row("eccsi-sign", eccsi_sign_once, &c, R(101), 10, 50, 0);
	row("eccsi-verify", eccsi_verify_once, &c, R(101), 10, 50, 1);
	eccsi_signer_free(c.signer);
	OPENSSL_cleanse(ksak, sizeof ksak);
	OPENSSL_cleanse(ssk, sizeof ssk);
}

/* ---- SAKKE ---- */

struct sakke_ctx {
	uint8_t z[SAKKE_SCALAR_LEN];
	uint8_t z_pub[SAKKE_POINT_LEN];
	uint8_t id[64];
	size_t id_len;
	uint8_t rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN];
	uint8_t encap[SAKKE_ENCAP_LEN];
	unsigned counter;
};

/* a new identifier each call: "2026-12\0tel:+4477009NNNNNN" */
static void next_id(struct sakke_ctx *c)
{
	c->id_len = (size_t)snprintf((char *)c->id, sizeof c->id, "2026-12%ctel:+44770%07u", 0,
				     c->counter++) + 1;
}

static void encap_new_once(void *arg)
{
	struct sakke_ctx *c = arg;

	next_id(c);
	if (sakke_encapsulate(c->z_pub, c->id, c->id_len, c->ssv, c->encap) != MST_OK)
		die("sakke_encapsulate");
}

static void encap_same_once(void *arg)
{
	struct sakke_ctx *c = arg;

	if (sakke_encapsulate(c->z_pub, c->id, c->id_len, c->ssv, c->encap) != MST_OK)
		die("sakke_encapsulate");
}

static void decap_once(void *arg)
{
	struct sakke_ctx *c = arg;
	uint8_t out[SAKKE_SSV_LEN];

	if (sakke_decapsulate(c->z_pub, c->id, c->id_len, c->rsk, c->encap, out) != MST_OK ||
	    memcmp(out, c->ssv, sizeof out) != 0)
		die("sakke_decapsulate");
}

/* first use of a key in a running process: the key's tables dropped */
static void decap_first_once(void *arg)
{
	sakke_lines_clear();
	decap_once(arg);
}

static void rsk_validate_once(void *arg)
{
	struct sakke_ctx *c = arg;

	if (sakke_rsk_validate(c->z_pub, c->id, c->id_len, c->rsk) != MST_OK)
		die("sakke_rsk_validate");
}

static void sakke_setup(struct sakke_ctx *c)
{
	memset(c, 0, sizeof *c);
	next_id(c);
	if (sakke_kms_keygen(c->z, c->z_pub) != MST_OK ||
	    sakke_rsk_issue(c->z, sizeof c->z, c->id, c->id_len, c->rsk) != MST_OK ||
	    sakke_random_ssv(c->ssv) != MST_OK ||
	    sakke_encapsulate(c->z_pub, c->id, c->id_len, c->ssv, c->encap) != MST_OK)
		die("SAKKE setup");
}

/* The child of a cold run reads Z, id, RSK, encap and SSV as hex lines on
 * stdin (never argv: the RSK is secret), decapsulates once and prints the
 * CPU microseconds of that call, which include every table a process
 * builds on its first decapsulation. */
static int cold_child(void)
{
	struct sakke_ctx c;
	char line[2 * SAKKE_ENCAP_LEN + 8];
	uint8_t *dst[5];
	size_t cap[5], got;
	double t0;
	int i;

	memset(&c, 0, sizeof c);
	dst[0] = c.z_pub; cap[0] = sizeof c.z_pub;
	dst[1] = c.id; cap[1] = sizeof c.id;
	dst[2] = c.rsk; cap[2] = sizeof c.rsk;
	dst[3] = c.encap; cap[3] = sizeof c.encap;
	dst[4] = c.ssv; cap[4] = sizeof c.ssv;
	for (i = 0; i < 5; i++) {
		if (fgets(line, sizeof line, stdin) == NULL)
			die("cold child input");
		line[strcspn(line, "\n")] = '\0';
		if (hex_decode(line, strlen(line), dst[i], cap[i], &got) != MST_OK)
			die("cold child hex");
		if (i == 1)
			c.id_len = got;
	}
	t0 = cpu_us();
	decap_once(&c);
	printf("%.2f\n", cpu_us() - t0);
	OPENSSL_cleanse(line, sizeof line);
	OPENSSL_cleanse(c.rsk, sizeof c.rsk);
	return 0;
}

static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

/* one cold run: fork + exec of this program with --cold-child */
static double cold_run(const char *self, const struct sakke_ctx *c)
{
	int in[2], out[2], status;
	char buf[64];
	ssize_t n;
	pid_t pid;
	FILE *f;

	if (pipe(in) != 0 || pipe(out) != 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execl(self, self, "--cold-child", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f = fdopen(in[1], "w");
	if (f == NULL)
		die("fdopen");
	put_hex(f, c->z_pub, sizeof c->z_pub);
	put_hex(f, c->id, c->id_len);
	put_hex(f, c->rsk, sizeof c->rsk);
	put_hex(f, c->encap, sizeof c->encap);
	put_hex(f, c->ssv, sizeof c->ssv);
	fclose(f);
	n = read(out[0], buf, sizeof buf - 1);
	close(out[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || n <= 0)
		die("cold child");
	buf[n] = '\0';
	return strtod(buf, NULL);
}

static void bench_sakke(const char *self)
{
	struct sakke_ctx c;
	double cold[15], ycold[15];
	int i, nc = opt.quick ? 5 : 15;

	sakke_setup(&c);
	row("sakke-encap-new-id", encap_new_once, &c, R(41), 1, 5, 0);
	sakke_setup(&c);
	row("sakke-encap-same-id", encap_same_once, &c, R(41), 1, 5, 0);
	row("sakke-decap-steady", decap_once, &c, R(41), 1, 5, 0);
	row("sakke-decap-first", decap_first_once, &c, R(21), 1, 2, 0);
	for (i = 0; i < nc; i++) {
		cold[i] = cold_run(self, &c);
		ycold[i] = sample(yard_sign_fn, yard_arg, 200);
	}
	report("sakke-decap-cold", median(cold, nc), median(ycold, nc));
	row("rsk-validate", rsk_validate_once, &c, R(21), 1, 2, 0);
	OPENSSL_cleanse(&c, sizeof c);
}

/* ---- MIKEY PRF: an SRTP master key from an SSV (RFC 3830 4.1.3) ---- */

static void prf_once(void *arg)
{
	uint8_t *ssv = arg, key[16], rnd[16] = { 0 };

	if (mikey_derive(MIKEY_PRF_HMAC_SHA256, ssv, SAKKE_SSV_LEN, MIKEY_KEY_TEK, 0, 1,
			 rnd, sizeof rnd, key, sizeof key) != MST_OK)
		die("mikey_derive");
}

static void bench_prf(void)
{
	uint8_t ssv[SAKKE_SSV_LEN];

	RAND_bytes(ssv, sizeof ssv);
	row("mikey-prf", prf_once, ssv, R(101), 50, 100, 0);
}

/* ---- --memory ---- */

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void bench_memory(void)
{
	struct rlimit rl;
	struct sakke_ctx c;
	long before, after;

	/* a key's table is built at its second decapsulation */
	sakke_setup(&c);
	decap_once(&c);
	decap_once(&c);
	sakke_lines_clear();
	decap_once(&c);
	before = rss_kib();
	decap_once(&c);
	after = rss_kib();
	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		die("getrlimit");
	if (opt.json) {
		printf("{\"memory\": \"locked-per-unsealed-key\", \"bytes\": %zu}\n", sakke_lines_bytes());
		printf("{\"memory\": \"rss-growth-table-build\", \"kib\": %ld}\n", after - before);
		printf("{\"memory\": \"rlimit-memlock\", \"bytes\": %lld}\n",
		       rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur);
	} else {
		printf("locked memory per unsealed key (pairing lines): %zu bytes\n", sakke_lines_bytes());
		printf("resident growth when a key's table is built: %ld KiB\n", after - before);
		if (rl.rlim_cur == RLIM_INFINITY)
			printf("RLIMIT_MEMLOCK: unlimited\n");
		else
			printf("RLIMIT_MEMLOCK: %llu bytes (%s for %u cached keys)\n",
			       (unsigned long long)rl.rlim_cur,
			       rl.rlim_cur >= SAKKE_LINES_SLOTS * (sakke_lines_bytes() + 65536) ? "enough" : "too low",
			       SAKKE_LINES_SLOTS);
	}
	OPENSSL_cleanse(&c, sizeof c);
	if (!opt.no_p11)
		bench_p11_memory();
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mstoken-bench [--json] [--quick] [--memory] [--no-p11]\n"
		"  --json    one JSON object per line: {\"op\", \"median_us\", \"ratio\"}\n"
		"  --quick   fewer runs (a few seconds)\n"
		"  --memory  locked memory per unsealed key, the module's resident memory\n"
		"  --no-p11  only the core rows (no SoftHSM2 / module set-up)\n"
		"environment: MSTOKEN_MODULE (default %s),\n"
		"  MSTOKEN_BENCH_HSM_MODULE (default %s),\n"
		"  MSTOKEN_BENCH_CPU_GROUP=1: group-create-N in CPU time, not wall-clock time\n",
		MST_BENCH_MODULE, MST_DEFAULT_HSM_MODULE);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			opt.json = 1;
		} else if (strcmp(argv[i], "--quick") == 0) {
			opt.quick = 1;
		} else if (strcmp(argv[i], "--memory") == 0) {
			opt.memory = 1;
		} else if (strcmp(argv[i], "--no-p11") == 0) {
			opt.no_p11 = 1;
		} else if (strcmp(argv[i], "--cold-child") == 0) {
			return cold_child();
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mstoken-bench: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (opt.memory) {
		bench_memory();
		return 0;
	}
	if (!opt.json)
		printf("%-24s %12s %10s\n", "operation", "median us", "ratio");
	bench_ecdsa();
	bench_eccsi();
	bench_sakke("/proc/self/exe");
	bench_prf();
	if (!opt.no_p11)
		bench_p11();
	return 0;
}
