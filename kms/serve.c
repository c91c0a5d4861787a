/* kms/serve.c - "mstoken-kms serve": the KMS's HTTPS interface (3GPP
 * TS 33.180 Annex D) with libmicrohttpd, TLS by its GnuTLS back end.
 *
 * Threads: one, libmicrohttpd's internal polling thread
 * (MHD_USE_AUTO_INTERNAL_THREAD): it does all socket and TLS work and calls
 * every request handler in turn, so no two requests run at once and the
 * secrets read for a request (kms/serve_handle.c) are never shared; the
 * main thread only waits for SIGINT/SIGTERM.  Issuing a key set takes a few
 * milliseconds, so one thread serves a development KMS well; a slow client
 * cannot hold it, since sockets are non-blocking and idle connections are
 * closed after a timeout.
 *
 * Limits: POST only (405 otherwise), the three Annex D paths only (404),
 * bodies of at most KMS_REQUEST_MAX octets (413, refused as soon as the
 * Content-Length or the data exceed it), a bounded number of connections
 * overall and per client address, TLS 1.2 or 1.3.
 */
#include "config.h"
#include "kms/serve.h"
#include "kms/fileio.h"
#include "kms/kms.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <microhttpd.h>

#define PEM_MAX (64 * 1024)
#define CONNECTIONS_MAX 64
#define CONNECTIONS_PER_IP 16
#define IDLE_TIMEOUT_S 15
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

typedef struct {
	const char *dir;
} server;

/* One connection's request: the body as it arrives. */
typedef struct {
	kms_op op;
	size_t len;
	int too_big;
	uint8_t body[KMS_REQUEST_MAX];
} request;

static void peer_of(struct MHD_Connection *con, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	socklen_t len = sa != NULL && sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								 : sizeof(struct sockaddr_in);

	if (sa == NULL || getnameinfo(sa, len, out, (socklen_t)cap, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(out, cap, "?");
}

/* At most 100 characters of s, non-printable ones as '?', for the log. */
static void printable(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap && i < 100; i++)
		out[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

static enum MHD_Result send_reply(struct MHD_Connection *con, unsigned status, char *body,
				  size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body,
					       MHD_RESPMEM_MUST_COPY);
	free(body);
	if (resp == NULL)
		return MHD_NO;
	if (len > 0)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/xml; charset=utf-8");
	if (status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"kms\"");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A refusal of the HTTP layer (before any access token is looked at). */
static enum MHD_Result refuse(struct MHD_Connection *con, unsigned status, const char *method,
			      const char *url, const char *reason)
{
	char peer[NI_MAXHOST], now[KMSXML_TIME_MAX] = "", m[104], u[104], *body = NULL;
	size_t len = 0;
	time_t t = time(NULL);
	struct tm tm;

	peer_of(con, peer, sizeof peer);
	printable(method, m, sizeof m);
	printable(url, u, sizeof u);
	if (gmtime_r(&t, &tm) != NULL)
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s %s %u user=- refused: %s\n", now, peer, m, u, status, reason);
	fflush(stderr);
	if (kms_error_doc(status, reason, "", "", "", &body, &len) != MST_OK)
		body = NULL, len = 0;
	return send_reply(con, status, body, len);
}

static int path_op(const char *url, kms_op *op)
{
	static const char *const names[] = { "init", "keyprov", "certcache" };
	size_t n = strlen(KMS_PATH_PREFIX), i;

	if (strncmp(url, KMS_PATH_PREFIX, n) != 0)
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(url + n, names[i]) == 0) {
			*op = (kms_op)i;
			return 1;
		}
	return 0;
}

/* First call of a request: its headers.  Refuse early what never can be
 * answered, so that its body is not even read. */
static enum MHD_Result start(struct MHD_Connection *con, const char *url, const char *method,
			     void **con_cls)
{
	const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	request *rq;
	kms_op op;

	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return refuse(con, 405, method, url, "only POST is served");
	if (!path_op(url, &op))
		return refuse(con, 404, method, url,
			      "no such resource (POST " KMS_PATH_PREFIX "init, keyprov or certcache)");
	if (cl != NULL && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > KMS_REQUEST_MAX))
		return refuse(con, 413, method, url, "request body larger than 16384 octets");
	if ((rq = malloc(sizeof *rq)) == NULL)
		return MHD_NO;
	rq->op = op;
	rq->len = 0;
	rq->too_big = 0;
	*con_cls = rq;
	return MHD_YES;
}

static enum MHD_Result finish(const server *srv, struct MHD_Connection *con, const char *method,
			      const char *url, request *rq)
{
	const char *next = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "next");
	char peer[NI_MAXHOST];
	kms_reply reply;
	kms_call call;

	if (rq->too_big)
		return refuse(con, 413, method, url, "request body larger than 16384 octets");
	if (next != NULL && strcmp(next, "0") != 0 && strcmp(next, "1") != 0)
		return refuse(con, 400, method, url, "query 'next' must be 0 or 1");
	peer_of(con, peer, sizeof peer);
	memset(&call, 0, sizeof call);
	call.dir = srv->dir;
	call.op = rq->op;
	call.authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_AUTHORIZATION);
	call.next = next != NULL && strcmp(next, "1") == 0;
	call.body = rq->body;
	call.body_len = rq->len;
	call.peer = peer;
	kms_handle(&call, &reply);
	return send_reply(con, reply.status, reply.body, reply.body_len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	request *rq = *con_cls;

	(void)version;
	if (rq == NULL)
		return start(con, url, method, con_cls);
	if (*upload_size > 0) {
		if (rq->too_big || *upload_size > KMS_REQUEST_MAX - rq->len) {
			rq->too_big = 1; /* keep reading to the end, keep nothing */
		} else {
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return finish(cls, con, method, url, rq);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	request *rq = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (rq != NULL) {
		secure_wipe(rq, sizeof *rq);
		free(rq);
		*con_cls = NULL;
	}
}

/* libmicrohttpd's messages (TLS handshake failures, ...): one line each. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[300];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	fprintf(stderr, "mstoken-kms: libmicrohttpd: %s\n", msg);
	fflush(stderr);
}

/* ADDR:PORT or [ADDR]:PORT into an address to bind. */
static mst_rc listen_addr(const char *listen, struct sockaddr_storage *sa, socklen_t *sa_len,
			  char *err, size_t err_len)
{
	char host[256];
	const char *colon = strrchr(listen, ':'), *h = listen;
	size_t hlen;
	struct addrinfo hints, *res = NULL;
	int e;

	if (colon == NULL || colon[1] == '\0')
		return kx_fail(err, err_len, MST_ERR_ARGS, "--listen: expected ADDR:PORT, got '%.80s'", listen);
	hlen = (size_t)(colon - listen);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof host)
		return kx_fail(err, err_len, MST_ERR_ARGS, "--listen: expected ADDR:PORT, got '%.80s'", listen);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(host, colon + 1, &hints, &res)) != 0)
		return kx_fail(err, err_len, MST_ERR_ARGS, "--listen %.80s: %s", listen, gai_strerror(e));
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*sa_len = res->ai_addrlen;
	freeaddrinfo(res);
	return MST_OK;
}

/* Everything the server needs, checked before it listens. */
static mst_rc preflight(const kms_serve_opts *o, char *summary, size_t summary_len,
			char *err, size_t err_len)
{
	kms_certificate cert;
	kms_secrets *s = secmem_alloc(sizeof *s);
	kms_users *users = NULL;
	mst_rc rc;

	if (s == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of locked memory");
	rc = kms_load_community(o->dir, &cert, s, err, err_len);
	secmem_free(s);
	if (rc == MST_OK && (rc = kms_users_load(o->dir, &users, err, err_len)) == MST_OK) {
		snprintf(summary, summary_len, "community %s, %zu user(s) enrolled", cert.kms_uri,
			 users->n);
		secmem_free(users);
	}
	return rc;
}

static struct MHD_Daemon *start_daemon(server *srv, const struct sockaddr_storage *sa,
				       const char *cert, const char *key)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TLS | MHD_USE_ERROR_LOG;

	if (sa->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
				MHD_OPTION_HTTPS_MEM_CERT, cert,
				MHD_OPTION_HTTPS_MEM_KEY, key,
				MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CONNECTIONS_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_END);
}

mst_rc kms_serve(const kms_serve_opts *o, char *err, size_t err_len)
{
	struct sockaddr_storage sa;
	socklen_t sa_len = 0;
	char summary[KMSXML_URI_MAX + 64] = "";
	uint8_t *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	server srv = { o->dir };
	sigset_t stop;
	int sig = 0;
	mst_rc rc;

	memset(&sa, 0, sizeof sa);
	if ((rc = listen_addr(o->listen, &sa, &sa_len, err, err_len)) != MST_OK ||
	    (rc = preflight(o, summary, sizeof summary, err, err_len)) != MST_OK ||
	    (rc = kms_read_file(o->cert, PEM_MAX, 0, &cert, &cert_len, err, err_len)) != MST_OK ||
	    (rc = kms_read_file(o->key, PEM_MAX, 1, &key, &key_len, err, err_len)) != MST_OK)
		goto out;
	/* the daemon's thread inherits this mask: only sigwait below sees them */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d = start_daemon(&srv, &sa, (const char *)cert, (const char *)key)) == NULL) {
		rc = kx_fail(err, err_len, MST_ERR_IO,
			     "cannot serve on %s with %s and %s (address in use, or not a PEM "
			     "certificate and matching key?)", o->listen, o->cert, o->key);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "mstoken-kms: %s\n", summary);
	fprintf(stderr, "mstoken-kms: listening on https://%.*s:%u (POST %sinit, keyprov, certcache)\n",
		(int)(strrchr(o->listen, ':') - o->listen), o->listen,
		info != NULL ? (unsigned)info->port : 0, KMS_PATH_PREFIX);
	fflush(stderr);
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, "mstoken-kms: stopping (signal %d)\n", sig);
	MHD_stop_daemon(d);
out:
	kms_release_file(cert, cert_len, 0);
	kms_release_file(key, key_len, 1);
	return rc;
}
