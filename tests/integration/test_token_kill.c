/* tests/integration/test_token_kill.c - SIGKILL at random points during an
 * import, a PIN change and a delete on the pkcs11 (SoftHSM2) backend, 200
 * times (MST_KILLS overrides): afterwards the token is in the old or the
 * new state, never corrupt.  The TPM backend has the same test at the
 * keystore level (test_keystore_tpm_kill.c); this one goes through the
 * module, as an application would.
 *
 * A child process loads the module, logs in and runs one operation; the
 * parent kills it at a random moment within the time the operation takes
 * (measured first on runs that are not killed), then loads the module
 * itself and classifies the token:
 *   - PIN: exactly one of the old and the new PIN logs in;
 *   - objects: the import creates alice's KmsKeySet document, SSK and RSK
 *     together; a delete (C_DestroyObject) removes one of them (RSK, then
 *     SSK, then the document): the objects present are exactly those of
 *     the old or of the new state, and a key present works (the SSK signs
 *     and the signature verifies, the RSK decapsulates an SSV wrapped to
 *     alice);
 *   - records in the backing token: no record twice, no value record
 *     without its attribute record (orphans).
 * Every third run kills a user PIN change (C_SetPIN, logged in): the
 * module keeps SoftHSM2's user PIN fixed (a random secret under ours) and
 * replaces only that public object, as it does records.  MST_KILL_PIN=0
 * kills imports and deletes only, with a PIN change left to finish every
 * tenth run.
 * Prints "N kills (import, PIN change, delete): A old state, B new state,
 * C corrupt (D orphan records)".
 * Run by token-kill.sh (private SoftHSM2, slot "alice"). */
#include "test_token.h"
#include "backing_pin.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILLS 200
#define PIN_A "1234"
#define PIN_B "5678"

enum op { OP_IMPORT, OP_DELETE, OP_SETPIN, N_OPS };
static const char *const op_names[N_OPS] = { "import", "delete", "PIN change" };

/* objects of alice's key set */
#define HAS_DOC 1
#define HAS_SSK 2
#define HAS_RSK 4
#define ALL (HAS_DOC | HAS_SSK | HAS_RSK)

struct state {
	int objs;            /* HAS_* present */
	const char *pin;     /* the user PIN */
};

/* The state an operation leads to. */
static struct state after(enum op op, const struct state *st)
{
	struct state n = *st;

	if (op == OP_SETPIN)
		n.pin = strcmp(st->pin, PIN_A) == 0 ? PIN_B : PIN_A;
	else if (op == OP_IMPORT)
		n.objs = ALL;
	else
		n.objs &= st->objs & HAS_RSK ? ~HAS_RSK : st->objs & HAS_SSK ? ~HAS_SSK : ~HAS_DOC;
	return n;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static CK_SESSION_HANDLE user_session(const char *pin, CK_RV *rv)
{
	CK_SESSION_HANDLE s;

	assert_int_equal(p11->C_OpenSession(tok_slot("alice"), CKF_SERIAL_SESSION | CKF_RW_SESSION,
					    NULL, NULL, &s), CKR_OK);
	*rv = p11->C_Login(s, CKU_USER, PIN(pin), strlen(pin));
	return s;
}

static CK_OBJECT_HANDLE keyset_object(CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	const char *app = MSTOKEN_APP_KMS_KEYSET;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls },
			     { CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) } };
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;

	assert_int_equal(p11->C_FindObjectsInit(s, t, 2), CKR_OK);
	assert_int_equal(p11->C_FindObjects(s, h, 2, &n), CKR_OK);
	assert_int_equal(p11->C_FindObjectsFinal(s), CKR_OK);
	assert_true(n <= 1);
	return n ? h[0] : 0;
}

/* The child: one operation from state st, then exit 0 (or be killed). */
static void child_op(enum op op, const struct state *st, int ready_fd)
{
	const struct interop_key_set *k = sw_user("alice");
	CK_SESSION_HANDLE s;
	CK_RV rv;
	char *xml = sw_keyset_xml("alice");
	const char *newpin = strcmp(st->pin, PIN_A) == 0 ? PIN_B : PIN_A;

	tok_load();
	s = user_session(st->pin, &rv);
	if (rv != CKR_OK)
		_exit(3);
	if (write(ready_fd, "r", 1) != 1)
		_exit(4);
	switch (op) {
	case OP_IMPORT:
		rv = tok_create_data(s, MSTOKEN_APP_KMS_KEYSET, xml, NULL);
		break;
	case OP_DELETE:
		/* one object: RSK, then SSK, then the kept document */
		rv = p11->C_DestroyObject(s, st->objs & HAS_RSK ? tok_user_key(s, k->uid, k->uid_len, 2) :
					  st->objs & HAS_SSK ? tok_user_key(s, k->uid, k->uid_len, 1) :
					  keyset_object(s));
		break;
	case OP_SETPIN:
		rv = p11->C_SetPIN(s, PIN(st->pin), strlen(st->pin), PIN(newpin), strlen(newpin));
		break;
	default:
		rv = CKR_GENERAL_ERROR;
	}
	_exit(rv == CKR_OK ? 0 : 5);
}

/* Run op in a child; kill it after delay_ms (< 0: let it finish).
 * Returns 1 when it was killed, 0 when it finished (ok). */
static int run_child(enum op op, const struct state *st, double delay_ms, double *took_ms)
{
	int fds[2], status = 0;
	double t0;
	pid_t pid;
	char c;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_op(op, st, fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		fail_msg("%s: the child failed before the operation (status 0x%x)", op_names[op], status);
	}
	close(fds[0]);
	t0 = now_ms();
	if (delay_ms >= 0) {
		usleep((useconds_t)(delay_ms * 1000));
		kill(pid, SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	*took_ms = now_ms() - t0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: the child failed (status 0x%x)", op_names[op], status);
	return 0;
}

/* Records in the backing token (SoftHSM2, "alice-store"), read directly:
 * the number of duplicates and of value records without attributes. */
static int backing_orphans(const char *pin)
{
	CK_FUNCTION_LIST_PTR f;
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, i, j, found = 0;
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS cls = CKO_DATA;
	const char *app = "mstoken";
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls },
			     { CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) } };
	CK_OBJECT_HANDLE h[512];
	static char labels[512][80];
	CK_TOKEN_INFO ti;
	char bpin[80];
	int bad = 0;
	void *dl;

	/* SoftHSM2's user PIN is the secret R kept under ours */
	assert_int_equal(backing_user_pin(NULL, "alice-store", pin, bpin, sizeof bpin), 0);
	dl = dlopen(getenv("SOFTHSM2_MODULE"), RTLD_NOW | RTLD_LOCAL);
	assert_non_null(dl);
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	assert_int_equal(get(&f), CKR_OK);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(f->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if (memcmp(ti.label, "alice-store ", 12) == 0)
			break;
	}
	assert_true(i < n);
	assert_int_equal(f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	assert_int_equal(f->C_Login(s, CKU_USER, PIN(bpin), strlen(bpin)), CKR_OK);
	assert_int_equal(f->C_FindObjectsInit(s, t, 2), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, h, 512, &found), CKR_OK);
	f->C_FindObjectsFinal(s);
	for (i = 0; i < found; i++) {
		CK_ATTRIBUTE a = { CKA_LABEL, labels[i], sizeof labels[i] - 1 };

		assert_int_equal(f->C_GetAttributeValue(s, h[i], &a, 1), CKR_OK);
		labels[i][a.ulValueLen] = '\0';
	}
	for (i = 0; i < found; i++) {
		size_t l = strlen(labels[i]);
		int has_attrs = 0;

		for (j = 0; j < found; j++) {
			if (j > i && strcmp(labels[i], labels[j]) == 0)
				bad++;                           /* the same record twice */
			if (l > 2 && strncmp(labels[i], labels[j], l - 2) == 0 &&
			    strcmp(labels[j] + l - 2, ".a") == 0 && strlen(labels[j]) == l)
				has_attrs = 1;
		}
		if (l > 2 && strcmp(labels[i] + l - 2, ".v") == 0 && !has_attrs)
			bad++;                                   /* a value nobody owns */
	}
	f->C_Logout(s);
	f->C_CloseSession(s);
	f->C_Finalize(NULL);
	dlclose(dl);
	return bad;
}

/* SoftHSM2's own view of the backing token: its flags, and whether each
 * PIN logs in to it directly (to tell SoftHSM2's failures from ours; on
 * a token with the user PIN secret neither does, by design). */
static void backing_report(void)
{
	CK_FUNCTION_LIST_PTR f;
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, i;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	void *dl = dlopen(getenv("SOFTHSM2_MODULE"), RTLD_NOW | RTLD_LOCAL);

	if (dl == NULL)
		return;
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	if (get(&f) != CKR_OK || f->C_Initialize(NULL) != CKR_OK)
		return;
	if (f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK)
		for (i = 0; i < n; i++)
			if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
			    printf("  SoftHSM2 slot %lu: \"%.32s\" flags 0x%lx\n", (unsigned long)slots[i],
				   (const char *)ti.label, (unsigned long)ti.flags) > 0 &&
			    memcmp(ti.label, "alice-store ", 12) == 0 &&
			    f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
				printf("  SoftHSM2 alice-store: flags 0x%lx, user PIN %s: 0x%lx, %s: 0x%lx\n",
				       (unsigned long)ti.flags, PIN_A,
				       (unsigned long)f->C_Login(s, CKU_USER, PIN(PIN_A), 4), PIN_B,
				       (unsigned long)f->C_Login(s, CKU_USER, PIN(PIN_B), 4));
				f->C_CloseSession(s);
			}
	f->C_Finalize(NULL);
	dlclose(dl);
}

/* What the token holds now: 0 old, 1 new, -1 corrupt (named on stdout). */
static int classify(enum op op, const struct state *old, struct state *now, int *orphans)
{
	const struct interop_key_set *k = sw_user("alice");
	const char *other = strcmp(old->pin, PIN_A) == 0 ? PIN_B : PIN_A;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE ssk, rsk, doc;
	struct state want;
	CK_RV rv;
	int result;

	tok_load();
	*now = *old;
	s = user_session(old->pin, &rv);
	if (rv == CKR_PIN_INCORRECT) {
		p11->C_CloseSession(s);
		s = user_session(other, &rv);
		now->pin = other;
	}
	if (rv != CKR_OK) {
		printf("corrupt after %s: neither PIN logs in (0x%lx)\n", op_names[op], (unsigned long)rv);
		tok_unload();
		backing_report();
		return -1;
	}
	ssk = tok_user_key(s, k->uid, k->uid_len, 1);
	rsk = tok_user_key(s, k->uid, k->uid_len, 2);
	doc = keyset_object(s);
	now->objs = (doc ? HAS_DOC : 0) | (ssk ? HAS_SSK : 0) | (rsk ? HAS_RSK : 0);
	want = after(op, old);
	if (now->objs != old->objs && now->objs != want.objs) {
		printf("corrupt after %s: objects %d, neither the old %d nor the new %d\n",
		       op_names[op], now->objs, old->objs, want.objs);
		tok_unload();
		return -1;
	}
	rv = CKR_OK;
	if (ssk) {
		CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
		CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = { (unsigned char *)(uintptr_t)k->uid, k->uid_len };
		CK_MECHANISM vm = { CKM_MSTOKEN_ECCSI, &vp, sizeof vp };
		CK_OBJECT_HANDLE kpak = tok_community(s, CKK_MSTOKEN_ECCSI, SW_KMS_URI);
		uint8_t sig[256];
		CK_ULONG sig_len = sizeof sig;

		rv = p11->C_SignInit(s, &m, ssk);
		if (rv == CKR_OK)
			rv = p11->C_Sign(s, BYTES("kill test"), 9, sig, &sig_len);
		if (rv == CKR_OK)
			rv = p11->C_VerifyInit(s, &vm, kpak);
		if (rv == CKR_OK)
			rv = p11->C_Verify(s, BYTES("kill test"), 9, sig, sig_len);
	}
	if (rv == CKR_OK && rsk) {
		CK_MECHANISM gm = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
		CK_ULONG len = 16, enc_len;
		CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
		CK_ATTRIBUTE gt[] = { { CKA_VALUE_LEN, &len, sizeof len },
				      { CKA_WRAP_WITH_TRUSTED, &yes, sizeof yes } };
		CK_MSTOKEN_SAKKE_WRAP_PARAMS wp = { (unsigned char *)(uintptr_t)k->uid, k->uid_len };
		CK_MECHANISM wm = { CKM_MSTOKEN_SAKKE, &wp, sizeof wp }, um = { CKM_MSTOKEN_SAKKE, NULL, 0 };
		CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
		CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
		CK_ATTRIBUTE ut[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt },
				      { CKA_TOKEN, &no, sizeof no }, { CKA_SENSITIVE, &yes, sizeof yes },
				      { CKA_EXTRACTABLE, &no, sizeof no } };
		CK_OBJECT_HANDLE ssv = 0, got = 0;
		uint8_t enc[512];

		enc_len = sizeof enc;
		rv = p11->C_GenerateKey(s, &gm, gt, 2, &ssv);
		if (rv == CKR_OK)
			rv = p11->C_WrapKey(s, &wm, tok_community(s, CKK_MSTOKEN_SAKKE, SW_KMS_URI), ssv,
					    enc, &enc_len);
		if (rv == CKR_OK)
			rv = p11->C_UnwrapKey(s, &um, rsk, enc, enc_len, ut, 5, &got);
	}
	if (rv != CKR_OK) {
		printf("corrupt after %s: a key is there but does not work (0x%lx)\n", op_names[op],
		       (unsigned long)rv);
		tok_unload();
		return -1;
	}
	p11->C_Logout(s);
	tok_unload();
	*orphans = backing_orphans(now->pin);
	result = now->objs == old->objs && now->pin == old->pin ? 0 : 1;
	/* one operation changes one thing: the whole state is old or new */
	if (result == 1 && (now->objs != want.objs || now->pin != want.pin)) {
		printf("corrupt after %s: a mix of the old and the new state\n", op_names[op]);
		return -1;
	}
	return result;
}

/* PIN changes are killed too unless MST_KILL_PIN=0.  (Before the user
 * PIN secret, SoftHSM2's C_SetPIN rewrote its token.object in place and a
 * kill there lost the whole backing token.) */
static int kill_pin_changes(void)
{
	const char *env = getenv("MST_KILL_PIN");

	return env == NULL || strcmp(env, "0") != 0;
}

static enum op next_op(const struct state *st, unsigned k)
{
	if (kill_pin_changes() && k % 3 == 2)
		return OP_SETPIN;
	return st->objs ? OP_DELETE : OP_IMPORT;
}

static void test_kills(void **state)
{
	const char *env = getenv("MST_KILLS");
	unsigned kills = env && atoi(env) > 0 ? (unsigned)atoi(env) : KILLS, k;
	unsigned old_n = 0, new_n = 0, corrupt = 0, orphans = 0;
	double dur[N_OPS] = { 0 };
	struct state st = { 0, PIN_A }, now;
	int i, o;

	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	/* how long each operation takes here, uninterrupted (twice each) */
	for (i = 0; i < 2; i++) {
		static const enum op seq[6] = { OP_IMPORT, OP_SETPIN, OP_DELETE, OP_DELETE,
						OP_DELETE, OP_SETPIN };
		double t;
		int orph = 0;

		for (o = 0; o < 6; o++) {
			assert_int_equal(run_child(seq[o], &st, -1, &t), 0);
			if (t > dur[seq[o]])
				dur[seq[o]] = t;
			assert_int_equal(classify(seq[o], &st, &now, &orph), 1);
			assert_int_equal(orph, 0);
			st = now;
		}
	}
	print_message("operation times: import %.0f ms, delete %.0f ms, PIN change %.0f ms\n",
		      dur[OP_IMPORT], dur[OP_DELETE], dur[OP_SETPIN]);
	for (k = 0; k < kills; k++) {
		enum op op = next_op(&st, k);
		double t, at = (rand() / (double)RAND_MAX) * dur[op] * 1.1;
		int orph = 0, c;

		if (!kill_pin_changes() && k % 10 == 9) {
			/* a PIN change, not killed: later kills run under the new PIN */
			assert_int_equal(run_child(OP_SETPIN, &st, -1, &t), 0);
			assert_int_equal(classify(OP_SETPIN, &st, &now, &orph), 1);
			st = now;
		}
		(void)run_child(op, &st, at, &t);  /* may finish before the kill */
		c = classify(op, &st, &now, &orph);
		orphans += (unsigned)orph;
		if (c < 0) {
			corrupt++;
			break;   /* later states would build on a corrupt one */
		}
		if (c == 0)
			old_n++;
		else
			new_n++;
		st = now;
	}
	print_message("%u kills (import, %sdelete): %u old state, %u new state, %u corrupt (%u orphan records)\n",
		      kills, kill_pin_changes() ? "PIN change, " : "", old_n, new_n, corrupt, orphans);
	assert_int_equal(corrupt, 0);
	assert_int_equal(orphans, 0);
	assert_true(old_n > 0 && new_n > 0);
}

/* Token alice initialised, user PIN PIN_A, the community imported. */
static int setup(void **state)
{
	const struct interop_key_set *k = sw_user("alice");
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s;
	CK_RV rv;
	char *xml = xml_certificate(SW_KMS_URI, k->z, k->kpak);

	(void)state;
	tok_load();
	memset(label, ' ', sizeof label);
	memcpy(label, "alice", 5);
	assert_int_equal(p11->C_InitToken(tok_slot("alice"), PIN(SO_PIN), strlen(SO_PIN), label), CKR_OK);
	assert_int_equal(p11->C_OpenSession(tok_slot("alice"), CKF_SERIAL_SESSION | CKF_RW_SESSION,
					    NULL, NULL, &s), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_SO, PIN(SO_PIN), strlen(SO_PIN)), CKR_OK);
	assert_int_equal(p11->C_InitPIN(s, PIN(PIN_A), strlen(PIN_A)), CKR_OK);
	/* the community: an SO import where trust needs the SO, else the user's */
	rv = tok_create_data(s, MSTOKEN_APP_KMS_CERTIFICATE, xml, NULL);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	if (rv != CKR_OK) {
		assert_int_equal(p11->C_Login(s, CKU_USER, PIN(PIN_A), strlen(PIN_A)), CKR_OK);
		assert_int_equal(tok_create_data(s, MSTOKEN_APP_KMS_CERTIFICATE, xml, NULL), CKR_OK);
		assert_int_equal(p11->C_Logout(s), CKR_OK);
	}
	free(xml);
	tok_unload();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kills),
	};

	return cmocka_run_group_tests_name("token_kill", tests, setup, NULL);
}
