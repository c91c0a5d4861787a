/* token/sakke_idcache.c - comb tables of identifier points Q = [b]P + Z.
 *
 * R = [r]Q is on the path of every encapsulation and of the validity test
 * of every decapsulation.  Without Q's table it costs two combs ([r b]P +
 * [r]Z); with it, one.  A table costs about as much as ten combs to build,
 * so it is built only for an identifier seen before: a token decapsulates
 * under its own identifier again and again, and a client calls the same
 * peers, while an identifier used once costs only a digest.  Q is public
 * (it follows from Z and the identifier), so the cache holds plain memory,
 * keyed by SHA-256(Z || b); a mutex makes it safe for concurrent sessions.
 */
#include <pthread.h>
#include <string.h>
#include <openssl/sha.h>
#include "token/sakke_internal.h"

#define IDCACHE_SLOTS 8         /* tables (16 KiB each) */
#define IDCACHE_SEEN 64         /* identifiers seen once (digests) */

struct idcache_slot {
	uint64_t last_use;      /* 0: empty */
	uint8_t key[SHA256_DIGEST_LENGTH];
	ec_aff table[EC_COMB_MAX];
};

static struct idcache_slot slots[IDCACHE_SLOTS];
static uint8_t seen[IDCACHE_SEEN][SHA256_DIGEST_LENGTH];
static unsigned seen_next, builds;
static uint64_t use_clock;
static pthread_mutex_t idcache_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* with the lock held: 1 if key was seen before, else remember it */
static int seen_before(const uint8_t key[SHA256_DIGEST_LENGTH])
{
	unsigned i;

	for (i = 0; i < IDCACHE_SEEN; i++)
		if (memcmp(seen[i], key, SHA256_DIGEST_LENGTH) == 0)
			return 1;
	memcpy(seen[seen_next], key, SHA256_DIGEST_LENGTH);
	seen_next = (seen_next + 1) % IDCACHE_SEEN;
	return 0;
}

/* Q = [b]P + Z affine and its table; MST_ERR_BAD_POINT if Q is infinity
 * (a = -z mod q).  P and Z are in E(F_p)[q], so Q is. */
static mst_rc id_table_build(const ec_aff ztab[EC_COMB_MAX], const uint8_t b[SAKKE_SCALAR_LEN],
			     ec_aff table[EC_COMB_MAX])
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
	return ec_comb_build(table, &q, SAKKE_ZTAB_TEETH);
}

mst_rc sakke_r_for_id(const uint8_t z_pub[SAKKE_POINT_LEN], const ec_aff ztab[EC_COMB_MAX],
		      const uint8_t b[SAKKE_SCALAR_LEN], const uint8_t r[SAKKE_SCALAR_LEN], ec_jac *out)
{
	uint8_t key[SHA256_DIGEST_LENGTH];
	ec_aff table[EC_COMB_MAX];
	int i, build = 0;

	id_key(key, z_pub, b);
	pthread_mutex_lock(&idcache_lock);
	i = slot_find(key);
	if (i >= 0) {
		slots[i].last_use = ++use_clock;
		memcpy(table, slots[i].table, sizeof table);
	} else {
		build = seen_before(key);
	}
	pthread_mutex_unlock(&idcache_lock);
	if (i < 0 && build && id_table_build(ztab, b, table) == MST_OK) {
		pthread_mutex_lock(&idcache_lock);
		builds++;
		if (slot_find(key) < 0) {
			int victim = 0;

			for (i = 1; i < IDCACHE_SLOTS; i++)
				if (slots[i].last_use < slots[victim].last_use)
					victim = i;
			memcpy(slots[victim].key, key, sizeof key);
			memcpy(slots[victim].table, table, sizeof table);
			slots[victim].last_use = ++use_clock;
		}
		pthread_mutex_unlock(&idcache_lock);
		i = 0;
	}
	if (i < 0)      /* no table: [r b]P + [r]Z */
		return sakke_r_point_jac(ztab, b, r, out);
	ec_comb_mul(out, r, table, SAKKE_ZTAB_TEETH);
	return MST_OK;
}

unsigned sakke_id_cache_builds(void)
{
	unsigned n;

	pthread_mutex_lock(&idcache_lock);
	n = builds;
	pthread_mutex_unlock(&idcache_lock);
	return n;
}

void sakke_id_cache_clear(void)
{
	pthread_mutex_lock(&idcache_lock);
	memset(slots, 0, sizeof slots);
	memset(seen, 0, sizeof seen);
	seen_next = 0;
	pthread_mutex_unlock(&idcache_lock);
}
