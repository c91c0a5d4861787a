/* kms/kms.h - mstoken-kms, a development KMS: the two commands and what
 * they share.  Every failure is an mst_rc plus a one-line reason in err,
 * which main() prints as "mstoken-kms: <reason>" before exiting with 2.
 */
#ifndef MST_KMS_H
#define MST_KMS_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"
#include "kms/secrets.h"

#define KMS_ERR_LEN 512
#define KMS_COMMUNITY_FILE "community.xml"
#define KMS_SECRETS_FILE "kms-secrets"

/* Defaults of "community create" (TS 33.180: 30-day periods from 1900). */
#define KMS_DEFAULT_FORMAT 2
#define KMS_DEFAULT_PERIOD 2592000u
#define KMS_DEFAULT_OFFSET 0u

typedef struct {
	const char *dir;
	const char *kms_uri;
	uint32_t user_id_format;
	uint64_t key_period;
	uint64_t key_offset;
	int wrapped;
	int force;
} kms_community_opts;

typedef struct {
	const char *dir;
	const char *uri;
	const char *out;
	int have_period_no;
	uint64_t period_no;
	int have_at;
	int64_t at;          /* Unix seconds */
	int wrapped;
} kms_issue_opts;

typedef struct {
	const char *dir;
	const char *uri;
	const char *out;
	int force;
} kms_enrol_opts;

typedef struct {
	const char *dir;
	const char *listen;  /* ADDR:PORT, [IPv6]:PORT; port 0 picks a free one */
	const char *cert;    /* PEM certificate (chain) of the server */
	const char *key;     /* PEM private key of the server */
} kms_serve_opts;

/* What a command line asked for. */
typedef enum { KMS_RUN, KMS_HELP } kms_action;

/* argv holds the options after "community create" / "user issue". */
mst_rc kms_parse_community_args(int argc, char **argv, kms_community_opts *o, kms_action *act,
				char *err, size_t err_len);
mst_rc kms_parse_issue_args(int argc, char **argv, kms_issue_opts *o, kms_action *act,
			    char *err, size_t err_len);

mst_rc kms_parse_enrol_args(int argc, char **argv, kms_enrol_opts *o, kms_action *act,
			    char *err, size_t err_len);
mst_rc kms_parse_serve_args(int argc, char **argv, kms_serve_opts *o, kms_action *act,
			    char *err, size_t err_len);

mst_rc kms_community_create(const kms_community_opts *o, char *err, size_t err_len);
mst_rc kms_user_issue(const kms_issue_opts *o, char *err, size_t err_len);
mst_rc kms_user_enrol(const kms_enrol_opts *o, char *err, size_t err_len);
/* o->out and o->force unused. */
mst_rc kms_user_rotate(const kms_enrol_opts *o, char *err, size_t err_len);
mst_rc kms_parse_rotate_args(int argc, char **argv, kms_enrol_opts *o, kms_action *act,
			     char *err, size_t err_len);
/* Runs until SIGINT or SIGTERM (MST_OK) or fails to start. */
mst_rc kms_serve(const kms_serve_opts *o, char *err, size_t err_len);

/* D/community.xml and D/kms-secrets, checked to belong together; s in
 * secmem memory. */
mst_rc kms_load_community(const char *dir, kms_certificate *cert, kms_secrets *s,
			  char *err, size_t err_len);
/* A validated key set for uri: of period period_no (have_period_no) or of
 * the period holding Unix time at.  k in secmem memory; zeroed on failure. */
mst_rc kms_issue_keyset(const kms_certificate *cert, const kms_secrets *s, const char *uri,
			int have_period_no, uint64_t period_no, int64_t at, kms_keyset *k,
			char *err, size_t err_len);

/* "dir/name" into out (cap octets); MST_ERR_RANGE when too long. */
mst_rc kms_path(char *out, size_t cap, const char *dir, const char *name, char *err, size_t err_len);

#endif
