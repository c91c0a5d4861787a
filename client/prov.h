/* client/prov.h - mikey-sakke provision: a UE's side of the TS 33.180
 * Annex D KMS interface (doc/kms.md "KMS interface").  The client fetches
 * SignedKmsResponses over HTTPS (libcurl) and hands them to the token
 * untouched; only the token verifies and opens them.  The client holds the
 * enrolment's TrK and InK only long enough to give them to the token, and
 * never an SSK or RSK. */
#ifndef MS_PROV_H
#define MS_PROV_H

#include <stddef.h>
#include <stdint.h>
#include "client/p11.h"

#define PROV_KEY_LEN 32
#define PROV_ID_MAX 128
#define PROV_TEXT_MAX 512

/* Write a one-line reason into err and return -1. */
int prov_fail(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The enrolment file (mstoken-kms user enrol): the device's out-of-band
 * secret.  Wipe with prov_enrol_wipe(). */
struct prov_enrol {
	char kms_uri[PROV_TEXT_MAX];
	char user_uri[PROV_TEXT_MAX];
	char access_token[PROV_TEXT_MAX];
	char trk_id[PROV_ID_MAX], ink_id[PROV_ID_MAX];
	uint8_t trk[PROV_KEY_LEN], ink[PROV_KEY_LEN];
};

/* Read and check it (mode 0600 or stricter, every key once, hex keys);
 * on failure a one-line reason (never a value) in err. */
int prov_enrol_read(const char *path, struct prov_enrol *e, char *err, size_t err_len);
void prov_enrol_wipe(struct prov_enrol *e);

/* The body of a request. */
struct prov_body {
	char *data;
	size_t len;
};

/* POST a KmsRequest to <kms>/keymanagement/identity/v1/<op>[?next=1] with
 * the enrolment's access token; *http the HTTP status (0 when the KMS was
 * not reached).  0 when a 200 application/xml answer is in *out (free
 * out->data); -1 with err otherwise. */
int prov_http_post(const char *kms, const char *cacert, const char *op, int next,
		   const struct prov_enrol *e, struct prov_body *out, long *http,
		   char *err, size_t err_len);

/* ---- the token (prov_token.c) ---- */
/* TrK and InK of the enrolment as secret-key objects: token objects in a
 * user session, session objects in an SO session; those already there
 * (same ID) are kept.  CKR of the failing call or CKR_OK. */
CK_RV prov_token_put_keys(struct ms_p11 *p, const struct prov_enrol *e, int token);
/* C_CreateObject of the response as a data object of application app. */
CK_RV prov_token_import(struct ms_p11 *p, const char *app, const struct prov_body *b);
/* Is the community of this KmsUri in the token? */
int prov_token_has_community(struct ms_p11 *p, const char *kms_uri);
/* One line per community, key set and TrK/InK ("status"); with `since`
 * (handles seen before, may be NULL) only objects that are new.  Returns
 * the number of lines printed. */
struct prov_seen {
	CK_OBJECT_HANDLE h[256];
	size_t n;
};
void prov_token_snapshot(struct ms_p11 *p, struct prov_seen *s);
int prov_token_print(struct ms_p11 *p, const struct prov_seen *since, const char *prefix);
/* Key sets of user: delete (C_DestroyObject) those whose ValidTo has
 * passed, print each; *latest_end the latest ValidTo of the rest (0 when
 * none).  Number deleted, or -1. */
int prov_token_prune(struct ms_p11 *p, const char *user_uri, int64_t now, int64_t *latest_end);

/* The one-line reason a token gives for refusing a response. */
const char *prov_reason(CK_RV rv);
/* xsd:dateTime to Unix time; -1 when it is not one. */
int prov_time(const char *text, int64_t *out);

#endif
