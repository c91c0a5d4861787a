/* kms/serve.h - internals of "mstoken-kms serve" (kms/serve*.c).
 *
 * serve.c       the HTTPS daemon (libmicrohttpd + GnuTLS): method, path,
 *               body size, and hands each complete request to kms_handle();
 * serve_handle.c one request, independent of HTTP: access token, KmsRequest,
 *               user, community, response, signature, log line;
 * serve_xml.c   the KmsRequest reader and the response documents (libxml2
 *               tree; secrets only ever reach it wrapped, through
 *               token/kmsxml_sec.h).
 */
#ifndef MST_KMS_SERVE_H
#define MST_KMS_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>
#include "kms/users.h"
#include "token/kmsxml.h"

#define KMS_REQUEST_MAX (16 * 1024)  /* a KmsRequest is a few hundred octets */
#define KMS_PATH_PREFIX "/keymanagement/identity/v1/"

typedef enum { KMS_OP_INIT, KMS_OP_KEYPROV, KMS_OP_CERTCACHE } kms_op;

/* One complete request. */
typedef struct {
	const char *dir;
	kms_op op;
	const char *authorization; /* the header, NULL when absent */
	int next;                  /* keyprov: also the next key period */
	const uint8_t *body;
	size_t body_len;
	const char *peer;          /* client address, for the log */
} kms_call;

typedef struct {
	unsigned status;   /* HTTP status */
	char *body;        /* malloc'd application/xml, or NULL */
	size_t body_len;
} kms_reply;

/* Answer one request; r->body is freed by the caller.  Writes one log
 * line (stderr) naming the peer, the operation, the status, the user of
 * the access token and, for an issue, the UserIDs and key periods. */
void kms_handle(const kms_call *call, kms_reply *r);

/* The KmsRequest body (TS 33.180 D.2.2). */
typedef struct {
	char user_uri[KMSXML_URI_MAX];
	char kms_uri[KMSXML_URI_MAX];
	char time[KMSXML_TIME_MAX];
	char client_req_url[KMSXML_URI_MAX];
} kms_request;

mst_rc kms_request_parse(const uint8_t *body, size_t len, kms_request *req,
			 char *err, size_t err_len);

/* A response under construction: SignedKmsResponse/KmsResponse[Id] with
 * its header (UserUri, KmsUri, Time now, ClientReqUrl) and an empty
 * KmsMessage. */
typedef struct {
	xmlDocPtr doc;
	xmlNodePtr response;  /* KmsResponse */
	xmlNodePtr message;   /* KmsMessage */
	xmlNsPtr ns;          /* the KMS namespace */
	xmlNsPtr xsi;         /* XML Schema instance (xsi:type) */
} kms_resp;

mst_rc kms_resp_new(kms_resp *r, const char *user_uri, const char *kms_uri,
		    const char *client_req_url);
/* KmsMessage/KmsInit with the community's KmsCertificate; for a user with
 * pending keys (u->rotating) also NewTransportKey and NewIntegrityKey,
 * wrapped under the current TrK, CarriedKeyName their new IDs. */
mst_rc kms_resp_init(kms_resp *r, const kms_certificate *c, const kms_user *u,
		     char *err, size_t err_len);
/* KmsMessage/KmsCertCache with the certificates (n of them). */
mst_rc kms_resp_certcache(kms_resp *r, const kms_certificate *c, size_t n);
/* KmsMessage/KmsKeyProv, empty; then one kms_resp_keyset per key set. */
mst_rc kms_resp_keyprov(kms_resp *r, xmlNodePtr *keyprov);
/* A KmsKeySet with UserDecryptKey and UserSigningKeySSK each an
 * xenc:EncryptedKey under trk (ds:KeyName trk_id). */
mst_rc kms_resp_keyset(kms_resp *r, xmlNodePtr keyprov, const kms_keyset *k,
		       const uint8_t trk[KMS_KEY_LEN], const char *trk_id, char *err, size_t err_len);
/* The document as text (*out malloc'd, NUL-terminated). */
mst_rc kms_resp_text(const kms_resp *r, char **out, size_t *out_len);
void kms_resp_free(kms_resp *r);

/* An unsigned KmsResponse holding KmsError (ErrorCode = the HTTP status,
 * ErrorMsg = reason), for refusals. */
mst_rc kms_error_doc(unsigned status, const char *reason, const char *user_uri,
		     const char *kms_uri, const char *client_req_url, char **out, size_t *out_len);

#endif
