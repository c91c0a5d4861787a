/* client/cli_provision.c - mikey-sakke provision init|keys|renew|status:
 * the UE end of the TS 33.180 Annex D KMS interface (issue 10).
 *
 *   init   (SO PIN)   the KmsInit, opened in the token with the enrolment's
 *                     TrK/InK as session keys of the SO: imports the
 *                     community; with --pin also stores TrK/InK for the
 *                     user and takes any rotated keys of the KmsInit
 *   keys   (user PIN) stores the TrK/InK (once), fetches the key sets
 *                     (--next: also the next period's), imports them
 *   renew  (user PIN) deletes key sets whose period has ended; fetches the
 *                     next period's when the latest ends within --before days
 *   status (user PIN) communities, key sets and their validity, TrK/InK IDs
 *
 * Exit status: 0 done, 1 refused (one line on stderr saying why), 2 usage
 * or configuration error.  Nothing printed is a key. */
#define _GNU_SOURCE 1
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include "client/cli.h"
#include "client/prov.h"

#ifndef MS_DEFAULT_MODULE
#define MS_DEFAULT_MODULE "mstoken-pkcs11.so"
#endif
#define DEFAULT_BEFORE_DAYS 7
#define ENROL_PAGES ((sizeof(struct prov_enrol) + 4095) / 4096 * 4096)

struct prov_args {
	const char *cmd, *kms, *cacert, *enrol, *token, *module;
	char *so_pin, *pin;
	int next;
	long before_days;
};

static void usage(FILE *f)
{
	fputs("usage: mikey-sakke provision init   --kms URL --cacert CA.pem --enrolment ENROL --token LABEL SO-PIN-SOURCE [PIN-SOURCE] [--module M]\n"
	      "       mikey-sakke provision keys   --kms URL --cacert CA.pem --enrolment ENROL --token LABEL PIN-SOURCE [--next] [--module M]\n"
	      "       mikey-sakke provision renew  --kms URL --cacert CA.pem --enrolment ENROL --token LABEL PIN-SOURCE [--before DAYS] [--module M]\n"
	      "       mikey-sakke provision status --token LABEL PIN-SOURCE [--module M]\n"
	      "PIN-SOURCE: --pin-fd N (first line read from descriptor N), or the MSTOKEN_PIN\n"
	      "environment variable, or --pin PIN (visible to other users in /proc).\n"
	      "SO-PIN-SOURCE: the same with --so-pin-fd N, MSTOKEN_SO_PIN, --so-pin PIN.\n", f);
}

static int usage_error(const char *what)
{
	fprintf(stderr, "mikey-sakke provision: %s\n", what);
	usage(stderr);
	return CLI_USAGE;
}

static int refused(const char *what, const char *why)
{
	fprintf(stderr, "mikey-sakke provision: %s: %s\n", what, why);
	return CLI_REFUSED;
}

enum { O_KMS = 256, O_CACERT, O_ENROL, O_TOKEN, O_SO_PIN, O_SO_PIN_FD, O_PIN, O_PIN_FD, O_NEXT,
       O_BEFORE, O_MODULE, O_HELP };

static const struct option options[] = {
	{ "kms", required_argument, NULL, O_KMS },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "enrolment", required_argument, NULL, O_ENROL },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "so-pin", required_argument, NULL, O_SO_PIN },
	{ "so-pin-fd", required_argument, NULL, O_SO_PIN_FD },
	{ "pin", required_argument, NULL, O_PIN },
	{ "pin-fd", required_argument, NULL, O_PIN_FD },
	{ "next", no_argument, NULL, O_NEXT },
	{ "before", required_argument, NULL, O_BEFORE },
	{ "module", required_argument, NULL, O_MODULE },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static int parse_args(int argc, char **argv, struct prov_args *a)
{
	char *end, *pin_arg = NULL, *so_pin_arg = NULL;
	const char *why;
	long pin_fd = -1, so_pin_fd = -1;
	int o;

	memset(a, 0, sizeof *a);
	a->module = MS_DEFAULT_MODULE;
	a->before_days = DEFAULT_BEFORE_DAYS;
	a->cmd = argv[1];
	optind = 2;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (o) {
		case O_KMS: a->kms = optarg; break;
		case O_CACERT: a->cacert = optarg; break;
		case O_ENROL: a->enrol = optarg; break;
		case O_TOKEN: a->token = optarg; break;
		case O_SO_PIN: so_pin_arg = optarg; break;
		case O_PIN: pin_arg = optarg; break;
		case O_SO_PIN_FD:
		case O_PIN_FD:
			if (!cli_parse_fd(optarg, o == O_PIN_FD ? &pin_fd : &so_pin_fd))
				return usage_error(o == O_PIN_FD ? "--pin-fd must be a file descriptor number"
						   : "--so-pin-fd must be a file descriptor number");
			break;
		case O_NEXT: a->next = 1; break;
		case O_MODULE: a->module = optarg; break;
		case O_BEFORE:
			a->before_days = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a->before_days < 0 || a->before_days > 3660)
				return usage_error("--before must be a number of days (0..3660)");
			break;
		case O_HELP: usage(stdout); return CLI_HELP;
		default: return usage_error("unknown option or missing value");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	/* as the other commands take it (cli.c): a descriptor or the
	 * environment keeps a PIN out of argv, which /proc shows */
	a->pin = cli_pin_take("pin", pin_arg, pin_fd, "MSTOKEN_PIN", &why);
	if (why)
		return usage_error(why);
	a->so_pin = cli_pin_take("so-pin", so_pin_arg, so_pin_fd, "MSTOKEN_SO_PIN", &why);
	if (why)
		return usage_error(why);
	if (!a->token)
		return usage_error("--token is required");
	if (strcmp(a->cmd, "status") != 0 && (!a->kms || !a->cacert || !a->enrol))
		return usage_error("--kms, --cacert and --enrolment are required");
	if (strcmp(a->cmd, "init") == 0 ? !a->so_pin : !a->pin)
		return usage_error(strcmp(a->cmd, "init") == 0
				   ? "init needs the SO PIN: --so-pin-fd N, MSTOKEN_SO_PIN or --so-pin"
				   : "a PIN is required: --pin-fd N, MSTOKEN_PIN or --pin");
	if (a->next && strcmp(a->cmd, "keys") != 0)
		return usage_error("--next belongs to keys");
	return CLI_OK;
}

static int open_token(const struct prov_args *a, struct ms_p11 *p, int so)
{
	ms_rc rc = ms_p11_open_as(p, a->module, a->token, so ? a->so_pin : a->pin,
				  so ? CKU_SO : CKU_USER);

	if (rc == MS_OK)
		return CLI_OK;
	if (rc == MS_ERR_CONFIG)
		fprintf(stderr, "mikey-sakke provision: cannot load module %s or find token \"%s\" in it\n",
			a->module, a->token);
	else
		fprintf(stderr, "mikey-sakke provision: cannot log in to token \"%s\" as the %s: %s "
			"(CKR 0x%lx)\n", a->token, so ? "SO" : "user", p->last_call,
			(unsigned long)p->last_rv);
	return CLI_USAGE;
}

static int fetch(const struct prov_args *a, const struct prov_enrol *e, const char *op, int next,
		 struct prov_body *b)
{
	char err[512];
	long http = 0;

	if (prov_http_post(a->kms, a->cacert, op, next, e, b, &http, err, sizeof err) == 0)
		return CLI_OK;
	return refused(op, err);
}

/* Import b into the token as app; print what is new since `before` (the
 * caller's snapshot, NULL: now). */
static int import(struct ms_p11 *p, const char *what, const char *app, const struct prov_body *b,
		  const struct prov_seen *since)
{
	struct prov_seen *before = calloc(1, sizeof *before);
	CK_RV rv;

	if (before == NULL)
		return refused(what, "out of memory");
	if (since != NULL)
		*before = *since;
	else
		prov_token_snapshot(p, before);
	rv = prov_token_import(p, app, b);
	if (rv == CKR_MSTOKEN_KMS_NOTHING_NEW) {
		printf("nothing new: the token holds every key set of the %s response\n", what);
		free(before);
		return CLI_OK;
	}
	if (rv != CKR_OK) {
		char why[160];
		snprintf(why, sizeof why, "%s (CKR 0x%lx)", prov_reason(rv), (unsigned long)rv);
		free(before);
		return refused(what, why);
	}
	prov_token_print(p, before, "imported ");
	free(before);
	return CLI_OK;
}

static int put_keys(struct ms_p11 *p, const struct prov_enrol *e, int token)
{
	CK_RV rv = prov_token_put_keys(p, e, token);
	char why[96];

	if (rv == CKR_OK)
		return CLI_OK;
	snprintf(why, sizeof why, "the token refused them (CKR 0x%lx)", (unsigned long)rv);
	return refused("TrK/InK", why);
}

/* The user's half of init (--pin): the TrK/InK kept, and the KmsInit
 * imported again by the user for any rotated TrK/InK it carries (b: the
 * SO's copy, or NULL to fetch one). */
static int init_user(const struct prov_args *a, const struct prov_enrol *e, struct prov_body *b)
{
	struct prov_seen *before = calloc(1, sizeof *before);
	struct ms_p11 p;
	CK_RV rv;
	int rc;

	if (before == NULL)
		return refused("init", "out of memory");
	if ((rc = open_token(a, &p, 0)) != CLI_OK) {
		free(before);
		return rc;
	}
	prov_token_snapshot(&p, before);
	rc = put_keys(&p, e, 1);
	if (rc == CLI_OK && b->data == NULL)
		rc = fetch(a, e, "init", 0, b);
	if (rc == CLI_OK && (rv = prov_token_import(&p, MSTOKEN_APP_KMS_CERTIFICATE, b)) != CKR_OK) {
		char why[160];
		snprintf(why, sizeof why, "%s (CKR 0x%lx)", prov_reason(rv), (unsigned long)rv);
		rc = refused("init (user)", why);
	}
	if (rc == CLI_OK)
		prov_token_print(&p, before, "stored ");
	free(before);
	ms_p11_close(&p);
	return rc;
}

static int cmd_init(const struct prov_args *a, const struct prov_enrol *e)
{
	struct ms_p11 p;
	struct prov_body b = { NULL, 0 };
	int rc;

	if ((rc = open_token(a, &p, 1)) != CLI_OK)
		return rc;
	if (prov_token_has_community(&p, e->kms_uri)) {
		printf("community %s is already in the token\n", e->kms_uri);
	} else {
		/* the SO holds the enrolment's keys for this session only */
		rc = put_keys(&p, e, 0);
		if (rc == CLI_OK)
			rc = fetch(a, e, "init", 0, &b);
		if (rc == CLI_OK)
			rc = import(&p, "init", MSTOKEN_APP_KMS_CERTIFICATE, &b, NULL);
	}
	ms_p11_close(&p);
	if (rc == CLI_OK && a->pin != NULL)
		rc = init_user(a, e, &b);
	else if (rc == CLI_OK)
		printf("the TrK and InK are stored for the user by 'provision keys'\n");
	free(b.data);
	return rc;
}

static int cmd_keys(const struct prov_args *a, const struct prov_enrol *e, int next)
{
	struct ms_p11 p;
	struct prov_body b = { NULL, 0 };
	struct prov_seen *before = calloc(1, sizeof *before);
	int rc;

	if (before == NULL)
		return refused("keyprov", "out of memory");
	if ((rc = open_token(a, &p, 0)) != CLI_OK) {
		free(before);
		return rc;
	}
	prov_token_snapshot(&p, before);
	rc = put_keys(&p, e, 1);
	if (rc == CLI_OK)
		rc = fetch(a, e, "keyprov", next, &b);
	if (rc == CLI_OK)
		rc = import(&p, "keyprov", MSTOKEN_APP_KMS_KEYSET, &b, before);
	free(before);
	free(b.data);
	ms_p11_close(&p);
	return rc;
}

static int cmd_renew(const struct prov_args *a, const struct prov_enrol *e)
{
	struct ms_p11 p;
	int64_t now = (int64_t)time(NULL), end = 0;
	int rc, deleted;
	char when[32];

	if ((rc = open_token(a, &p, 0)) != CLI_OK)
		return rc;
	deleted = prov_token_prune(&p, e->user_uri, now, &end);
	ms_p11_close(&p);
	if (deleted < 0)
		return refused("renew", "cannot list the key sets");
	if (end != 0 && end - now > a->before_days * 86400) {
		time_t t = (time_t)end;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("key sets of %s valid until %s, more than %ld days: nothing to fetch\n",
		       e->user_uri, when, a->before_days);
		return CLI_OK;
	}
	return cmd_keys(a, e, 1);
}

static int cmd_status(const struct prov_args *a)
{
	struct ms_p11 p;
	int rc;

	if ((rc = open_token(a, &p, 0)) != CLI_OK)
		return rc;
	if (prov_token_print(&p, NULL, "") == 0)
		printf("token \"%s\" holds no community, key set or KMS key\n", a->token);
	ms_p11_close(&p);
	return CLI_OK;
}

int cli_provision(int argc, char **argv)
{
	struct prov_args a;
	struct prov_enrol *e = NULL;
	char err[512];
	int rc;

	if (argc < 2 || (strcmp(argv[1], "init") && strcmp(argv[1], "keys") &&
			 strcmp(argv[1], "renew") && strcmp(argv[1], "status"))) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
			usage(stdout);
			return CLI_OK;
		}
		return usage_error("the command must be init, keys, renew or status");
	}
	rc = parse_args(argc, argv, &a);
	if (rc != CLI_OK) {
		cli_pin_wipe(a.pin);
		cli_pin_wipe(a.so_pin);
		return rc == CLI_HELP ? CLI_OK : rc;
	}
	if (strcmp(a.cmd, "status") == 0) {
		rc = cmd_status(&a);
		goto out;
	}
	/* the enrolment's TrK/InK: pages of their own, locked, out of core
	 * dumps, wiped */
	if (posix_memalign((void **)&e, 4096, ENROL_PAGES) != 0) {
		e = NULL;
		rc = refused(a.cmd, "out of memory");
		goto out;
	}
	memset(e, 0, ENROL_PAGES);
	(void)mlock(e, ENROL_PAGES);
	(void)madvise(e, ENROL_PAGES, MADV_DONTDUMP);
	if (prov_enrol_read(a.enrol, e, err, sizeof err) != 0) {
		fprintf(stderr, "mikey-sakke provision: %s\n", err);
		rc = CLI_USAGE;
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = refused(a.cmd, "cannot initialise libcurl");
		goto out;
	}
	if (strcmp(a.cmd, "init") == 0)
		rc = cmd_init(&a, e);
	else if (strcmp(a.cmd, "keys") == 0)
		rc = cmd_keys(&a, e, a.next);
	else
		rc = cmd_renew(&a, e);
	curl_global_cleanup();
out:
	if (e != NULL) {
		prov_enrol_wipe(e);
		munlock(e, ENROL_PAGES);
		free(e);
	}
	cli_pin_wipe(a.pin);
	cli_pin_wipe(a.so_pin);
	return rc;
}

int cli_parse_time(const char *s, int64_t *out)
{
	char *end;
	long long v;
	size_t n = strlen(s);

	if (s[0] == '@') {
		v = strtoll(s + 1, &end, 10);
		if (s[1] == '\0' || *end != '\0' || v <= 0)
			return -1;
		*out = (int64_t)v;
		return 0;
	}
	if (n != 20 || s[19] != 'Z')
		return -1;
	return prov_time(s, out) == 0 && *out > 0 ? 0 : -1;
}
