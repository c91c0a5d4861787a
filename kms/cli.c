/* kms/cli.c - the options of "community create" and "user issue".
 * getopt_long with its own messages off, so that every problem is one
 * line in our format that names the option. */
#include "config.h"
#include "kms/kms.h"
#include "kms/period.h"
#include "token/kmsxml_doc.h"

#include <getopt.h>
#include <string.h>

enum {
	O_DIR = 1, O_KMS_URI, O_FORMAT, O_PERIOD, O_OFFSET, O_WRAPPED, O_FORCE,
	O_URI, O_PERIOD_NO, O_AT, O_OUT, O_HELP, O_LISTEN, O_CERT, O_KEY
};

static const struct option community_options[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "kms-uri", required_argument, NULL, O_KMS_URI },
	{ "user-id-format", required_argument, NULL, O_FORMAT },
	{ "key-period", required_argument, NULL, O_PERIOD },
	{ "key-offset", required_argument, NULL, O_OFFSET },
	{ "wrapped", no_argument, NULL, O_WRAPPED },
	{ "force", no_argument, NULL, O_FORCE },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option issue_options[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "uri", required_argument, NULL, O_URI },
	{ "period-no", required_argument, NULL, O_PERIOD_NO },
	{ "at", required_argument, NULL, O_AT },
	{ "out", required_argument, NULL, O_OUT },
	{ "wrapped", no_argument, NULL, O_WRAPPED },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option enrol_options[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "uri", required_argument, NULL, O_URI },
	{ "out", required_argument, NULL, O_OUT },
	{ "force", no_argument, NULL, O_FORCE },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option rotate_options[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "uri", required_argument, NULL, O_URI },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option serve_options[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "cert", required_argument, NULL, O_CERT },
	{ "key", required_argument, NULL, O_KEY },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

/* Decimal, no sign, fits in 64 bits. */
static mst_rc parse_u64(const char *opt, const char *s, uint64_t *v, char *err, size_t err_len)
{
	uint64_t acc = 0;
	const char *p = s;

	if (*p == '\0')
		goto bad;
	for (; *p != '\0'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (*p < '0' || *p > '9' || acc > (UINT64_MAX - d) / 10)
			goto bad;
		acc = acc * 10 + d;
	}
	*v = acc;
	return MST_OK;
bad:
	return kx_fail(err, err_len, MST_ERR_PARSE,
		       "%s: expected a whole number below 2^64, got '%.40s'", opt, s);
}

/* A URI we can write into the XML and read back: 1..511 characters,
 * no control characters. */
static mst_rc check_uri(const char *opt, const char *s, char *err, size_t err_len)
{
	const char *p;

	if (s == NULL || s[0] == '\0')
		return kx_fail(err, err_len, MST_ERR_ARGS, "%s is required", opt);
	if (strlen(s) >= KMSXML_URI_MAX)
		return kx_fail(err, err_len, MST_ERR_RANGE, "%s: longer than %d characters", opt,
			       KMSXML_URI_MAX - 1);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s: holds a control character", opt);
	return MST_OK;
}

/* Shared loop: each recognised option goes to handle(); the rest is an
 * error naming the word that was not understood. */
typedef mst_rc (*option_fn)(int id, const char *arg, void *o, kms_action *act, char *err,
			    size_t err_len);

static mst_rc parse_args(int argc, char **argv, const struct option *opts, option_fn handle,
			 void *o, kms_action *act, char *err, size_t err_len)
{
	int id;
	mst_rc rc;

	*act = KMS_RUN;
	opterr = 0;
	optind = 1;
	while ((id = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (id == '?')
			return kx_fail(err, err_len, MST_ERR_ARGS, "unknown option '%.60s'",
				       argv[optind - 1]);
		if (id == ':')
			return kx_fail(err, err_len, MST_ERR_ARGS, "option '%.60s' needs a value",
				       argv[optind - 1]);
		if ((rc = handle(id, optarg, o, act, err, err_len)) != MST_OK)
			return rc;
	}
	if (optind < argc)
		return kx_fail(err, err_len, MST_ERR_ARGS, "unexpected argument '%.60s'", argv[optind]);
	return MST_OK;
}

static mst_rc community_option(int id, const char *arg, void *v, kms_action *act, char *err,
			       size_t err_len)
{
	kms_community_opts *o = v;
	uint64_t format;
	mst_rc rc = MST_OK;

	switch (id) {
	case O_DIR: o->dir = arg; break;
	case O_KMS_URI: o->kms_uri = arg; break;
	case O_WRAPPED: o->wrapped = 1; break;
	case O_FORCE: o->force = 1; break;
	case O_HELP: *act = KMS_HELP; break;
	case O_PERIOD:
		rc = parse_u64("--key-period", arg, &o->key_period, err, err_len);
		if (rc == MST_OK && o->key_period == 0)
			rc = kx_fail(err, err_len, MST_ERR_RANGE, "--key-period: must be positive");
		break;
	case O_OFFSET:
		rc = parse_u64("--key-offset", arg, &o->key_offset, err, err_len);
		break;
	case O_FORMAT:
		if (strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0)
			return kx_fail(err, err_len, MST_ERR_RANGE,
				       "--user-id-format: expected 1 (RFC 6509) or 2 (TS 33.180 UID), "
				       "got '%.40s'", arg);
		rc = parse_u64("--user-id-format", arg, &format, err, err_len);
		o->user_id_format = (uint32_t)format;
		break;
	}
	return rc;
}

mst_rc kms_parse_community_args(int argc, char **argv, kms_community_opts *o, kms_action *act,
				char *err, size_t err_len)
{
	mst_rc rc;

	memset(o, 0, sizeof *o);
	o->user_id_format = KMS_DEFAULT_FORMAT;
	o->key_period = KMS_DEFAULT_PERIOD;
	o->key_offset = KMS_DEFAULT_OFFSET;
	rc = parse_args(argc, argv, community_options, community_option, o, act, err, err_len);
	if (rc != MST_OK || *act == KMS_HELP)
		return rc;
	if (o->dir == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "community create: --dir is required");
	return check_uri("community create: --kms-uri", o->kms_uri, err, err_len);
}

static mst_rc issue_option(int id, const char *arg, void *v, kms_action *act, char *err,
			   size_t err_len)
{
	kms_issue_opts *o = v;

	switch (id) {
	case O_DIR: o->dir = arg; break;
	case O_URI: o->uri = arg; break;
	case O_OUT: o->out = arg; break;
	case O_WRAPPED: o->wrapped = 1; break;
	case O_HELP: *act = KMS_HELP; break;
	case O_PERIOD_NO:
		o->have_period_no = 1;
		return parse_u64("--period-no", arg, &o->period_no, err, err_len);
	case O_AT:
		o->have_at = 1;
		return kms_parse_time(arg, &o->at, err, err_len);
	}
	return MST_OK;
}

mst_rc kms_parse_issue_args(int argc, char **argv, kms_issue_opts *o, kms_action *act,
			    char *err, size_t err_len)
{
	mst_rc rc;

	memset(o, 0, sizeof *o);
	rc = parse_args(argc, argv, issue_options, issue_option, o, act, err, err_len);
	if (rc != MST_OK || *act == KMS_HELP)
		return rc;
	if (o->dir == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "user issue: --dir is required");
	if ((rc = check_uri("user issue: --uri", o->uri, err, err_len)) != MST_OK)
		return rc;
	if (o->out == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "user issue: --out is required");
	if (o->have_period_no && o->have_at)
		return kx_fail(err, err_len, MST_ERR_ARGS, "user issue: give --period-no or --at, not both");
	return MST_OK;
}

static mst_rc enrol_option(int id, const char *arg, void *v, kms_action *act, char *err,
			   size_t err_len)
{
	kms_enrol_opts *o = v;

	switch (id) {
	case O_DIR: o->dir = arg; break;
	case O_URI: o->uri = arg; break;
	case O_OUT: o->out = arg; break;
	case O_FORCE: o->force = 1; break;
	case O_HELP: *act = KMS_HELP; break;
	}
	return MST_OK;
}

mst_rc kms_parse_enrol_args(int argc, char **argv, kms_enrol_opts *o, kms_action *act,
			    char *err, size_t err_len)
{
	mst_rc rc;

	memset(o, 0, sizeof *o);
	rc = parse_args(argc, argv, enrol_options, enrol_option, o, act, err, err_len);
	if (rc != MST_OK || *act == KMS_HELP)
		return rc;
	if (o->dir == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "user enrol: --dir is required");
	if ((rc = check_uri("user enrol: --uri", o->uri, err, err_len)) != MST_OK)
		return rc;
	if (o->out == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "user enrol: --out is required");
	return MST_OK;
}

mst_rc kms_parse_rotate_args(int argc, char **argv, kms_enrol_opts *o, kms_action *act,
			     char *err, size_t err_len)
{
	mst_rc rc;

	memset(o, 0, sizeof *o);
	rc = parse_args(argc, argv, rotate_options, enrol_option, o, act, err, err_len);
	if (rc != MST_OK || *act == KMS_HELP)
		return rc;
	if (o->dir == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "user rotate: --dir is required");
	return check_uri("user rotate: --uri", o->uri, err, err_len);
}

static mst_rc serve_option(int id, const char *arg, void *v, kms_action *act, char *err,
			   size_t err_len)
{
	kms_serve_opts *o = v;

	switch (id) {
	case O_DIR: o->dir = arg; break;
	case O_LISTEN: o->listen = arg; break;
	case O_CERT: o->cert = arg; break;
	case O_KEY: o->key = arg; break;
	case O_HELP: *act = KMS_HELP; break;
	}
	return MST_OK;
}

mst_rc kms_parse_serve_args(int argc, char **argv, kms_serve_opts *o, kms_action *act,
			    char *err, size_t err_len)
{
	mst_rc rc;

	memset(o, 0, sizeof *o);
	rc = parse_args(argc, argv, serve_options, serve_option, o, act, err, err_len);
	if (rc != MST_OK || *act == KMS_HELP)
		return rc;
	if (o->dir == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "serve: --dir is required");
	if (o->listen == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS, "serve: --listen ADDR:PORT is required");
	if (o->cert == NULL || o->key == NULL)
		return kx_fail(err, err_len, MST_ERR_ARGS,
			       "serve: --cert and --key are required (the server speaks HTTPS only)");
	return MST_OK;
}
