/* token/sakke_zcache.c - comb tables of KMS public keys Z, kept across
 * calls.  A token serves one or a few KMS keys, and every encapsulation
 * and decapsulation multiplies Z by a secret scalar: with Z's comb table
 * that is 171 doublings instead of 1024, and Z's subgroup check (a full
 * scalar multiplication) is done once, when its table is built.
 * Z is public, so the cache holds plain copies, and it is looked up by
 * comparing bytes; a mutex makes it safe for concurrent sessions.
 * A fork() may happen while another thread holds the mutex, half-way
 * through copying a table: the child (pthread_atfork) re-initialises the
 * mutex and empties the cache, so it neither deadlocks nor uses a torn
 * table.  (Holding the mutex across fork() instead would order it against
 * the module's locks, which a wrap holds while it looks Z up.) */
#include <pthread.h>
#include <string.h>
#include "token/sakke_internal.h"
#include "token/secmem.h"

#define ZCACHE_SLOTS 5         /* P and a few KMS keys */

struct zcache_slot {
	uint64_t last_use;      /* 0: empty */
	uint8_t z[SAKKE_POINT_LEN];
	ec_aff table[EC_COMB_MAX];
};

static struct zcache_slot slots[ZCACHE_SLOTS];
static uint64_t use_clock;
static unsigned builds;
static pthread_mutex_t zcache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void reset_in_child(void)
{
	pthread_mutex_init(&zcache_lock, NULL);
	memset(slots, 0, sizeof slots);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, reset_in_child);
}

/* The cache lock, the fork handlers registered on first use. */
static void zcache_lock_take(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&zcache_lock);
}

/* index of z in the cache or -1; with the lock held */
static int zcache_find(const uint8_t z_pub[SAKKE_POINT_LEN])
{
	int i;

	for (i = 0; i < ZCACHE_SLOTS; i++)
		if (slots[i].last_use && memcmp(slots[i].z, z_pub, SAKKE_POINT_LEN) == 0)
			return i;
	return -1;
}

/* with the lock held: copy slot i out and mark it used */
static void zcache_take(int i, ec_aff table[EC_COMB_MAX])
{
	slots[i].last_use = ++use_clock;
	memcpy(table, slots[i].table, sizeof slots[i].table);
}

static mst_rc zcache_build(const uint8_t z_pub[SAKKE_POINT_LEN], ec_aff table[EC_COMB_MAX])
{
	ec_aff z;
	mst_rc rc = ec_decode(&z, z_pub, SAKKE_POINT_LEN);

	/* the comb's incomplete additions need Z of order q */
	if (rc == MST_OK)
		rc = ec_check_subgroup(&z);
	if (rc == MST_OK)
		rc = ec_comb_build(table, &z, SAKKE_ZTAB_TEETH);
	return rc;
}

mst_rc sakke_z_table(const uint8_t z_pub[SAKKE_POINT_LEN], ec_aff table[EC_COMB_MAX])
{
	mst_rc rc;
	int i, victim;

	if (z_pub == NULL)
		return MST_ERR_ARGS;
	/* P's table is a constant (token/sakke_comb_table6.c) */
	if (memcmp(z_pub, sakke_param_P, SAKKE_POINT_LEN) == 0) {
		memcpy(table, sakke_comb_table6, sizeof sakke_comb_table6);
		return MST_OK;
	}
	zcache_lock_take();
	i = zcache_find(z_pub);
	if (i >= 0)
		zcache_take(i, table);
	pthread_mutex_unlock(&zcache_lock);
	if (i >= 0)
		return MST_OK;
	/* built without the lock (several milliseconds); two threads may
	 * build the same table, the second one then finds it stored */
	rc = zcache_build(z_pub, table);
	if (rc != MST_OK)
		return rc;
	zcache_lock_take();
	builds++;
	if (zcache_find(z_pub) < 0) {
		victim = 0;     /* an empty slot, else the least recently used */
		for (i = 1; i < ZCACHE_SLOTS; i++)
			if (slots[i].last_use < slots[victim].last_use)
				victim = i;
		memcpy(slots[victim].z, z_pub, SAKKE_POINT_LEN);
		memcpy(slots[victim].table, table, sizeof slots[victim].table);
		slots[victim].last_use = ++use_clock;
	}
	pthread_mutex_unlock(&zcache_lock);
	return MST_OK;
}

/* KMS keys decapsulation met once without building their table (ring) */
#define ZSEEN 4
static uint8_t zseen[ZSEEN][SAKKE_POINT_LEN];
static unsigned zseen_next;

mst_rc sakke_z_table_lazy(const uint8_t z_pub[SAKKE_POINT_LEN], ec_aff table[EC_COMB_MAX])
{
	int i, seen = 0;

	if (z_pub == NULL)
		return MST_ERR_ARGS;
	if (memcmp(z_pub, sakke_param_P, SAKKE_POINT_LEN) == 0)
		return sakke_z_table(z_pub, table);
	zcache_lock_take();
	i = zcache_find(z_pub);
	if (i >= 0) {
		zcache_take(i, table);
	} else {
		for (seen = 0; seen < ZSEEN; seen++)
			if (memcmp(zseen[seen], z_pub, SAKKE_POINT_LEN) == 0)
				break;
		seen = seen < ZSEEN;
		if (!seen) {
			memcpy(zseen[zseen_next], z_pub, SAKKE_POINT_LEN);
			zseen_next = (zseen_next + 1) % ZSEEN;
		}
	}
	pthread_mutex_unlock(&zcache_lock);
	if (i >= 0)
		return MST_OK;
	return seen ? sakke_z_table(z_pub, table) : MST_ERR_NOT_FOUND;
}

unsigned sakke_z_cache_builds(void)
{
	unsigned n;

	zcache_lock_take();
	n = builds;
	pthread_mutex_unlock(&zcache_lock);
	return n;
}

void sakke_z_cache_clear(void)
{
	zcache_lock_take();
	memset(slots, 0, sizeof slots);
	memset(zseen, 0, sizeof zseen);
	zseen_next = 0;
	pthread_mutex_unlock(&zcache_lock);
}
