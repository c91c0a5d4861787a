/* token/sakke_lines.c - the RSK's Miller-loop lines, precomputed and kept
 * in locked memory per key (see sakke_lines.h).
 *
 * Line values, as in token/sakke_pairing.c, in the form c0 x + c1 + i c2 y
 * at the evaluation point (x, y) (the distortion map folded in); dividing
 * by c2, an element of F_p that vanishes in PF_p, leaves two coefficients
 * (c0/c2, c1/c2) per line.  All c2 of a key are inverted together with
 * one inversion (Montgomery's trick).  Steps: 1023 doublings and 353
 * additions (the public NAF of q - 1): 1376 lines, 352 KiB per key.
 *
 * Cache: keyed by SHA-256 of K's coordinates (equal digests: equal keys;
 * the digest reveals nothing of K), a reference count per slot so that a
 * table in use is never dropped, a mutex around the bookkeeping only, so
 * that concurrent decapsulations run in parallel.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/sha.h>
#include "token/fp2.h"
#include "token/sakke_lines.h"
#include "token/sakke.h"
#include "token/sakke_pairing.h"
#include "token/secmem.h"

/* the Miller loop's schedule: public, computed once */
static int8_t naf[SAKKE_NAF_MAX];
static int naf_len;
static size_t n_lines;
static pthread_once_t naf_once = PTHREAD_ONCE_INIT;

static void naf_init(void)
{
	int i;

	naf_len = sakke_q_minus_1_naf(naf);
	n_lines = 0;
	for (i = naf_len - 2; i >= 0; i--)
		n_lines += naf[i] != 0 ? 2 : 1;
}

struct lines_slot {
	uint8_t digest[SHA256_DIGEST_LENGTH];
	uint64_t last_use;      /* 0: empty */
	unsigned refs;
	fp *c;                  /* 2 n_lines coefficients, secmem */
};

static struct lines_slot slots[SAKKE_LINES_SLOTS];
/* digests of keys used once without a table (ring) */
#define LINES_SEEN 16
static uint8_t seen[LINES_SEEN][SHA256_DIGEST_LENGTH];
static unsigned seen_next;
static uint64_t use_clock;
static unsigned builds, unlocked;
static int warned;
static pthread_mutex_t lines_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child starts with no tables: the lock may have been held by a
 * thread the child does not have, and the tables live in wipe-on-fork
 * secure pages, so in the child they read as zeros.  The blocks are left
 * (not freed): secmem's own lock may be in the same state. */
static void reset_in_child(void)
{
	pthread_mutex_init(&lines_lock, NULL);
	memset(slots, 0, sizeof slots);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, reset_in_child);
}

static void lines_lock_take(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&lines_lock);
}

size_t sakke_lines_bytes(void)
{
	pthread_once(&naf_once, naf_init);
	return 2 * n_lines * sizeof(fp);
}

/* The digest of K only says which cached table to use: which key it is,
 * not anything about it.  Under valgrind's constant-time check (secrets
 * marked undefined) it is declared public, as the lookup branches on it. */
static void key_digest(uint8_t d[SHA256_DIGEST_LENGTH], const ec_aff *k)
{
	SHA256((const unsigned char *)k, sizeof *k, d);
	ct_declassify(d, SHA256_DIGEST_LENGTH);
}

/* c[2j], c[2j+1] = c0, c1 of line j before normalisation; z[j] = c2. */
static void lines_walk(fp *c, fp *z, const ec_aff *k)
{
	fp alpha, gamma, delta, rr, t;
	ec_aff neg_k;
	ec_jac acc, d;
	size_t j = 0;
	int i;

	ec_from_affine(&acc, k);
	fp_copy(&neg_k.x, &k->x);
	fp_neg(&neg_k.y, &k->y);
	for (i = naf_len - 2; i >= 0; i--) {
		/* tangent: alpha delta x + (alpha X - 2 gamma) + i (Z3 delta) y */
		ec_dbl_parts(&d, &acc, &alpha, &gamma, &delta);
		fp_mul(&c[2 * j], &alpha, &delta);
		fp_mul(&t, &alpha, &acc.x);
		fp_dbl(&gamma, &gamma);
		fp_sub(&c[2 * j + 1], &t, &gamma);
		fp_mul(&z[j], &d.z, &delta);
		acc = d;
		j++;
		if (naf[i] != 0) {      /* public digits of q - 1 */
			const ec_aff *b = naf[i] > 0 ? k : &neg_k;

			/* chord: rr x + (rr Bx - By Z3) + i Z3 y */
			ec_madd(&acc, &acc, b, &rr);
			fp_copy(&c[2 * j], &rr);
			fp_mul(&c[2 * j + 1], &rr, &b->x);
			fp_mul(&t, &b->y, &acc.z);
			fp_sub(&c[2 * j + 1], &c[2 * j + 1], &t);
			fp_copy(&z[j], &acc.z);
			j++;
		}
	}
	secure_wipe(&alpha, sizeof alpha);
	secure_wipe(&gamma, sizeof gamma);
	secure_wipe(&delta, sizeof delta);
	secure_wipe(&rr, sizeof rr);
	secure_wipe(&t, sizeof t);
	secure_wipe(&neg_k, sizeof neg_k);
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&d, sizeof d);
}

/* Fill c (2 n_lines fp) with K's normalised lines; scratch holds 2
 * n_lines fp (c2 and the prefix products).  For K in E(F_p)[q] no c2 is
 * zero (no multiple of K below q is infinity); for any other K a zero
 * only spoils the result, which the decapsulation test then refuses. */
void sakke_lines_table_build(fp *c, fp *scratch, const ec_aff *k)
{
	fp *z = scratch, *pre = scratch + n_lines, inv, t;
	size_t j;

	pthread_once(&naf_once, naf_init);
	lines_walk(c, z, k);
	fp_copy(&pre[0], &z[0]);
	for (j = 1; j < n_lines; j++)
		fp_mul(&pre[j], &pre[j - 1], &z[j]);
	fp_inv(&inv, &pre[n_lines - 1]);
	for (j = n_lines; j-- > 0;) {
		/* inv = 1 / (z_0 ... z_j) here */
		if (j > 0) {
			fp_mul(&t, &inv, &pre[j - 1]);  /* 1 / z_j */
			fp_mul(&inv, &inv, &z[j]);
		} else {
			fp_copy(&t, &inv);
		}
		fp_mul(&c[2 * j], &c[2 * j], &t);
		fp_mul(&c[2 * j + 1], &c[2 * j + 1], &t);
	}
	secure_wipe(&inv, sizeof inv);
	secure_wipe(&t, sizeof t);
}

/* v = prod of lines at (x, y) = (c0 x + c1) + i y, squared along the
 * loop.  At a step with an addition, the two lines are multiplied first:
 * (a1 + i y)(a2 + i y) = (a1 a2 - y^2) + i y (a1 + a2), 2 multiplications
 * with y^2 computed once, then one product in F_p^2 (3) instead of two
 * (6). */
void sakke_lines_miller(fp2 *v, const fp *c, const ec_aff *r)
{
	fp2 l;
	fp y2, a2;
	size_t j = 0;
	int i;

	pthread_once(&naf_once, naf_init);
	fp_sqr(&y2, &r->y);
	fp2_set_one(v);
	for (i = naf_len - 2; i >= 0; i--) {
		fp2_sqr(v, v);
		fp_mul(&l.a, &c[2 * j], &r->x);
		fp_add(&l.a, &l.a, &c[2 * j + 1]);
		j++;
		if (naf[i] != 0) {      /* public digits of q - 1 */
			fp_mul(&a2, &c[2 * j], &r->x);
			fp_add(&a2, &a2, &c[2 * j + 1]);
			j++;
			fp_add(&l.b, &l.a, &a2);
			fp_mul(&l.b, &l.b, &r->y);
			fp_mul(&l.a, &l.a, &a2);
			fp_sub(&l.a, &l.a, &y2);
		} else {
			fp_copy(&l.b, &r->y);
		}
		fp2_mul(v, v, &l);
	}
	secure_wipe(&l, sizeof l);
	secure_wipe(&y2, sizeof y2);
	secure_wipe(&a2, sizeof a2);
}

/* the Miller value, the final exponent 4 and the representative */
static void lines_eval(fp *out, const fp *c, const ec_aff *r)
{
	fp2 v;

	sakke_lines_miller(&v, c, r);
	fp2_sqr(&v, &v);
	fp2_sqr(&v, &v);
	fp2_pf_repr(out, &v);
	secure_wipe(&v, sizeof v);
}

/* with the lock held: the slot of digest d, or -1 */
static int slot_find(const uint8_t d[SHA256_DIGEST_LENGTH])
{
	int i;

	for (i = 0; i < SAKKE_LINES_SLOTS; i++)
		if (slots[i].last_use && memcmp(slots[i].digest, d, SHA256_DIGEST_LENGTH) == 0)
			return i;
	return -1;
}

/* with the lock held: 1 if the key was used before, else remember it */
static int seen_before(const uint8_t d[SHA256_DIGEST_LENGTH])
{
	unsigned i;

	for (i = 0; i < LINES_SEEN; i++)
		if (memcmp(seen[i], d, SHA256_DIGEST_LENGTH) == 0)
			return 1;
	memcpy(seen[seen_next], d, SHA256_DIGEST_LENGTH);
	seen_next = (seen_next + 1) % LINES_SEEN;
	return 0;
}

/* with the lock held: an empty slot, else the least recently used one
 * not in use (its table dropped), else -1 */
static int slot_free(void)
{
	int i, best = -1;

	for (i = 0; i < SAKKE_LINES_SLOTS; i++) {
		if (slots[i].last_use == 0)
			return i;
		if (slots[i].refs == 0 && (best < 0 || slots[i].last_use < slots[best].last_use))
			best = i;
	}
	if (best >= 0) {
		secmem_free(slots[best].c);
		memset(&slots[best], 0, sizeof slots[best]);
	}
	return best;
}

static void warn_unlocked(void)
{
	if (!warned) {
		warned = 1;
		fprintf(stderr, "mstoken: cannot lock %zu KiB for a SAKKE key's pairing table "
			"(RLIMIT_MEMLOCK too low, see README \"Performance\"): "
			"decapsulation takes the slower path without a table\n",
			sakke_lines_bytes() / 1024);
	}
}

/* A new table for K in locked memory, or NULL (locked memory refused). */
static fp *table_new(const ec_aff *k)
{
	fp *c = secmem_alloc(sakke_lines_bytes());
	fp *scratch = NULL;

	if (c == NULL || !secmem_locked(c)) {
		secmem_free(c);
		return NULL;
	}
	/* the scratch is wiped on free; locked if the limit allows */
	scratch = secmem_alloc(sakke_lines_bytes());
	if (scratch == NULL) {
		secmem_free(c);
		return NULL;
	}
	sakke_lines_table_build(c, scratch, k);
	secmem_free(scratch);
	return c;
}

void sakke_pairing_rsk(fp *out, const ec_aff *k, const ec_aff *r)
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	fp *c = NULL;
	int i, again = 1;

	pthread_once(&naf_once, naf_init);
	key_digest(d, k);
	lines_lock_take();
	i = slot_find(d);
	if (i >= 0) {
		slots[i].refs++;
		slots[i].last_use = ++use_clock;
		c = slots[i].c;
	} else {
		again = seen_before(d);
	}
	pthread_mutex_unlock(&lines_lock);
	/* A key's first use goes without a table: building one costs about as
	 * much as a plain pairing, which a process that decapsulates once
	 * (a command-line client) would pay for nothing.  The second use
	 * builds it. */
	if (c == NULL && !again) {
		sakke_pairing_fp(out, r, k);
		return;
	}
	if (c == NULL) {
		/* built outside the lock: other keys' decapsulations go on */
		c = table_new(k);
		lines_lock_take();
		if (c == NULL) {
			unlocked++;
			warn_unlocked();
		} else {
			builds++;
			i = slot_find(d);       /* another thread may have built it */
			if (i < 0)
				i = slot_free();
			if (i >= 0 && slots[i].c == NULL) {
				memcpy(slots[i].digest, d, sizeof d);
				slots[i].c = c;
			}
			if (i >= 0) {
				if (slots[i].c != c) {
					secmem_free(c);
					c = slots[i].c;
				}
				slots[i].refs++;
				slots[i].last_use = ++use_clock;
			}
			/* i < 0: every slot in use; c stays ours, freed below */
		}
		pthread_mutex_unlock(&lines_lock);
		if (c == NULL) {
			sakke_pairing_fp(out, r, k);
			return;
		}
	}
	lines_eval(out, c, r);
	lines_lock_take();
	if (i >= 0)
		slots[i].refs--;
	pthread_mutex_unlock(&lines_lock);
	if (i < 0)
		secmem_free(c);
}

void sakke_lines_forget(const uint8_t rsk[SAKKE_POINT_LEN])
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	ec_aff k;
	int i;

	if (rsk == NULL || ec_decode(&k, rsk, SAKKE_POINT_LEN) != MST_OK)
		return;
	key_digest(d, &k);
	secure_wipe(&k, sizeof k);
	lines_lock_take();
	i = slot_find(d);
	if (i >= 0 && slots[i].refs == 0) {
		secmem_free(slots[i].c);
		memset(&slots[i], 0, sizeof slots[i]);
	}
	pthread_mutex_unlock(&lines_lock);
}

void sakke_lines_clear(void)
{
	int i;

	lines_lock_take();
	for (i = 0; i < SAKKE_LINES_SLOTS; i++) {
		if (slots[i].last_use && slots[i].refs == 0) {
			secmem_free(slots[i].c);
			memset(&slots[i], 0, sizeof slots[i]);
		}
	}
	memset(seen, 0, sizeof seen);
	seen_next = 0;
	pthread_mutex_unlock(&lines_lock);
}

unsigned sakke_lines_builds(void)
{
	unsigned n;

	lines_lock_take();
	n = builds;
	pthread_mutex_unlock(&lines_lock);
	return n;
}

unsigned sakke_lines_unlocked(void)
{
	unsigned n;

	lines_lock_take();
	n = unlocked;
	pthread_mutex_unlock(&lines_lock);
	return n;
}
