/* tests/unit/test_sakke_lines.c - decapsulation's pairing with the RSK's
 * precomputed lines (token/sakke_lines.c): equal to the plain pairing,
 * cached per key (built once, the least recently used key dropped), a
 * KMS key outside E(F_p)[q] refused with or without its comb table, and
 * with RLIMIT_MEMLOCK too low for a table, a slower path that still
 * decapsulates (and says why, once). */
#include "test_util.h"
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <openssl/rand.h>
#include "token/sakke.h"
#include "token/sakke_internal.h"
#include "token/sakke_lines.h"
#include "token/sakke_pairing.h"

struct keyset {
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t id[32];
	size_t id_len;
};

static void keyset_new(struct keyset *k, unsigned n)
{
	k->id_len = (size_t)snprintf((char *)k->id, sizeof k->id, "2026-12%ctel:+4477%06u", 0, n) + 1;
	assert_int_equal(sakke_kms_keygen(k->z, k->z_pub), MST_OK);
	assert_int_equal(sakke_rsk_issue(k->z, sizeof k->z, k->id, k->id_len, k->rsk), MST_OK);
}

static void round_trip(const struct keyset *k)
{
	uint8_t ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];

	assert_int_equal(sakke_random_ssv(ssv), MST_OK);
	assert_int_equal(sakke_encapsulate(k->z_pub, k->id, k->id_len, ssv, encap), MST_OK);
	assert_int_equal(sakke_decapsulate(k->z_pub, k->id, k->id_len, k->rsk, encap, out), MST_OK);
	assert_memory_equal(out, ssv, sizeof ssv);
}

/* <K, R> with K's lines == <R, K> == <K, R> by the plain Miller loop, for
 * the RFC 6508 RSK... any K, R of E(F_p)[q]: here R = [x]P, K = [y]P */
static void lines_equal_plain_pairing(void **state)
{
	uint8_t x[SAKKE_SCALAR_LEN], enc[SAKKE_POINT_LEN];
	ec_aff r, k;
	fp a, b, c;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		RAND_bytes(x, sizeof x);
		x[0] &= 0x3f;
		assert_int_equal(sakke_point_mul(x, sizeof x, sakke_param_P, enc), MST_OK);
		assert_int_equal(ec_decode(&r, enc, sizeof enc), MST_OK);
		RAND_bytes(x, sizeof x);
		x[0] &= 0x3f;
		assert_int_equal(sakke_point_mul(x, sizeof x, sakke_param_P, enc), MST_OK);
		assert_int_equal(ec_decode(&k, enc, sizeof enc), MST_OK);
		sakke_pairing_rsk(&a, &k, &r);  /* first use: no table */
		sakke_pairing_fp(&b, &r, &k);
		sakke_pairing_fp(&c, &k, &r);
		assert_memory_equal(&a, &b, sizeof a);
		assert_memory_equal(&a, &c, sizeof a);
		sakke_pairing_rsk(&a, &k, &r);  /* the table built */
		assert_memory_equal(&a, &b, sizeof a);
		sakke_pairing_rsk(&a, &k, &r);  /* from the cache */
		assert_memory_equal(&a, &b, sizeof a);
	}
}

/* a key's first use builds no table, its second one does, later ones
 * use it; more keys than slots: the least recently used is dropped and
 * rebuilt when it comes back; clear forgets, forget drops one key */
static void cache_builds_once_and_evicts(void **state)
{
	struct keyset k[SAKKE_LINES_SLOTS + 1];
	unsigned b0;
	int i;

	(void)state;
	sakke_lines_clear();
	for (i = 0; i <= SAKKE_LINES_SLOTS; i++)
		keyset_new(&k[i], (unsigned)i);
	b0 = sakke_lines_builds();
	round_trip(&k[0]);
	assert_int_equal(sakke_lines_builds(), b0);             /* first use: none */
	round_trip(&k[0]);
	round_trip(&k[0]);
	assert_int_equal(sakke_lines_builds(), b0 + 1);
	for (i = 1; i <= SAKKE_LINES_SLOTS; i++) {
		round_trip(&k[i]);
		round_trip(&k[i]);      /* k[0] is the least recently used: dropped */
	}
	assert_int_equal(sakke_lines_builds(), b0 + SAKKE_LINES_SLOTS + 1);
	round_trip(&k[SAKKE_LINES_SLOTS]);
	assert_int_equal(sakke_lines_builds(), b0 + SAKKE_LINES_SLOTS + 1);
	round_trip(&k[0]);
	assert_int_equal(sakke_lines_builds(), b0 + SAKKE_LINES_SLOTS + 2);
	sakke_lines_clear();
	round_trip(&k[0]);
	round_trip(&k[0]);
	assert_int_equal(sakke_lines_builds(), b0 + SAKKE_LINES_SLOTS + 3);
	/* a key leaving memory (logout) takes its table along, others stay */
	round_trip(&k[1]);
	round_trip(&k[1]);
	sakke_lines_forget(k[0].rsk);
	round_trip(&k[1]);
	assert_int_equal(sakke_lines_builds(), b0 + SAKKE_LINES_SLOTS + 4);
	round_trip(&k[0]);
	assert_int_equal(sakke_lines_builds(), b0 + SAKKE_LINES_SLOTS + 5);
	sakke_lines_forget(NULL);       /* ignored */
	assert_int_equal(sakke_lines_unlocked(), 0);
}

/* one encapsulation and decapsulation: 1 when the SSV comes back */
static int round_trip_ok(const struct keyset *k)
{
	uint8_t ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];

	return sakke_random_ssv(ssv) == MST_OK &&
	       sakke_encapsulate(k->z_pub, k->id, k->id_len, ssv, encap) == MST_OK &&
	       sakke_decapsulate(k->z_pub, k->id, k->id_len, k->rsk, encap, out) == MST_OK &&
	       memcmp(out, ssv, sizeof ssv) == 0;
}

/* A forked child decapsulates with a key whose line table its parent
 * built: the table lives in wipe-on-fork pages (zeros in the child), so the
 * child must not use it, and the cache lock must be usable there even if
 * another thread held it at the fork (issue 11 item 8).  The parent here is
 * itself a child of the test, so that the tables and locked pages it makes
 * leave the test process's secure memory as it was. */
static void child_after_fork_decapsulates(void **state)
{
	int status;
	pid_t parent;

	(void)state;
	parent = fork();
	assert_true(parent >= 0);
	if (parent == 0) {
		struct keyset k;
		pid_t child;
		int ok;

		alarm(60);
		sakke_lines_clear();
		k.id_len = (size_t)snprintf((char *)k.id, sizeof k.id, "2026-12%ctel:+447700000007", 0) + 1;
		if (sakke_kms_keygen(k.z, k.z_pub) != MST_OK ||
		    sakke_rsk_issue(k.z, sizeof k.z, k.id, k.id_len, k.rsk) != MST_OK ||
		    !round_trip_ok(&k) || !round_trip_ok(&k) || sakke_lines_builds() == 0)
			_exit(2);       /* no table built: the test proves nothing */
		child = fork();
		if (child < 0)
			_exit(3);
		if (child == 0)
			_exit(round_trip_ok(&k) ? 0 : 1);
		ok = waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		     WEXITSTATUS(status) == 0;
		/* and the parent's own table is untouched */
		_exit(ok && round_trip_ok(&k) ? 0 : 1);
	}
	assert_int_equal(waitpid(parent, &status, 0), parent);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Decapsulation under a KMS key Z' = Z + (0, 0), on E but outside
 * E(F_p)[q]: refused the first time it is met (no comb table yet: the
 * ladder path) and the second time (its table refused), never a key. */
static void z_outside_subgroup_refused_both_paths(void **state)
{
	uint8_t ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN], zbad[SAKKE_POINT_LEN];
	struct keyset k;
	ec_aff z, t, sum;
	ec_jac zj, tj, sj;
	int n;

	(void)state;
	keyset_new(&k, 200);
	assert_int_equal(ec_decode(&z, k.z_pub, SAKKE_POINT_LEN), MST_OK);
	fp_set_zero(&t.x);
	fp_set_zero(&t.y);                      /* (0, 0): order 2 */
	ec_from_affine(&zj, &z);
	ec_from_affine(&tj, &t);
	ec_add(&sj, &zj, &tj);
	assert_true(ec_to_affine(&sum, &sj) != 0);
	ec_encode(zbad, &sum);
	assert_int_equal(sakke_random_ssv(ssv), MST_OK);
	assert_int_equal(sakke_encapsulate(k.z_pub, k.id, k.id_len, ssv, encap), MST_OK);
	assert_int_equal(sakke_encapsulate(zbad, k.id, k.id_len, ssv, encap + 0), MST_ERR_BAD_POINT);
	/* the path without a table, for 12 values of r: half of them even,
	 * where [r]((0, 0)) = O would make TEST equal R */
	for (n = 0; n < 12; n++) {
		assert_int_equal(sakke_random_ssv(ssv), MST_OK);
		assert_int_equal(sakke_encapsulate(k.z_pub, k.id, k.id_len, ssv, encap), MST_OK);
		sakke_z_cache_clear();
		assert_int_equal(sakke_decapsulate(zbad, k.id, k.id_len, k.rsk, encap, out), MST_ERR_DECAPSULATE);
	}
	sakke_z_cache_clear();
	for (n = 0; n < 3; n++) {
		assert_int_equal(sakke_decapsulate(zbad, k.id, k.id_len, k.rsk, encap, out), MST_ERR_DECAPSULATE);
		assert_true(memcmp(out, (const uint8_t[SAKKE_SSV_LEN]){ 0 }, SAKKE_SSV_LEN) == 0);
	}
	/* and the right Z still works on both paths */
	sakke_z_cache_clear();
	for (n = 0; n < 2; n++) {
		assert_int_equal(sakke_decapsulate(k.z_pub, k.id, k.id_len, k.rsk, encap, out), MST_OK);
		assert_memory_equal(out, ssv, sizeof ssv);
	}
}

/* root's CAP_IPC_LOCK ignores RLIMIT_MEMLOCK: drop it from the effective
 * set, as a token run by an ordinary user does not have it */
static void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	assert_int_equal(syscall(SYS_capget, &h, d), 0);
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	assert_int_equal(syscall(SYS_capset, &h, d), 0);
}

/* RLIMIT_MEMLOCK below one table: no table, the plain pairing, the same
 * key recovered (and a wrong key still refused); runs last, as the limit
 * cannot be raised again */
static void low_memlock_still_decapsulates(void **state)
{
	uint8_t ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	struct keyset k, other;
	unsigned b0;

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	/* ASan intercepts mlock() and answers 0 without locking: no limit can
	 * refuse a table there, so this runs on the plain build only */
	skip();
#endif
	keyset_new(&k, 100);
	keyset_new(&other, 100);        /* same identifier, another KMS */
	sakke_lines_clear();
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	drop_ipc_lock();
	b0 = sakke_lines_builds();
	round_trip(&k);
	round_trip(&k);
	round_trip(&k);
	assert_int_equal(sakke_lines_builds(), b0);
	assert_true(sakke_lines_unlocked() >= 2);
	assert_int_equal(sakke_random_ssv(ssv), MST_OK);
	assert_int_equal(sakke_encapsulate(k.z_pub, k.id, k.id_len, ssv, encap), MST_OK);
	assert_int_equal(sakke_decapsulate(k.z_pub, k.id, k.id_len, other.rsk, encap, out),
			 MST_ERR_DECAPSULATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_equal_plain_pairing),
		cmocka_unit_test(cache_builds_once_and_evicts),
		cmocka_unit_test(z_outside_subgroup_refused_both_paths),
		cmocka_unit_test(child_after_fork_decapsulates),
		/* last: it lowers RLIMIT_MEMLOCK for the rest of the process */
		cmocka_unit_test(low_memlock_still_decapsulates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
