/* kms/serve_handle.c - one request of the KMS server, independent of HTTP.
 *
 * Order of checks, each refusal answered before anything is issued:
 *   access token (401) -> KmsRequest (400) -> its UserUri is the token's
 *   user (403) -> its KmsUri is this KMS (400) -> the response.
 * The users file and the community are read again for every request: no
 * state is shared between requests (see kms/serve.c for the threads), and
 * "user enrol" needs no restart.  The access token is never logged; the
 * log line names the token's user, the operation and, for key sets, the
 * UserIDs and key periods issued.
 */
#include "config.h"
#include "kms/serve.h"
#include "kms/kms.h"
#include "kms/period.h"
#include "token/hex.h"
#include "token/identity.h"
#include "token/kmsxml_doc.h"
#include "token/kmsxml_sec.h"
#include "token/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_MAX 256
#define ISSUED_MAX 600

static const char *const op_names[] = { "init", "keyprov", "certcache" };

typedef struct {
	const kms_call *call;
	kms_reply *reply;
	const kms_user *user;    /* the access token's user, once known */
	kms_request req;
	char issued[ISSUED_MAX]; /* for the log: what was issued */
} ctx;

static void log_line(const ctx *c, const char *reason)
{
	char now[KMSXML_TIME_MAX] = "";
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s %u user=%s%s%s%s%s\n", now, c->call->peer, op_names[c->call->op],
		c->reply->status, c->user != NULL ? c->user->uri : "-",
		c->issued[0] != '\0' ? " issued: " : "", c->issued,
		reason != NULL ? " refused: " : "", reason != NULL ? reason : "");
	fflush(stderr);
}

/* Refuse with a KmsError body; reason is logged and sent (never a secret). */
static void refuse(ctx *c, unsigned status, const char *reason)
{
	char kms_uri[KMSXML_URI_MAX] = "";

	c->reply->status = status;
	c->issued[0] = '\0';
	snprintf(kms_uri, sizeof kms_uri, "%s", c->req.kms_uri);
	/* the details of a failure of ours (paths, files) stay in the log */
	if (kms_error_doc(status, status >= 500 ? "internal error of the KMS" : reason, c->req.user_uri, kms_uri, c->req.client_req_url,
			  &c->reply->body, &c->reply->body_len) != MST_OK) {
		c->reply->body = NULL;
		c->reply->body_len = 0;
	}
	log_line(c, reason);
}

/* "Bearer <token>" (the scheme in any case, RFC 6750 2.1). */
static const char *bearer_token(const char *h, size_t *len)
{
	const char *t;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (t = h + 7; *t == ' '; t++)
		;
	*len = strlen(t);
	while (*len > 0 && t[*len - 1] == ' ')
		(*len)--;
	return *len > 0 && *len <= TOKEN_MAX ? t : NULL;
}

/* Appends "UserID <hex>... period N (from..to)" to the log text. */
static void note_issue(ctx *c, const kms_keyset *k)
{
	char id[2 * 64 + 1];
	size_t used = strlen(c->issued), shown = k->user_id_len < 64 ? k->user_id_len : 64;

	hex_encode(k->user_id, shown, id); /* public: the identifier */
	snprintf(c->issued + used, sizeof c->issued - used, "%sUserID %s%s period %llu (%s to %s)",
		 used > 0 ? ", " : "", id, shown < k->user_id_len ? "..." : "",
		 (unsigned long long)k->key_period_no, k->valid_from, k->valid_to);
}

/* KmsKeyProv: the key set of the current period and, with next, the next. */
static mst_rc build_keyprov(ctx *c, kms_resp *r, const kms_certificate *cert,
			    const kms_secrets *s, char *err, size_t err_len)
{
	kms_keyset *k = secmem_alloc(sizeof *k);
	xmlNodePtr keyprov;
	uint64_t now_period = 0;
	int i;
	mst_rc rc;

	if (k == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of locked memory");
	rc = kms_resp_keyprov(r, &keyprov);
	for (i = 0; i <= (c->call->next ? 1 : 0) && rc == MST_OK; i++) {
		/* the first: the period of now; the second: its number + 1 */
		rc = kms_issue_keyset(cert, s, c->user->uri, i, now_period + 1, (int64_t)time(NULL), k,
				      err, err_len);
		if (rc != MST_OK)
			break;
		now_period = k->key_period_no;
		rc = kms_resp_keyset(r, keyprov, k, c->user->trk, c->user->trk_id, err, err_len);
		if (rc == MST_OK)
			note_issue(c, k);
		else
			kx_fail(err, err_len, rc, "cannot wrap the key set: %s", mst_strerror(rc));
	}
	secmem_free(k);
	return rc;
}

static mst_rc build(ctx *c, kms_resp *r, const kms_certificate *cert, const kms_secrets *s,
		    char *err, size_t err_len)
{
	mst_rc rc = kms_resp_new(r, c->user->uri, cert->kms_uri, c->req.client_req_url);

	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "cannot build the response: %s", mst_strerror(rc));
	switch (c->call->op) {
	case KMS_OP_INIT:
		if ((rc = kms_resp_init(r, cert, c->user, err, err_len)) != MST_OK)
			return rc;
		snprintf(c->issued, sizeof c->issued, "KmsCertificate of %.200s%s%s%s%s", cert->kms_uri,
			 c->user->rotating ? ", NewTransportKey " : "",
			 c->user->rotating ? c->user->new_trk_id : "",
			 c->user->rotating ? ", NewIntegrityKey " : "",
			 c->user->rotating ? c->user->new_ink_id : "");
		break;
	case KMS_OP_CERTCACHE:
		rc = kms_resp_certcache(r, cert, 1); /* the one community this KMS serves */
		if (rc == MST_OK)
			snprintf(c->issued, sizeof c->issued, "KmsCertCache: %.200s", cert->kms_uri);
		break;
	case KMS_OP_KEYPROV:
		return build_keyprov(c, r, cert, s, err, err_len);
	}
	return rc == MST_OK ? rc : kx_fail(err, err_len, rc, "cannot build the response: %s",
					   mst_strerror(rc));
}

/* The new TrK/InK just put into a response become the user's keys, before
 * the response goes out: should this fail, the user gets a 500 and keeps
 * the old keys on both sides.  Under the lock of D, on a fresh read of the
 * users, and only if the pending keys are still the ones delivered (a
 * "user rotate" may have run meanwhile). */
static mst_rc promote(const ctx *c, char *err, size_t err_len)
{
	kms_users *users = NULL;
	kms_user *u;
	mst_rc rc;
	int fd = kms_users_lock(c->call->dir, err, err_len);

	if (fd < 0)
		return MST_ERR_IO;
	rc = kms_users_load(c->call->dir, &users, err, err_len);
	if (rc == MST_OK && ((u = kms_users_by_uri(users, c->user->uri)) == NULL || !u->rotating ||
			     strcmp(u->new_trk_id, c->user->new_trk_id) != 0 ||
			     strcmp(u->new_ink_id, c->user->new_ink_id) != 0))
		rc = kx_fail(err, err_len, MST_ERR_EXISTS,
			     "the keys of %.200s changed while the response was made", c->user->uri);
	if (rc == MST_OK) {
		kms_users_promote(u);
		rc = kms_users_save(c->call->dir, users, err, err_len);
	}
	secmem_free(users);
	close(fd);
	return rc;
}

/* Build, sign with the user's InK, reply 200. */
static void respond(ctx *c, const kms_certificate *cert, const kms_secrets *s)
{
	char err[KMS_ERR_LEN] = "", *text = NULL;
	size_t text_len = 0;
	kms_resp r;
	mst_rc rc = build(c, &r, cert, s, err, sizeof err);

	if (rc == MST_OK && (rc = kms_resp_text(&r, &text, &text_len)) != MST_OK)
		kx_fail(err, sizeof err, rc, "cannot write the response: %s", mst_strerror(rc));
	kms_resp_free(&r);
	if (rc == MST_OK)
		rc = kmssec_sign_text((const uint8_t *)text, text_len, c->user->ink, c->user->ink_id,
				      &c->reply->body, &c->reply->body_len, err, sizeof err);
	free(text);
	if (rc == MST_OK && c->call->op == KMS_OP_INIT && c->user->rotating &&
	    (rc = promote(c, err, sizeof err)) != MST_OK) {
		free(c->reply->body);
		c->reply->body = NULL;
	}
	if (rc != MST_OK) {
		refuse(c, 500, err);
		return;
	}
	c->reply->status = 200;
	log_line(c, NULL);
}

static void handle(ctx *c, kms_users *users)
{
	char err[KMS_ERR_LEN] = "";
	const char *token;
	size_t token_len = 0;
	kms_certificate cert;
	kms_secrets *s;

	if ((token = bearer_token(c->call->authorization, &token_len)) == NULL)
		return refuse(c, 401, c->call->authorization == NULL ? "no access token"
				      : "Authorization is not 'Bearer <access token>'");
	if ((c->user = kms_users_by_token(users, token, token_len)) == NULL)
		return refuse(c, 401, "unknown access token");
	if (kms_request_parse(c->call->body, c->call->body_len, &c->req, err, sizeof err) != MST_OK)
		return refuse(c, 400, err);
	if (strcmp(c->req.user_uri, c->user->uri) != 0) {
		snprintf(err, sizeof err, "the access token is not one of %.200s", c->req.user_uri);
		return refuse(c, 403, err);
	}
	if ((s = secmem_alloc(sizeof *s)) == NULL)
		return refuse(c, 500, "out of locked memory");
	if (kms_load_community(c->call->dir, &cert, s, err, sizeof err) != MST_OK)
		refuse(c, 500, err);
	else if (strcmp(c->req.kms_uri, cert.kms_uri) != 0)
		refuse(c, 400, "KmsRequest/KmsUri: not the URI of this KMS");
	else
		respond(c, &cert, s);
	secmem_free(s);
}

void kms_handle(const kms_call *call, kms_reply *reply)
{
	char err[KMS_ERR_LEN] = "";
	kms_users *users = NULL;
	ctx c;

	memset(&c, 0, sizeof c);
	memset(reply, 0, sizeof *reply);
	c.call = call;
	c.reply = reply;
	if (kms_users_load(call->dir, &users, err, sizeof err) != MST_OK) {
		refuse(&c, 500, err);
		return;
	}
	handle(&c, users);
	secmem_free(users);
}
