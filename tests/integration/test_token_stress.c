/* tests/integration/test_token_stress.c - many threads, fork, and an
 * edited sealed record. */
#include <config.h>
#include "test_token.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backing_pin.h"
#include "token/eccsi.h"

#define N_THREADS 8
#define N_SIGS 1000

struct signer_job {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	int index, count;
	int failures;
	pthread_barrier_t *signed_all;
};

static uint8_t sigs[N_THREADS][N_SIGS][129];

static void job_message(const struct signer_job *job, int i, uint8_t msg[16])
{
	memset(msg, 0, 16);
	snprintf((char *)msg, 16, "t%d m%d", job->index, i);
}

static void sign_part(struct signer_job *job)
{
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	uint8_t msg[16];
	int i;

	for (i = 0; i < job->count; i++) {
		CK_ULONG len = 129;

		job_message(job, i, msg);
		if (p11->C_SignInit(job->s, &m, job->key) != CKR_OK ||
		    p11->C_Sign(job->s, msg, sizeof(msg), sigs[job->index][i], &len) != CKR_OK ||
		    len != 129)
			job->failures++;
	}
}

/* Every signature is checked by the RFC 6507 verifier of libmstcore. */
static void verify_part(struct signer_job *job)
{
	const struct interop_key_set *a = sw_user("alice");
	uint8_t msg[16];
	int i;

	for (i = 0; i < job->count; i++) {
		job_message(job, i, msg);
		if (eccsi_verify(a->kpak, a->uid, 32, msg, sizeof(msg), sigs[job->index][i]) != MST_OK)
			job->failures++;
	}
}

static void *sign_many(void *arg)
{
	struct signer_job *job = arg;

	sign_part(job);
	pthread_barrier_wait(job->signed_all);
	verify_part(job);
	return NULL;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void job_init(struct signer_job *job, int index, int count, pthread_barrier_t *b)
{
	job->s = tok_session("alice", 1);
	job->key = tok_user_key(job->s, sw_user("alice")->uid, 32, 1);
	job->index = index;
	job->count = count;
	job->failures = 0;
	job->signed_all = b;
}

/* 8 sessions sign 1000 messages each at once; the rate is compared with
 * one thread's (the module lock is not held during the EC maths). */
void test_threads_sign(void **state)
{
	struct signer_job jobs[N_THREADS], one;
	/* MSTOKEN_STRESS_SIGS: fewer per thread under valgrind (.ci/hardening) */
	const char *env = getenv("MSTOKEN_STRESS_SIGS");
	int n_sigs = env && atoi(env) > 0 && atoi(env) <= N_SIGS ? atoi(env) : N_SIGS;
	pthread_barrier_t signed_all;
	pthread_t th[N_THREADS];
	struct timespec t0;
	double one_secs, all_secs;
	int i;

	(void)state;
	job_init(&one, 0, n_sigs / 4 > 0 ? n_sigs / 4 : 1, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sign_part(&one);
	one_secs = seconds_since(&t0);
	verify_part(&one);
	assert_int_equal(one.failures, 0);
	assert_int_equal(p11->C_CloseSession(one.s), CKR_OK);

	assert_int_equal(pthread_barrier_init(&signed_all, NULL, N_THREADS + 1), 0);
	for (i = 0; i < N_THREADS; i++)
		job_init(&jobs[i], i, n_sigs, &signed_all);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sign_many, &jobs[i]), 0);
	pthread_barrier_wait(&signed_all);
	all_secs = seconds_since(&t0);
	for (i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&signed_all);
	print_message("signing: 1 thread %.0f/s, %d threads %.0f/s (%d signatures, all verified)\n",
		      (n_sigs / 4 > 0 ? n_sigs / 4 : 1) / one_secs, N_THREADS, N_THREADS * n_sigs / all_secs,
		      N_THREADS * n_sigs);
	for (i = 0; i < N_THREADS; i++) {
		assert_int_equal(jobs[i].failures, 0);
		assert_int_equal(p11->C_CloseSession(jobs[i].s), CKR_OK);
	}
}

/* What the child does; its exit status says which step failed. */
static int child_steps(void)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, len = 129;
	CK_SESSION_HANDLE s;
	uint8_t sig[129];
	uint8_t id[33];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, id, 33 } };
	CK_OBJECT_HANDLE key;

	if (p11->C_GetSlotList(CK_FALSE, slots, &n) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 1;
	if (p11->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_CRYPTOKI_NOT_INITIALIZED)
		return 2;
	if (p11->C_Finalize(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 3;
	if (p11->C_Initialize(NULL) != CKR_OK)
		return 4;
	if (p11->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK || n != 2)
		return 5;
	if (p11->C_OpenSession(tok_slot("alice"), CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK ||
	    p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4) != CKR_OK)
		return 6;
	memcpy(id, a->uid, 32);
	id[32] = 1;
	if (p11->C_FindObjectsInit(s, t, 2) != CKR_OK || p11->C_FindObjects(s, &key, 1, &n) != CKR_OK ||
	    n != 1 || p11->C_FindObjectsFinal(s) != CKR_OK)
		return 7;
	if (p11->C_SignInit(s, &m, key) != CKR_OK ||
	    p11->C_Sign(s, BYTES("child"), 5, sig, &len) != CKR_OK ||
	    eccsi_verify(a->kpak, a->uid, 32, (const uint8_t *)"child", 5, sig) != MST_OK)
		return 8;
	return p11->C_Finalize(NULL) == CKR_OK ? 0 : 9;
}

void test_fork_child(void **state)
{
	const struct interop_key_set *a = sw_user("alice");
	CK_SESSION_HANDLE s = tok_session("alice", 1);
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	uint8_t sig[129];
	CK_ULONG len = 129;
	int status = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_steps());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent's state was not touched */
	assert_int_equal(p11->C_SignInit(s, &m, tok_user_key(s, a->uid, 32, 1)), CKR_OK);
	assert_int_equal(p11->C_Sign(s, BYTES("parent"), 6, sig, &len), CKR_OK);
	assert_int_equal(eccsi_verify(a->kpak, a->uid, 32, (const uint8_t *)"parent", 6, sig), MST_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* ---- the backing SoftHSM2 token, opened directly ---------------------- */

#define MAX_RECS 256
#define DEV43 "kms.dev43.streamwide.com"

struct backing {
	char pin[80];           /* the backing token's user PIN */
	void *lib;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	int finalize;
};

static void backing_open(struct backing *b, const char *token_label)
{
	const char *path = getenv("SOFTHSM2_MODULE");
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32, i;
	CK_RV rv;

	assert_non_null(path);
	assert_int_equal(backing_user_pin(path, token_label, USER_PIN, b->pin, sizeof b->pin), 0);
	b->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(b->lib);
	get = (CK_C_GetFunctionList)dlsym(b->lib, "C_GetFunctionList");
	assert_non_null(get);
	assert_int_equal(get(&b->f), CKR_OK);
	rv = b->f->C_Initialize(NULL);
	assert_true(rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED);
	b->finalize = rv == CKR_OK;
	assert_int_equal(b->f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		assert_int_equal(b->f->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if (memcmp(ti.label, token_label, strlen(token_label)) == 0 &&
		    ti.label[strlen(token_label)] == ' ')
			break;
	}
	assert_true(i < n);
	assert_int_equal(b->f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
					     NULL, &b->s), CKR_OK);
	rv = b->f->C_Login(b->s, CKU_USER, PIN(b->pin), strlen(b->pin));
	assert_true(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
}

static void backing_close(struct backing *b)
{
	assert_int_equal(b->f->C_CloseSession(b->s), CKR_OK);
	if (b->finalize)
		assert_int_equal(b->f->C_Finalize(NULL), CKR_OK);
	dlclose(b->lib);
}

/* Names (CKA_LABEL) and handles of the mstoken records. */
static size_t backing_records(struct backing *b, char names[][72], CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) },
			     { CKA_APPLICATION, (void *)(uintptr_t)"mstoken", 7 } };
	CK_ULONG n = 0, i;

	assert_int_equal(b->f->C_FindObjectsInit(b->s, t, 2), CKR_OK);
	assert_int_equal(b->f->C_FindObjects(b->s, h, MAX_RECS, &n), CKR_OK);
	assert_int_equal(b->f->C_FindObjectsFinal(b->s), CKR_OK);
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a = { CKA_LABEL, names[i], 71 };

		assert_int_equal(b->f->C_GetAttributeValue(b->s, h[i], &a, 1), CKR_OK);
		names[i][a.ulValueLen] = '\0';
	}
	return n;
}

static int listed(char names[][72], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* The keystore's objects are not modifiable: whoever edits one (here,
 * with the PIN of the backing token) destroys it and writes it anew. */
static void replace_record(struct backing *b, CK_OBJECT_HANDLE h, const char *name,
			   uint8_t *val, CK_ULONG len)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL priv = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE p = { CKA_PRIVATE, &priv, sizeof(priv) };
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &priv, sizeof(priv) },
		{ CKA_APPLICATION, (void *)(uintptr_t)"mstoken", 7 },
		{ CKA_LABEL, (void *)(uintptr_t)name, strlen(name) },
		{ CKA_VALUE, val, len },
	};
	CK_OBJECT_HANDLE nh;

	assert_int_equal(b->f->C_GetAttributeValue(b->s, h, &p, 1), CKR_OK);
	assert_int_equal(b->f->C_DestroyObject(b->s, h), CKR_OK);
	assert_int_equal(b->f->C_CreateObject(b->s, t, 6, &nh), CKR_OK);
}

/* A public record object `name`, beside whatever is there. */
static void create_public_record(struct backing *b, const char *name, uint8_t *val, CK_ULONG len)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_APPLICATION, (void *)(uintptr_t)"mstoken", 7 },
		{ CKA_LABEL, (void *)(uintptr_t)name, strlen(name) },
		{ CKA_VALUE, val, len },
	};
	CK_OBJECT_HANDLE nh;

	assert_int_equal(b->f->C_CreateObject(b->s, t, 6, &nh), CKR_OK);
}

/* Flip one octet of every key value record (".v") and SO endorsement
 * (".e") that appeared since "before". */
static int tamper_new_values(char before[][72], size_t n_before)
{
	static char names[MAX_RECS][72];
	CK_OBJECT_HANDLE h[MAX_RECS];
	struct backing b;
	size_t n, i, edited = 0;

	if (tok_backend_is_tpm())
		return tpm_store_tamper_new_values("bob", before, n_before);
	backing_open(&b, "bob-store");
	n = backing_records(&b, names, h);
	for (i = 0; i < n; i++) {
		uint8_t val[4096];
		CK_ATTRIBUTE a = { CKA_VALUE, val, sizeof(val) };
		size_t l = strlen(names[i]);

		if (listed(before, n_before, names[i]) || l < 2 ||
		    (strcmp(names[i] + l - 2, ".v") != 0 && strcmp(names[i] + l - 2, ".e") != 0))
			continue;
		assert_int_equal(b.f->C_GetAttributeValue(b.s, h[i], &a, 1), CKR_OK);
		val[a.ulValueLen - 5] ^= 0x01;
		replace_record(&b, h[i], names[i], val, a.ulValueLen);
		edited++;
	}
	backing_close(&b);
	return (int)edited;
}

void test_tampered_record(void **state)
{
	static char before[MAX_RECS][72];
	const struct interop_key_set *a = sw_user("alice"), *bob = sw_user("bob");
	CK_OBJECT_HANDLE h[MAX_RECS];
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_MECHANISM um = { CKM_MSTOKEN_SAKKE, NULL, 0 };
	CK_OBJECT_HANDLE ssv;
	CK_SESSION_HANDLE s;
	struct backing b;
	uint8_t sig[129], encap[273];
	CK_ULONG len = 129, n_before, elen = 273;
	char *xml;

	(void)state;
	/* alice's key set goes into bob's token as well; note what it adds */
	tok_unload();
	if (tok_backend_is_tpm()) {
		n_before = tpm_store_records("bob", before, MAX_RECS);
	} else {
		backing_open(&b, "bob-store");
		n_before = backing_records(&b, before, h);
		backing_close(&b);
	}
	tok_load();
	s = tok_session("bob", 1);
	xml = sw_keyset_xml("alice");
	assert_int_equal(tok_create_data(s, MSTOKEN_APP_KMS_KEYSET, xml, NULL), CKR_OK);
	free(xml);
	/* and a second community, whose Z_T's sealed copy will be edited */
	xml = xml_certificate(DEV43, bob->z, bob->kpak);
	assert_int_equal(tok_so_import(s, xml, NULL), CKR_OK);
	free(xml);
	/* an encapsulation to bob, for use after the edit */
	{
		CK_MSTOKEN_SAKKE_WRAP_PARAMS p = { (unsigned char *)(uintptr_t)bob->uid, 32 };
		CK_MECHANISM wm = { CKM_MSTOKEN_SAKKE, &p, sizeof(p) };
		CK_OBJECT_HANDLE k = tok_secret(s, (const uint8_t *)"0123456789abcdef", 16);

		assert_int_equal(p11->C_WrapKey(s, &wm, tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI),
						k, encap, &elen), CKR_OK);
	}
	tok_unload();
	/* alice's SSK and RSK, the second community's KPAK and Z_T endorsements */
	assert_int_equal(tamper_new_values(before, n_before), 4);
	tok_load();

	s = tok_session("bob", 1);
	/* the edited keys are still listed, and refuse to work */
	assert_int_equal(p11->C_SignInit(s, &m, tok_user_key(s, a->uid, 32, 1)), CKR_DEVICE_ERROR);
	assert_int_equal(p11->C_UnwrapKey(s, &um, tok_user_key(s, a->uid, 32, 2),
					  (CK_BYTE_PTR)encap, 273, NULL, 0, &ssv), CKR_DEVICE_ERROR);
	/* bob's keys in the same token work */
	assert_int_equal(p11->C_SignInit(s, &m, tok_user_key(s, bob->uid, 32, 1)), CKR_OK);
	assert_int_equal(p11->C_Sign(s, BYTES("bob"), 3, sig, &len), CKR_OK);
	assert_int_equal(eccsi_verify(bob->kpak, bob->uid, 32, (const uint8_t *)"bob", 3, sig), MST_OK);
	assert_int_equal(p11->C_UnwrapKey(s, &um, tok_user_key(s, bob->uid, 32, 2),
					  (CK_BYTE_PTR)encap, 273, NULL, 0, &ssv), CKR_OK);
	/* a Z_T whose endorsement was edited is no longer trusted: the SSV,
	 * unextractable and wrap-with-trusted, cannot be encapsulated to it */
	{
		CK_MSTOKEN_SAKKE_WRAP_PARAMS p = { (unsigned char *)(uintptr_t)bob->uid, 32 };
		CK_MECHANISM wm = { CKM_MSTOKEN_SAKKE, &p, sizeof(p) };

		elen = sizeof(encap);
		assert_int_equal(p11->C_WrapKey(s, &wm, tok_community(s, CKK_MSTOKEN_SAKKE, DEV43),
						ssv, encap, &elen), CKR_KEY_NOT_WRAPPABLE);
		assert_int_equal(p11->C_WrapKey(s, &wm, tok_community(s, CKK_MSTOKEN_SAKKE,
								      SW_KMS_URI),
						ssv, encap, &elen), CKR_OK);
	}
	/* nor is its KPAK, for verification */
	{
		CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = { (unsigned char *)(uintptr_t)bob->uid, 32 };
		CK_MECHANISM vm = { CKM_MSTOKEN_ECCSI, &vp, sizeof(vp) };

		assert_int_equal(p11->C_VerifyInit(s, &vm, tok_community(s, CKK_MSTOKEN_ECCSI, DEV43)),
				 CKR_DEVICE_ERROR);
		assert_int_equal(p11->C_VerifyInit(s, &vm, tok_community(s, CKK_MSTOKEN_ECCSI,
									 SW_KMS_URI)), CKR_OK);
		assert_int_equal(p11->C_Verify(s, BYTES("bob"), 3, sig, 129), CKR_OK);
	}
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
}

/* ---- forged public records under private records' names (issue 11) ---- */

#define FORGED_GEN 1000000u   /* far above any generation a put made */

/* objcodec ".a" body of a token secret key that claims to be public, not
 * sensitive and extractable: what an attacker would plant under a private
 * key's name, hoping the sealed value gets attached to it. */
static size_t forged_attrs(uint8_t *out, size_t cap)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_ULONG vlen = 32;
	const struct { CK_ATTRIBUTE_TYPE t; const void *v; size_t l; } a[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) }, { CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_SENSITIVE, &no, sizeof(no) }, { CKA_EXTRACTABLE, &yes, sizeof(yes) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) }, { CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		{ CKA_SIGN, &yes, sizeof(yes) }, { CKA_LABEL, "forged", 6 },
	};
	size_t n = sizeof(a) / sizeof(a[0]), i, pos = 17;
	uint64_t cls = CKO_SECRET_KEY;

	memcpy(out, "MSTO\x01", 5);
	for (i = 0; i < 8; i++)
		out[5 + i] = (uint8_t)(cls >> (56 - 8 * i));
	out[13] = out[14] = out[15] = 0;
	out[16] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		assert_true(pos + 8 + a[i].l <= cap);
		memset(out + pos, 0, 8);
		out[pos + 2] = (uint8_t)(a[i].t >> 8);
		out[pos + 3] = (uint8_t)a[i].t;
		out[pos + 7] = (uint8_t)a[i].l;
		memcpy(out + pos + 8, a[i].v, a[i].l);
		pos += 8 + a[i].l;
	}
	return pos;
}

/* Private mstoken records of bob's backing token (a user login sees them). */
static size_t backing_private(struct backing *b, char names[][72], uint64_t *gens)
{
	static char all[MAX_RECS][72];
	CK_OBJECT_HANDLE h[MAX_RECS];
	size_t n = backing_records(b, all, h), i, out = 0;

	for (i = 0; i < n; i++) {
		static uint8_t val[70000];
		CK_BBOOL priv = CK_FALSE;
		CK_ATTRIBUTE a[] = { { CKA_PRIVATE, &priv, sizeof(priv) }, { CKA_VALUE, val, sizeof(val) } };
		int j;

		assert_int_equal(b->f->C_GetAttributeValue(b->s, h[i], a, 2), CKR_OK);
		if (!priv)
			continue;
		strcpy(names[out], all[i]);
		gens[out] = 0;
		for (j = 0; j < 8; j++)
			gens[out] = gens[out] << 8 | val[5 + j];
		out++;
	}
	return out;
}

/* For every private record NAME ending in suffix, a PUBLIC record object
 * of that name with a far higher generation, made in a session without
 * any login (SoftHSM2 needs no PIN for public objects); the count. */
static size_t forge_backing(const char *suffix, uint32_t kind, const uint8_t *body, size_t blen)
{
	static char names[MAX_RECS][72];
	static uint64_t gens[MAX_RECS];
	struct backing b;
	size_t n, i, made = 0, s = strlen(suffix);

	backing_open(&b, "bob-store");
	n = backing_private(&b, names, gens);
	assert_int_equal(b.f->C_Logout(b.s), CKR_OK);   /* the attacker has no PIN */
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		uint8_t val[4096];
		uint64_t gen = gens[i] + FORGED_GEN;
		int j;

		if (l < s || strcmp(names[i] + l - s, suffix) != 0)
			continue;
		val[0] = 1;
		for (j = 0; j < 4; j++)
			val[1 + j] = (uint8_t)(kind >> (24 - 8 * j));
		for (j = 0; j < 8; j++)
			val[5 + j] = (uint8_t)(gen >> (56 - 8 * j));
		memcpy(val + 13, body, blen);
		create_public_record(&b, names[i], val, 13 + blen);
		made++;
	}
	backing_close(&b);
	return made;
}

/* Destroy the forged copies again (public, generation >= FORGED_GEN). */
static void unforge_backing(void)
{
	static char names[MAX_RECS][72];
	CK_OBJECT_HANDLE h[MAX_RECS];
	struct backing b;
	size_t n, i;

	backing_open(&b, "bob-store");
	n = backing_records(&b, names, h);
	for (i = 0; i < n; i++) {
		static uint8_t val[70000];
		CK_BBOOL priv = CK_TRUE;
		CK_ATTRIBUTE a[] = { { CKA_PRIVATE, &priv, sizeof(priv) }, { CKA_VALUE, val, sizeof(val) } };

		assert_int_equal(b.f->C_GetAttributeValue(b.s, h[i], a, 2), CKR_OK);
		if (!priv && a[1].ulValueLen >= 13 && val[5] == 0 && val[6] == 0 &&
		    (val[10] << 16 | val[11] << 8 | val[12]) >= (int)FORGED_GEN)
			assert_int_equal(b.f->C_DestroyObject(b.s, h[i]), CKR_OK);
	}
	backing_close(&b);
}

static size_t backing_private_count(void)
{
	static char names[MAX_RECS][72];
	static uint64_t gens[MAX_RECS];
	struct backing b;
	size_t n;

	backing_open(&b, "bob-store");
	n = backing_private(&b, names, gens);
	backing_close(&b);
	return n;
}

/* No object the session can see gives an identity key's bytes. */
static void assert_no_identity_key_readable(CK_SESSION_HANDLE s)
{
	static const char *const users[] = { "alice", "bob" };
	CK_OBJECT_HANDLE h[256];
	CK_ULONG n = 0, i, u;

	assert_int_equal(p11->C_FindObjectsInit(s, NULL, 0), CKR_OK);
	assert_int_equal(p11->C_FindObjects(s, h, 256, &n), CKR_OK);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	for (i = 0; i < n; i++) {
		uint8_t buf[8192];
		CK_ULONG len = sizeof(buf);

		if (tok_value(s, h[i], buf, &len) != CKR_OK)
			continue;
		for (u = 0; u < 2; u++) {
			const struct interop_key_set *k = sw_user(users[u]);

			assert_null(memmem(buf, len, k->ssk, k->ssk_len));
			assert_null(memmem(buf, len, k->rsk, k->rsk_len));
		}
	}
}

/* Bob's token after a forgery: nothing secret readable before or after
 * login; C_SignInit with bob's SSK answers want (CKR_OK: and it signs
 * as before). */
static void check_bob_token(CK_RV want)
{
	const struct interop_key_set *bob = sw_user("bob");
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;
	uint8_t sig[129];
	CK_ULONG len = sizeof(sig);

	tok_load();
	s = tok_session("bob", 0);
	assert_no_identity_key_readable(s);
	assert_int_equal(p11->C_Login(s, CKU_USER, PIN(USER_PIN), 4), CKR_OK);
	assert_no_identity_key_readable(s);
	key = tok_user_key(s, bob->uid, 32, 1);
	if (want == CKR_OK || key != 0)
		assert_int_equal(p11->C_SignInit(s, &m, key), want);
	if (want == CKR_OK) {
		assert_int_equal(p11->C_Sign(s, BYTES("forged"), 6, sig, &len), CKR_OK);
		assert_int_equal(eccsi_verify(bob->kpak, bob->uid, 32, (const uint8_t *)"forged", 6,
					      sig), MST_OK);
	}
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	assert_int_equal(p11->C_CloseSession(s), CKR_OK);
	tok_unload();
}

/* Issue 11 item 1: anyone who may write public objects of the backing
 * store plants public records under private records' names. */
void test_forged_public_records(void **state)
{
	uint8_t attrs[512], junk[32];
	size_t alen = forged_attrs(attrs, sizeof(attrs)), before;

	(void)state;
	memset(junk, 0xa5, sizeof(junk));
	tok_unload();
	if (tok_backend_is_tpm()) {
		/* a file per name: the forged file replaces the sealed one, so
		 * the key is gone; but no forged object may carry its value,
		 * and a forged value is never used (nor freed as secure memory) */
		assert_true(tpm_store_forge_public("bob", ".a", 1, attrs, alen) > 0);
		check_bob_token(CKR_KEY_HANDLE_INVALID);
		tpm_store_restore("bob");
		assert_true(tpm_store_forge_public("bob", ".v", 2, junk, sizeof(junk)) > 0);
		check_bob_token(CKR_DEVICE_ERROR);
		tpm_store_restore("bob");
		check_bob_token(CKR_OK);
	} else {
		/* a public copy never outranks, replaces or deletes the private
		 * one: the keys keep working and stay secret */
		before = backing_private_count();
		assert_true(forge_backing(".a", 1, attrs, alen) > 0);
		check_bob_token(CKR_OK);
		assert_int_equal(backing_private_count(), before);
		unforge_backing();
		assert_true(forge_backing(".v", 2, junk, sizeof(junk)) > 0);
		check_bob_token(CKR_OK);
		assert_int_equal(backing_private_count(), before);
		unforge_backing();
	}
	tok_load();
}
