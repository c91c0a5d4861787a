/* client/cli.c - mikey-sakke: create and accept I_MESSAGEs with keys kept in
 * a PKCS#11 token (see mikey-sakke(1)).
 *
 * Exit status: 0 accepted / created, 1 refused (one line on stderr naming
 * why), 2 usage or configuration error. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "mikeysakke/codec.h"
#include "mikeysakke/replay.h"
#include "mikeysakke/sdp.h"
#include "mikeysakke/session.h"
#include "client/cli.h"

#ifndef MS_DEFAULT_MODULE
#define MS_DEFAULT_MODULE "mstoken-pkcs11.so"
#endif

static void usage(FILE *f)
{
	fputs("usage: mikey-sakke create --module M --token LABEL --pin PIN --from URI --to URI [--to URI ...]\n"
	      "                          [--format sdp|base64] [--srtp aes-cm|aes-gcm] [--prf 0|1]\n"
	      "                          [--show-keys] [--out FILE] [--address A] [--port N]\n"
	      "                          [--announce ADDR:PORT]\n"
	      "       mikey-sakke accept --module M --token LABEL --pin PIN --in FILE\n"
	      "                          [--window SECONDS] [--return-imessage FILE] [--show-keys]\n"
	      "                          [--replay-cache FILE]\n"
	      "                          [--answer FILE [--address A] [--port N]]\n"
	      "       mikey-sakke accept ... --listen ADDR:PORT [--as URI] [--timeout SECONDS]\n", f);
}

static int usage_error(const char *what)
{
	fprintf(stderr, "mikey-sakke: %s\n", what);
	usage(stderr);
	return CLI_USAGE;
}

enum { O_MODULE = 256, O_TOKEN, O_PIN, O_FROM, O_TO, O_FORMAT, O_SRTP, O_PRF, O_SHOW, O_OUT,
       O_IN, O_WINDOW, O_RETURN, O_REPLAY, O_ADDRESS, O_PORT, O_HELP, O_ANNOUNCE, O_LISTEN,
       O_AS, O_TIMEOUT, O_ANSWER };

static const struct option options[] = {
	{ "module", required_argument, NULL, O_MODULE },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "pin", required_argument, NULL, O_PIN },
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "srtp", required_argument, NULL, O_SRTP },
	{ "prf", required_argument, NULL, O_PRF },
	{ "show-keys", no_argument, NULL, O_SHOW },
	{ "out", required_argument, NULL, O_OUT },
	{ "in", required_argument, NULL, O_IN },
	{ "window", required_argument, NULL, O_WINDOW },
	{ "return-imessage", required_argument, NULL, O_RETURN },
	{ "replay-cache", required_argument, NULL, O_REPLAY },
	{ "address", required_argument, NULL, O_ADDRESS },
	{ "port", required_argument, NULL, O_PORT },
	{ "help", no_argument, NULL, O_HELP },
	{ "announce", required_argument, NULL, O_ANNOUNCE },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "as", required_argument, NULL, O_AS },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "answer", required_argument, NULL, O_ANSWER },
	{ NULL, 0, NULL, 0 },
};

/* A whole decimal number in [lo, hi]. */
static int parse_num(const char *s, long lo, long hi, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return *s && !*end && *v >= lo && *v <= hi;
}

static int parse_args(int argc, char **argv, struct cli_args *a)
{
	int ch;
	long v;

	memset(a, 0, sizeof(*a));
	a->module = MS_DEFAULT_MODULE;
	a->suite = MS_SRTP_AEAD_AES_128_GCM;
	a->prf = 1;
	a->address = "127.0.0.1";
	a->port = 49170;
	a->timeout = 10;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case O_MODULE: a->module = optarg; break;
		case O_TOKEN: a->token = optarg; break;
		case O_PIN: a->pin = optarg; break;
		case O_FROM: a->from = optarg; break;
		case O_TO:
			if (a->n_to == MS_SDP_MAX_KEYS)
				return usage_error("too many --to (at most 16)");
			a->to[a->n_to++] = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "sdp") && strcmp(optarg, "base64"))
				return usage_error("--format must be sdp or base64");
			a->base64 = strcmp(optarg, "base64") == 0;
			break;
		case O_SRTP:
			if (ms_srtp_suite_from_name(optarg) < 0)
				return usage_error("--srtp must be aes-cm or aes-gcm");
			a->suite = (enum ms_srtp_suite)ms_srtp_suite_from_name(optarg);
			break;
		case O_PRF:
			if (!parse_num(optarg, 0, 1, &v))
				return usage_error("--prf must be 0 or 1");
			a->prf = (unsigned)v;
			break;
		case O_SHOW: a->show_keys = 1; break;
		case O_OUT: a->out = optarg; break;
		case O_IN: a->in = optarg; break;
		case O_WINDOW:
			if (!parse_num(optarg, 1, 86400 * 366, &v))
				return usage_error("--window must be a number of seconds (1..31622400)");
			a->window = v;
			break;
		case O_RETURN: a->ret = optarg; break;
		case O_REPLAY: a->replay = optarg; break;
		case O_ADDRESS: a->address = optarg; break;
		case O_PORT:
			if (!parse_num(optarg, 1, 65535, &v))
				return usage_error("--port must be 1..65535");
			a->port = (uint16_t)v;
			break;
		case O_ANNOUNCE: a->announce = optarg; break;
		case O_LISTEN: a->listen = optarg; break;
		case O_AS: a->as = optarg; break;
		case O_ANSWER: a->answer = optarg; break;
		case O_TIMEOUT:
			if (!parse_num(optarg, 1, 3600, &v))
				return usage_error("--timeout must be 1..3600 seconds");
			a->timeout = v;
			break;
		case O_HELP: usage(stdout); return CLI_HELP;
		default: return usage_error("unknown option");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	if (!a->token || !a->pin)
		return usage_error("--token and --pin are required");
	return CLI_OK;
}

void cli_print_keys(FILE *f, const struct ms_keys *k)
{
	unsigned i;
	char key[33], salt[29];

	for (i = 0; i < k->n; i++) {
		ms_hex_encode(k->cs[i].key, 16, key);
		ms_hex_encode(k->cs[i].salt, k->cs[i].salt_len, salt);
		fprintf(f, "cs=%u srtp-master-key=%s srtp-master-salt=%s\n", k->cs[i].cs_id, key, salt);
		OPENSSL_cleanse(key, sizeof(key));
		OPENSSL_cleanse(salt, sizeof(salt));
	}
}

int cli_open(const struct cli_args *a, struct ms_ctx **c)
{
	ms_rc rc = ms_ctx_open(c, a->module, a->token, a->pin);

	if (rc == MS_OK)
		return CLI_OK;
	if (rc == MS_ERR_CONFIG)
		fprintf(stderr, "mikey-sakke: cannot load module %s or find token \"%s\" in it\n",
			a->module, a->token);
	else
		fprintf(stderr, "mikey-sakke: cannot log in to token \"%s\": %s\n", a->token,
			ms_strerror(rc));
	return CLI_USAGE;
}

int main(int argc, char **argv)
{
	struct cli_args a;
	int rc;

	if (argc < 2)
		return usage_error("a command is required (create or accept)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "create") && strcmp(argv[1], "accept"))
		return usage_error("the command must be create or accept");
	rc = parse_args(argc, argv, &a);
	if (rc == CLI_HELP)
		return CLI_OK;
	if (rc != CLI_OK)
		return rc;
	rc = strcmp(argv[1], "create") == 0 ? cli_create(&a) : cli_accept(&a);
	if (a.pin)
		OPENSSL_cleanse(a.pin, strlen(a.pin));
	return rc;
}
