/* token/sakke_fixed_lines.c - the Miller-loop lines of P and of KMS keys
 * Z, public, kept across calls for RSK validation (see
 * sakke_fixed_lines.h).
 *
 * <[b]P + Z, K> = (f_P([i]K)^b f_Z([i]K))^4 in PF_p: two evaluations of
 * precomputed lines at K (token/sakke_lines.c, about 6 multiplications
 * per loop step each) and one exponentiation by the public b, instead of
 * the plain Miller loop walking K (about 17 per step) and the point [b]P +
 * Z (two combs and an inversion).  No inversion at the end either: the
 * class a + i b of the result is g's when b == g a.
 *
 * Cache: P's table and up to FIXED_SLOTS tables of KMS keys, keyed by the
 * encoded point (public), least recently used dropped, a reference count
 * per slot so that a table in use is never freed, a mutex around the
 * bookkeeping only.  A KMS key's first validation in the process builds
 * nothing (a process that imports one key would pay the two tables, more
 * than a plain pairing, for nothing); its second builds P's and its own.
 * A forked child starts with an empty cache (the lock may have been held
 * by a thread the child does not have); the blocks are left, reachable.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "token/fp2.h"
#include "token/sakke.h"
#include "token/sakke_fixed_lines.h"
#include "token/sakke_lines.h"
#include "token/secmem.h"

#define FIXED_SLOTS 3           /* P and two KMS keys */
#define FIXED_SEEN 4

struct fixed_slot {
	uint8_t pt[SAKKE_POINT_LEN];
	uint64_t last_use;      /* 0: empty */
	unsigned refs;
	fp *c;                  /* 2 lines coefficients each, malloc */
};

static struct fixed_slot slots[FIXED_SLOTS];
static uint8_t seen[FIXED_SEEN][SAKKE_POINT_LEN];
static unsigned seen_next, builds;
static uint64_t use_clock;
static pthread_mutex_t fixed_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* The child's copies of the tables are not freed: a thread of the parent
 * may have been between free() and clearing its slot.  They stay
 * reachable, never used (copy-on-write: they cost the child nothing),
 * instead of lost.  (volatile: never read, the stores would otherwise be
 * dropped by the compiler.) */
static fp *volatile orphans[FIXED_SLOTS];

static void reset_in_child(void)
{
	int i;

	pthread_mutex_init(&fixed_lock, NULL);
	for (i = 0; i < FIXED_SLOTS; i++)
		if (slots[i].c != NULL)
			orphans[i] = slots[i].c;
	memset(slots, 0, sizeof slots);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, reset_in_child);
}

static void fixed_lock_take(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&fixed_lock);
}

size_t sakke_fixed_lines_bytes(void)
{
	return sakke_lines_bytes();
}

/* with the lock held: the slot of pt, or -1 */
static int slot_find(const uint8_t pt[SAKKE_POINT_LEN])
{
	int i;

	for (i = 0; i < FIXED_SLOTS; i++)
		if (slots[i].last_use && memcmp(slots[i].pt, pt, SAKKE_POINT_LEN) == 0)
			return i;
	return -1;
}

/* with the lock held: take a reference on slot i */
static fp *slot_take(int i)
{
	slots[i].refs++;
	slots[i].last_use = ++use_clock;
	return slots[i].c;
}

/* with the lock held: 1 if Z was met before, else remember it */
static int seen_before(const uint8_t z[SAKKE_POINT_LEN])
{
	unsigned i;

	for (i = 0; i < FIXED_SEEN; i++)
		if (memcmp(seen[i], z, SAKKE_POINT_LEN) == 0)
			return 1;
	memcpy(seen[seen_next], z, SAKKE_POINT_LEN);
	seen_next = (seen_next + 1) % FIXED_SEEN;
	return 0;
}

/* with the lock held: an empty slot, else the least recently used one
 * that is neither in use nor P's (its table dropped), else -1 */
static int slot_free(void)
{
	int i, best = -1;

	for (i = 0; i < FIXED_SLOTS; i++) {
		if (slots[i].last_use == 0)
			return i;
		if (slots[i].refs == 0 && memcmp(slots[i].pt, sakke_param_P, SAKKE_POINT_LEN) != 0 &&
		    (best < 0 || slots[i].last_use < slots[best].last_use))
			best = i;
	}
	if (best >= 0) {
		free(slots[best].c);
		memset(&slots[best], 0, sizeof slots[best]);
	}
	return best;
}

/* A new table for the public point pt (encoded, in E(F_p)[q]: checked by
 * the caller), or NULL (no memory). */
static fp *table_new(const uint8_t pt[SAKKE_POINT_LEN])
{
	fp *c = malloc(sakke_lines_bytes()), *scratch = malloc(sakke_lines_bytes());
	ec_aff b;

	if (c == NULL || scratch == NULL || ec_decode(&b, pt, SAKKE_POINT_LEN) != MST_OK) {
		free(c);
		free(scratch);
		return NULL;
	}
	sakke_lines_table_build(c, scratch, &b);
	free(scratch);
	return c;
}

/* with the lock held: pt's stored table with a reference taken (*slot
 * its slot), else the table c just built for it stored (when a slot is
 * free), else NULL (*slot -1).  c, when not stored, is freed. */
static fp *table_adopt(const uint8_t pt[SAKKE_POINT_LEN], fp *c, int *slot)
{
	int i = slot_find(pt);

	if (i < 0 && c != NULL) {
		i = slot_free();
		if (i >= 0) {
			memcpy(slots[i].pt, pt, SAKKE_POINT_LEN);
			slots[i].c = c;
			builds++;
			c = NULL;
		}
	}
	free(c);
	*slot = i;
	return i >= 0 ? slot_take(i) : NULL;
}

/* with the lock held: give back the references taken */
static void slots_release(int ip, int iz)
{
	if (ip >= 0)
		slots[ip].refs--;
	if (iz >= 0)
		slots[iz].refs--;
}

/* The tables of P and Z with a reference taken on each (*ip, *iz), or 0
 * (none taken). */
static int tables_get(const uint8_t z_pub[SAKKE_POINT_LEN], fp **cp, fp **cz, int *ip, int *iz)
{
	fp *newp = NULL, *newz = NULL;
	int again;

	*cp = *cz = NULL;
	fixed_lock_take();
	*ip = slot_find(sakke_param_P);
	*iz = slot_find(z_pub);
	if (*ip >= 0 && *iz >= 0) {
		*cp = slot_take(*ip);
		*cz = slot_take(*iz);
		pthread_mutex_unlock(&fixed_lock);
		return 1;
	}
	again = *iz >= 0 || seen_before(z_pub);
	pthread_mutex_unlock(&fixed_lock);
	if (!again)
		return 0;
	/* built outside the lock (tens of milliseconds): validations under
	 * other keys go on; two threads may build the same table, the
	 * second one then finds it stored */
	if (*ip < 0)
		newp = table_new(sakke_param_P);
	if (*iz < 0 && memcmp(z_pub, sakke_param_P, SAKKE_POINT_LEN) != 0)
		newz = table_new(z_pub);
	fixed_lock_take();
	*cp = table_adopt(sakke_param_P, newp, ip);
	*cz = table_adopt(z_pub, newz, iz);
	if (*cp == NULL || *cz == NULL) {
		slots_release(*ip, *iz);
		*ip = *iz = -1;
	}
	pthread_mutex_unlock(&fixed_lock);
	return *cp != NULL && *cz != NULL;
}

/* *f in the class of <[b]P + Z, K> (before the representative), or 0
 * without the tables */
static int fixed_pairing_fp2(fp2 *f, const uint8_t z_pub[SAKKE_POINT_LEN],
			     const uint8_t b[SAKKE_SCALAR_LEN], const ec_aff *k)
{
	fp2 f_p, f_z;
	fp *cp, *cz;
	size_t skip;
	int ip, iz;

	if (!tables_get(z_pub, &cp, &cz, &ip, &iz))
		return 0;
	sakke_lines_miller(&f_p, cp, k);
	sakke_lines_miller(&f_z, cz, k);
	fixed_lock_take();
	slots_release(ip, iz);
	pthread_mutex_unlock(&fixed_lock);
	/* f_P^b: b is public, so its leading zero octets are skipped (an
	 * identifier of 30 octets costs 240 squarings, not 1024) */
	for (skip = 0; skip < SAKKE_SCALAR_LEN && b[skip] == 0; skip++)
		;
	fp2_pow_secret(f, &f_p, b + skip, SAKKE_SCALAR_LEN - skip);
	fp2_mul(f, f, &f_z);
	/* the final exponent (p + 1) / q = 4 */
	fp2_sqr(f, f);
	fp2_sqr(f, f);
	secure_wipe(&f_p, sizeof f_p);
	secure_wipe(&f_z, sizeof f_z);
	return 1;
}

int sakke_fixed_pairing_is_g(uint64_t *equal_g, const uint8_t z_pub[SAKKE_POINT_LEN],
			     const uint8_t b[SAKKE_SCALAR_LEN], const ec_aff *k)
{
	fp2 f;
	fp g, t;

	if (!fixed_pairing_fp2(&f, z_pub, b, k))
		return 0;
	/* a + i b in the class of g: b == g a (no inversion) */
	(void)fp_from_bytes(&g, sakke_param_g);
	fp_mul(&t, &g, &f.a);
	*equal_g = fp_equal(&t, &f.b) & ~fp_is_zero(&f.a);
	secure_wipe(&f, sizeof f);
	secure_wipe(&t, sizeof t);
	return 1;
}

int sakke_fixed_pairing_fp(fp *out, const uint8_t z_pub[SAKKE_POINT_LEN],
			   const uint8_t b[SAKKE_SCALAR_LEN], const ec_aff *k)
{
	fp2 f;

	if (!fixed_pairing_fp2(&f, z_pub, b, k))
		return 0;
	fp2_pf_repr(out, &f);
	secure_wipe(&f, sizeof f);
	return 1;
}

unsigned sakke_fixed_lines_builds(void)
{
	unsigned n;

	fixed_lock_take();
	n = builds;
	pthread_mutex_unlock(&fixed_lock);
	return n;
}

/* with the lock held: free every table no call is using */
static void slots_drop_unused(void)
{
	int i;

	for (i = 0; i < FIXED_SLOTS; i++) {
		if (slots[i].last_use && slots[i].refs == 0) {
			free(slots[i].c);
			memset(&slots[i], 0, sizeof slots[i]);
		}
	}
}

void sakke_fixed_lines_clear(void)
{
	fixed_lock_take();
	slots_drop_unused();
	memset(seen, 0, sizeof seen);
	seen_next = 0;
	pthread_mutex_unlock(&fixed_lock);
}

/* When the module is unloaded (dlclose after C_Finalize; a process may
 * load it many times) the tables go with it.  This also runs at exit(),
 * when another thread may still be validating a key: a table in use is
 * left to it.  (The lock directly: fixed_lock_take would register fork
 * handlers in a library being unloaded.) */
__attribute__((destructor)) static void fixed_lines_free(void)
{
	pthread_mutex_lock(&fixed_lock);
	slots_drop_unused();
	pthread_mutex_unlock(&fixed_lock);
}
