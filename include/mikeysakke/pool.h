/* mikeysakke/pool.h - pre-generated I_MESSAGEs per peer (DESIGN.md flow 1:
 * pre-generation is allowed to make set-up faster).
 *
 * Each entry is a complete ms_create result (its SSV object stays in the
 * token session) and is handed out once.  An entry older than max_age
 * seconds would fail the receiver's timestamp window: it is destroyed
 * instead of being handed out. */
#ifndef MIKEYSAKKE_POOL_H
#define MIKEYSAKKE_POOL_H

#include "mikeysakke/session.h"

#define MS_POOL_MAX 32

struct ms_pool;

/* max_age: seconds an entry stays usable (e.g. MS_DEFAULT_WINDOW). */
MS_API ms_rc ms_pool_new(struct ms_pool **p, struct ms_ctx *c, int64_t max_age);
/* Destroys every SSV still pooled and frees the pool. */
MS_API void ms_pool_free(struct ms_pool *p);
/* Adds n pre-generated I_MESSAGEs for request r (r->now as creation time). */
MS_API ms_rc ms_pool_fill(struct ms_pool *p, const struct ms_create_req *r, unsigned n);
/* Moves out one fresh entry made for peer (the request's first --to) at
 * time now; MS_ERR_NOT_FOUND when none is left.  The caller then owns it
 * (ms_created_clear). */
MS_API ms_rc ms_pool_take(struct ms_pool *p, const char *peer, int64_t now, struct ms_created *out);
/* Entries pooled for peer (fresh or not). */
MS_API unsigned ms_pool_count(const struct ms_pool *p, const char *peer);

#endif
