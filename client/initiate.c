/* client/initiate.c - the initiator: one SSV made in the token, one signed
 * I_MESSAGE per recipient, and the SRTP keys of its crypto sessions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "client/imsg.h"

static ms_rc own_signing_key(struct ms_ctx *c, const struct ms_community *com, const char *from,
			     int64_t now, uint8_t *id, size_t *id_len, CK_OBJECT_HANDLE *ssk)
{
	ms_rc rc = ms_id_at(&com->id, from, now, id, MS_ID_MAX_LEN, id_len);

	if (rc == MS_OK)
		rc = ctx_private_key(c, id, *id_len, MS_KEY_SUFFIX_ECCSI, ssk);
	if (rc == MS_ERR_NOT_FOUND)
		snprintf(c->err, sizeof(c->err), "no ECCSI key of %s for the key period of now", from);
	return rc;
}

/* One worker of ms_create: the recipients i = first, first + step, ...
 * over its own PKCS#11 session (the module encapsulates and signs without
 * its lock, so the workers run on every core).  c is a copy of the caller's
 * context with that session; the SSV and the signing key are visible to
 * every session of the slot. */
struct create_worker {
	struct ms_ctx c;
	const struct ms_create_req *r;
	const struct imsg_spec *spec;
	struct ms_created *out;
	size_t first, step;
	ms_rc rc;
	pthread_t tid;
	int threaded;
};

static void *create_run(void *arg)
{
	struct create_worker *w = arg;
	const struct ms_community *com = w->spec->com;
	uint8_t to_id[MS_ID_MAX_LEN];
	size_t i, to_id_len = 0;
	struct imsg_spec s = *w->spec;

	w->rc = MS_OK;
	for (i = w->first; i < w->r->n_to && w->rc == MS_OK; i += w->step) {
		w->rc = ms_id_at(&com->id, w->r->to[i], s.now, to_id, sizeof(to_id), &to_id_len);
		s.to = w->r->to[i];
		s.to_id = to_id;
		s.to_id_len = to_id_len;
		if (w->rc == MS_OK)
			w->rc = imsg_build(&w->c, &s, w->out->msg[i], sizeof(w->out->msg[i]), &w->out->len[i]);
		strcpy(w->out->to[i], w->r->to[i]);
	}
	return NULL;
}

/* How many workers (sessions) for n recipients: one per online processor,
 * at most MS_CREATE_WORKERS. */
#define MS_CREATE_WORKERS 16

static size_t worker_count(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t w = cpus > 1 ? (size_t)cpus : 1;

	if (w > MS_CREATE_WORKERS)
		w = MS_CREATE_WORKERS;
	return w < n ? w : n;
}

/* The recipients' messages, on up to worker_count(n) sessions: worker 0
 * is the calling thread on the context's own session. */
static ms_rc build_all(struct ms_ctx *c, const struct ms_create_req *r, const struct imsg_spec *spec,
		       struct ms_created *out)
{
	struct create_worker w[MS_CREATE_WORKERS];
	size_t n = worker_count(r->n_to), k, started = 1;
	CK_SESSION_INFO info;
	ms_rc rc = MS_OK;

	if (n > 1 && c->p.f->C_GetSessionInfo(c->p.s, &info) != CKR_OK)
		n = 1;
	for (k = 0; k < n; k++) {
		w[k] = (struct create_worker){ .c = *c, .r = r, .spec = spec, .out = out, .first = k, .step = n };
		w[k].c.err[0] = '\0';
		if (k == 0)
			continue;
		if (c->p.f->C_OpenSession(info.slotID, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					  &w[k].c.p.s) != CKR_OK)
			break;  /* fewer workers: the ones opened share the rest */
		started++;
	}
	n = started;
	for (k = 0; k < n; k++)
		w[k].step = n;
	for (k = 1; k < n; k++) {
		/* if no thread can be made, it runs here, after worker 0 */
		w[k].threaded = pthread_create(&w[k].tid, NULL, create_run, &w[k]) == 0;
	}
	create_run(&w[0]);
	for (k = 1; k < n; k++) {
		if (w[k].threaded)
			pthread_join(w[k].tid, NULL);
		else
			create_run(&w[k]);
		c->p.f->C_CloseSession(w[k].c.p.s);
	}
	for (k = 0; k < n && rc == MS_OK; k++) {
		if (w[k].rc != MS_OK) {
			rc = w[k].rc;
			memcpy(c->err, w[k].c.err, sizeof(c->err));
			c->p.last_rv = w[k].c.p.last_rv;
			memcpy(c->p.last_call, w[k].c.p.last_call, sizeof(c->p.last_call));
		}
	}
	return rc;
}

static void created_free(struct ms_created *out)
{
	free(out->msg);
	free(out->len);
	free(out->to);
	out->msg = NULL;
	out->len = NULL;
	out->to = NULL;
}

ms_rc ms_create(struct ms_ctx *c, const struct ms_create_req *r, struct ms_created *out)
{
	struct ms_community com;
	uint8_t from_id[MS_ID_MAX_LEN], csb[4], ids[2] = { 0, 1 };
	size_t from_id_len = 0, i;
	CK_OBJECT_HANDLE ssk, ssv = CK_INVALID_HANDLE;
	char kms[256];
	ms_rc rc;
	struct imsg_spec s;

	if (!c || !r || !out || !r->from || !r->to || r->n_to == 0 || r->n_to > MS_MAX_RECIPIENTS ||
	    r->prf > 1 || strlen(r->from) >= sizeof(out->from))
		return MS_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->n_to; i++)
		if (!r->to[i] || strlen(r->to[i]) >= sizeof(out->to[0]))
			return MS_ERR_ARGS;
	c->err[0] = '\0';
	rc = ctx_user_kms(c, r->from, kms, sizeof(kms));
	if (rc == MS_OK)
		rc = ctx_community(c, kms, &com);
	if (rc != MS_OK) {
		snprintf(c->err, sizeof(c->err), "no key set and community for %s in the token", r->from);
		return rc == MS_ERR_UNKNOWN_SIGNER ? MS_ERR_NOT_FOUND : rc;
	}
	memset(&s, 0, sizeof(s));
	s.now = r->now ? r->now : (int64_t)time(NULL);
	rc = own_signing_key(c, &com, r->from, s.now, from_id, &from_id_len, &ssk);
	if (rc != MS_OK)
		return rc;
	out->msg = calloc(r->n_to, sizeof(*out->msg));
	out->len = calloc(r->n_to, sizeof(*out->len));
	out->to = calloc(r->n_to, sizeof(*out->to));
	if (!out->msg || !out->len || !out->to) {
		created_free(out);
		return MS_ERR_NOMEM;
	}
	if (RAND_bytes(csb, 4) != 1 || RAND_bytes(out->rand, sizeof(out->rand)) != 1) {
		created_free(out);
		return MS_ERR_CRYPTO;
	}
	out->csb_id = (uint32_t)csb[0] << 24 | (uint32_t)csb[1] << 16 | (uint32_t)csb[2] << 8 | csb[3];
	rc = ms_p11_generate_ssv(&c->p, &ssv);
	if (rc != MS_OK) {
		ctx_note_p11(c);
		created_free(out);
		return rc;
	}
	s = (struct imsg_spec){ &com, r->from, NULL, from_id, NULL, from_id_len, 0, out->csb_id,
				out->rand, r->prf, r->suite, r->group, s.now, ssv, ssk };
	rc = build_all(c, r, &s, out);
	if (rc == MS_OK)
		rc = policy_derive(c, ssv, r->prf, out->csb_id, out->rand, sizeof(out->rand), r->suite,
				   ids, r->group ? 1 : 2, &out->keys);
	if (rc != MS_OK) {
		ms_p11_destroy(&c->p, ssv);
		created_free(out);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->n = r->n_to;
	out->prf = r->prf;
	out->ssv = ssv;
	strcpy(out->from, r->from);
	return MS_OK;
}

void ms_created_clear(struct ms_ctx *c, struct ms_created *out)
{
	if (!out)
		return;
	if (c && out->ssv)
		ms_p11_destroy(&c->p, out->ssv);
	OPENSSL_cleanse(&out->keys, sizeof(out->keys));
	out->ssv = 0;
	created_free(out);
	out->n = 0;
}
