/* client/pool.c - pre-generated I_MESSAGEs, each handed out once. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include "mikeysakke/pool.h"

struct pool_entry {
	int64_t made;
	struct ms_created cr;
};

struct ms_pool {
	struct ms_ctx *c;
	int64_t max_age;
	unsigned n;
	struct pool_entry *e[MS_POOL_MAX];
};

ms_rc ms_pool_new(struct ms_pool **p, struct ms_ctx *c, int64_t max_age)
{
	if (!p || !c || max_age <= 0)
		return MS_ERR_ARGS;
	*p = calloc(1, sizeof(**p));
	if (!*p)
		return MS_ERR_NOMEM;
	(*p)->c = c;
	(*p)->max_age = max_age;
	return MS_OK;
}

static void drop(struct ms_pool *p, unsigned i)
{
	ms_created_clear(p->c, &p->e[i]->cr);
	OPENSSL_cleanse(p->e[i], sizeof(*p->e[i]));
	free(p->e[i]);
	p->e[i] = p->e[--p->n];
	p->e[p->n] = NULL;
}

void ms_pool_free(struct ms_pool *p)
{
	if (!p)
		return;
	while (p->n)
		drop(p, 0);
	free(p);
}

ms_rc ms_pool_fill(struct ms_pool *p, const struct ms_create_req *r, unsigned n)
{
	struct ms_create_req req;
	unsigned i;
	ms_rc rc;

	if (!p || !r || p->n + n > MS_POOL_MAX)
		return MS_ERR_ARGS;
	req = *r;
	if (!req.now)
		req.now = (int64_t)time(NULL);
	for (i = 0; i < n; i++) {
		struct pool_entry *e = calloc(1, sizeof(*e));

		if (!e)
			return MS_ERR_NOMEM;
		rc = ms_create(p->c, &req, &e->cr);
		if (rc != MS_OK) {
			free(e);
			return rc;
		}
		e->made = req.now;
		p->e[p->n++] = e;
	}
	return MS_OK;
}

ms_rc ms_pool_take(struct ms_pool *p, const char *peer, int64_t now, struct ms_created *out)
{
	unsigned i = 0;

	if (!p || !peer || !out)
		return MS_ERR_ARGS;
	if (!now)
		now = (int64_t)time(NULL);
	while (i < p->n) {
		struct pool_entry *e = p->e[i];

		if (strcmp(e->cr.to[0], peer) != 0) {
			i++;
			continue;
		}
		if (now - e->made > p->max_age || now < e->made) {
			drop(p, i);   /* stale: the receiver's window would refuse it */
			continue;
		}
		*out = e->cr;
		e->cr.ssv = 0;    /* ownership moved to the caller */
		e->cr.msg = NULL;
		e->cr.len = NULL;
		e->cr.to = NULL;
		drop(p, i);
		return MS_OK;
	}
	return MS_ERR_NOT_FOUND;
}

unsigned ms_pool_count(const struct ms_pool *p, const char *peer)
{
	unsigned i, n = 0;

	for (i = 0; p && i < p->n; i++)
		n += strcmp(p->e[i]->cr.to[0], peer) == 0;
	return n;
}
