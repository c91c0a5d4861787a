/* token/sakke_idcache.c - comb tables of identifier points Q = [b]P + Z.
 *
 * R = [r]Q is on the path of every encapsulation and of the validity test
 * of every decapsulation.  Without Q's table it costs two combs ([r b]P +
 * [r]Z); with it, one signed-digit comb with 4 tables of 7 teeth (40 %
 * faster than one with a single 6-teeth table).  The tables cost about
 * as much as eight combs to build, so they are built only for an
 * identifier seen before: a token decapsulates under its own identifier
 * again and again, and a client calls the same peers, while an identifier
 * used once costs only a digest.  When the slots are full, a table
 * replaces the least recently used one only for an identifier that came
 * more often (counts halve now and then).  Q is public (it follows from Z
 * and the identifier), so the cache holds plain memory, keyed by
 * SHA-256(Z || b); a mutex makes it safe for concurrent sessions.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>
#include "token/sakke_internal.h"
#include "token/secmem.h"

#define IDCACHE_SLOTS 8         /* tables (64 KiB each) */
/* signed-digit comb, 4 tables of 7 teeth (37 doublings, 148 additions;
 * the former single 6-teeth table: 171 and 171): the steady-state path of
 * a token's own identifier and of peers called again, worth a build of
 * about 11 ms at the second use */
#define ID_TEETH 7
#define ID_TABLES 4
#define ID_TABLE_ENTRIES (ID_TABLES << (ID_TEETH - 1))
#define IDCACHE_SEEN 64         /* identifiers seen once (digests) */

struct idcache_slot {
	uint64_t last_use;      /* 0: empty */
	unsigned uses;          /* how often its identifier came (aged) */
	uint8_t key[SHA256_DIGEST_LENGTH];
	ec_aff table[ID_TABLE_ENTRIES];
};

struct idcache_seen {
	unsigned uses;          /* 0: empty */
	uint8_t key[SHA256_DIGEST_LENGTH];
};

static struct idcache_slot slots[IDCACHE_SLOTS];
static struct idcache_seen seen[IDCACHE_SEEN];
static unsigned seen_next, builds, lookups;
static uint64_t use_clock;
static pthread_mutex_t idcache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child starts with an unlocked lock (a thread it does not have
 * may have held it) and an empty cache. */
static void reset_in_child(void)
{
	pthread_mutex_init(&idcache_lock, NULL);
	memset(slots, 0, sizeof slots);
	memset(seen, 0, sizeof seen);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, reset_in_child);
}

static void idcache_lock_take(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&idcache_lock);
}

static void id_key(uint8_t key[SHA256_DIGEST_LENGTH], const uint8_t z_pub[SAKKE_POINT_LEN],
		   const uint8_t b[SAKKE_SCALAR_LEN])
{
	uint8_t buf[SAKKE_POINT_LEN + SAKKE_SCALAR_LEN];

	memcpy(buf, z_pub, SAKKE_POINT_LEN);
	memcpy(buf + SAKKE_POINT_LEN, b, SAKKE_SCALAR_LEN);
	SHA256(buf, sizeof buf, key);
}

/* with the lock held */
static int slot_find(const uint8_t key[SHA256_DIGEST_LENGTH])
{
	int i;

	for (i = 0; i < IDCACHE_SLOTS; i++)
		if (slots[i].last_use && memcmp(slots[i].key, key, SHA256_DIGEST_LENGTH) == 0)
			return i;
	return -1;
}

/* with the lock held: how often key has come, this time included */
static unsigned seen_count(const uint8_t key[SHA256_DIGEST_LENGTH])
{
	unsigned i;

	for (i = 0; i < IDCACHE_SEEN; i++)
		if (seen[i].uses && memcmp(seen[i].key, key, SHA256_DIGEST_LENGTH) == 0)
			return ++seen[i].uses;
	memcpy(seen[seen_next].key, key, SHA256_DIGEST_LENGTH);
	seen[seen_next].uses = 1;
	seen_next = (seen_next + 1) % IDCACHE_SEEN;
	return 1;
}

/* with the lock held: counts halve every 256 lookups, so that identifiers
 * no longer used give way */
static void age(void)
{
	unsigned i;

	if (++lookups % 256)
		return;
	for (i = 0; i < IDCACHE_SLOTS; i++)
		slots[i].uses /= 2;
	for (i = 0; i < IDCACHE_SEEN; i++)
		if (seen[i].uses > 1)
			seen[i].uses /= 2;
}

/* with the lock held: the slot a table of an identifier that came `uses`
 * times may take (an empty one, else the least recently used one if that
 * one's identifier came less often), or -1.  The comparison keeps more
 * identifiers used in turn than there are slots (a group call) from
 * replacing each other's tables at every call, each a costly build. */
static int slot_for(unsigned uses)
{
	int i, victim = 0;

	if (uses < 2)
		return -1;
	for (i = 0; i < IDCACHE_SLOTS; i++) {
		if (slots[i].last_use == 0)
			return i;
		if (slots[i].last_use < slots[victim].last_use)
			victim = i;
	}
	return uses > slots[victim].uses ? victim : -1;
}

/* Q = [b]P + Z affine and its tables; MST_ERR_BAD_POINT if Q is infinity
 * (a = -z mod q).  P and Z are in E(F_p)[q], so Q is. */
static mst_rc id_table_build(const ec_aff ztab[EC_COMB_MAX], const uint8_t b[SAKKE_SCALAR_LEN],
			     ec_aff table[ID_TABLE_ENTRIES])
{
	ec_aff p_table[EC_COMB_MAX], q;
	ec_jac bp, zj;
	mst_rc rc = sakke_z_table(sakke_param_P, p_table);

	if (rc != MST_OK)
		return rc;
	ec_comb_mul(&bp, b, p_table, SAKKE_ZTAB_TEETH);
	/* Z itself is entry 0 of its table (d = 1: [2^0]Z) */
	ec_from_affine(&zj, &ztab[0]);
	ec_add(&bp, &bp, &zj);
	if (!ec_to_affine(&q, &bp))
		return MST_ERR_BAD_POINT;
	return ec_scomb_build(table, &q, ID_TEETH, ID_TABLES);
}

mst_rc sakke_r_for_id(const uint8_t z_pub[SAKKE_POINT_LEN], const ec_aff ztab[EC_COMB_MAX],
		      const uint8_t b[SAKKE_SCALAR_LEN], const uint8_t r[SAKKE_SCALAR_LEN], ec_jac *out)
{
	uint8_t key[SHA256_DIGEST_LENGTH];
	/* the tables (public, 64 KiB) are copied out of the cache to the
	 * heap: the stack depth under the comb, whose temporaries
	 * sakke_scrub_stack wipes, stays as it was */
	ec_aff *table = malloc(sizeof(ec_aff) * ID_TABLE_ENTRIES);
	unsigned uses = 0;
	int i, have = 0;

	if (table == NULL)      /* no table: [r b]P + [r]Z */
		return sakke_r_point_jac(ztab, b, r, out);
	id_key(key, z_pub, b);
	idcache_lock_take();
	age();
	i = slot_find(key);
	if (i >= 0) {
		slots[i].last_use = ++use_clock;
		slots[i].uses++;
		memcpy(table, slots[i].table, sizeof slots[i].table);
		have = 1;
	} else {
		uses = seen_count(key);
		i = slot_for(uses);
	}
	pthread_mutex_unlock(&idcache_lock);
	/* built without the lock; stored if it still may be */
	if (!have && i >= 0 && id_table_build(ztab, b, table) == MST_OK) {
		have = 1;
		idcache_lock_take();
		builds++;
		if (slot_find(key) < 0 && (i = slot_for(uses)) >= 0) {
			memcpy(slots[i].key, key, sizeof key);
			memcpy(slots[i].table, table, sizeof slots[i].table);
			slots[i].uses = uses;
			slots[i].last_use = ++use_clock;
		}
		pthread_mutex_unlock(&idcache_lock);
	}
	if (have) {
		uint64_t bad = ec_scomb_mul(out, r, table, ID_TEETH, ID_TABLES);

		/* an addition met the doubling case (never seen; see
		 * ec_scomb_mul): that such a rare event happened is all this
		 * tells, and the result is computed again the proven way */
		ct_declassify(&bad, sizeof bad);
		have = !bad;
	}
	free(table);
	if (!have)      /* no table: [r b]P + [r]Z */
		return sakke_r_point_jac(ztab, b, r, out);
	return MST_OK;
}

unsigned sakke_id_cache_builds(void)
{
	unsigned n;

	idcache_lock_take();
	n = builds;
	pthread_mutex_unlock(&idcache_lock);
	return n;
}

void sakke_id_cache_clear(void)
{
	idcache_lock_take();
	memset(slots, 0, sizeof slots);
	memset(seen, 0, sizeof seen);
	seen_next = 0;
	lookups = 0;
	pthread_mutex_unlock(&idcache_lock);
}
