/* client/cli.c - mikey-sakke: create and accept I_MESSAGEs with keys kept in
 * a PKCS#11 token (see mikey-sakke(1)).
 *
 * Exit status: 0 accepted / created, 1 refused (one line on stderr naming
 * why), 2 usage or configuration error. */
#define _GNU_SOURCE 1   /* secure_getenv */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "mikeysakke/codec.h"
#include "mikeysakke/pool.h"
#include "mikeysakke/replay.h"
#include "mikeysakke/sdp.h"
#include "mikeysakke/session.h"
#include "client/cli.h"

#ifndef MS_DEFAULT_MODULE
#define MS_DEFAULT_MODULE "mstoken-pkcs11.so"
#endif

static void usage(FILE *f)
{
	fputs("usage: mikey-sakke create --module M --token LABEL PIN-SOURCE --from URI --to URI [--to URI ...]\n"
	      "                          [--format sdp|base64] [--srtp aes-cm|aes-gcm] [--prf 0|1]\n"
	      "                          [--show-keys] [--out FILE] [--address A] [--port N]\n"
	      "                          [--announce ADDR:PORT] [--at TIME]\n"
	      "       mikey-sakke accept --module M --token LABEL PIN-SOURCE --in FILE\n"
	      "                          [--window SECONDS] [--return-imessage FILE] [--show-keys]\n"
	      "                          [--replay-cache FILE] [--at TIME]\n"
	      "                          [--answer FILE [--address A] [--port N]]\n"
	      "       mikey-sakke accept ... --listen ADDR:PORT [--as URI] [--timeout SECONDS]\n"
	      "       mikey-sakke provision init|keys|renew|status ... (mikey-sakke provision --help)\n"
	      "       mikey-sakke ue --module M --token LABEL PIN-SOURCE --uri URI --proxy SIP-URI\n"
	      "                      [--password-file FILE] [--auth-user NAME] [--expires SECONDS]\n"
	      "                      [--call URI [--pool N] | --auto-answer] [--calls N] [--timeout SECONDS]\n"
	      "                      [--media tone|FILE] [--duration SECONDS] [--sent FILE] [--received FILE]\n"
	      "                      [--srtp aes-cm|aes-gcm] [--prf 0|1] [--address A] [--port N]\n"
	      "                      [--sip-port N] [--no-100rel] [--tls DIR] [--show-keys] [--window S]\n"
	      "                      [--replay-cache FILE]\n"
	      "PIN-SOURCE: --pin-fd N (first line read from descriptor N), or the MSTOKEN_PIN\n"
	      "            environment variable, or --pin PIN (visible to other users in /proc)\n", f);
}

static int usage_error(const char *what)
{
	fprintf(stderr, "mikey-sakke: %s\n", what);
	usage(stderr);
	return CLI_USAGE;
}

enum { O_MODULE = 256, O_TOKEN, O_PIN, O_FROM, O_TO, O_FORMAT, O_SRTP, O_PRF, O_SHOW, O_OUT,
       O_IN, O_WINDOW, O_RETURN, O_REPLAY, O_ADDRESS, O_PORT, O_HELP, O_ANNOUNCE, O_LISTEN,
       O_AS, O_TIMEOUT, O_ANSWER, O_AT, O_URI, O_PROXY, O_AUTH_USER, O_PASSWORD_FILE, O_CALL,
       O_AUTO_ANSWER, O_MEDIA, O_DURATION, O_SENT, O_RECEIVED, O_EXPIRES, O_CALLS, O_POOL,
       O_SIP_PORT, O_NO_100REL, O_TLS, O_PIN_FD };

static const struct option options[] = {
	{ "module", required_argument, NULL, O_MODULE },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "pin", required_argument, NULL, O_PIN },
	{ "pin-fd", required_argument, NULL, O_PIN_FD },
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
	{ "at", required_argument, NULL, O_AT },
	{ "uri", required_argument, NULL, O_URI },
	{ "proxy", required_argument, NULL, O_PROXY },
	{ "auth-user", required_argument, NULL, O_AUTH_USER },
	{ "password-file", required_argument, NULL, O_PASSWORD_FILE },
	{ "call", required_argument, NULL, O_CALL },
	{ "auto-answer", no_argument, NULL, O_AUTO_ANSWER },
	{ "media", required_argument, NULL, O_MEDIA },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "sent", required_argument, NULL, O_SENT },
	{ "received", required_argument, NULL, O_RECEIVED },
	{ "expires", required_argument, NULL, O_EXPIRES },
	{ "calls", required_argument, NULL, O_CALLS },
	{ "pool", required_argument, NULL, O_POOL },
	{ "sip-port", required_argument, NULL, O_SIP_PORT },
	{ "no-100rel", no_argument, NULL, O_NO_100REL },
	{ "tls", required_argument, NULL, O_TLS },
	{ NULL, 0, NULL, 0 },
};

/* A whole decimal number in [lo, hi]. */
static int parse_num(const char *s, long lo, long hi, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return *s && !*end && *v >= lo && *v <= hi;
}

#define PIN_MAX 256

/* A PIN copied out of where it came from, which is then wiped: argv shows in
 * /proc/PID/cmdline to every user, the environment in /proc/PID/environ to
 * the same user. */
static char *pin_copy(char *src)
{
	size_t n = strlen(src);
	char *pin = n <= PIN_MAX ? OPENSSL_secure_malloc(n + 1) : NULL;

	if (pin != NULL)
		memcpy(pin, src, n + 1);
	OPENSSL_cleanse(src, n);
	return pin;
}

/* The first line of descriptor fd (a pipe, a file, a terminal), at most
 * PIN_MAX octets; the descriptor is closed. */
static char *pin_from_fd(int fd)
{
	char *pin = OPENSSL_secure_malloc(PIN_MAX + 1);
	size_t n = 0;

	if (pin == NULL)
		return NULL;
	while (n <= PIN_MAX) {
		ssize_t r = read(fd, pin + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || pin[n] == '\n')
			break;
		n++;
	}
	close(fd);
	if (n > PIN_MAX || n == 0) {
		OPENSSL_secure_clear_free(pin, PIN_MAX + 1);
		return NULL;
	}
	if (n > 0 && pin[n - 1] == '\r')
		n--;
	pin[n] = '\0';
	return pin;
}

void cli_pin_wipe(char *pin)
{
	if (pin)
		OPENSSL_secure_clear_free(pin, strlen(pin) + 1);
}

void cli_pin_free(struct cli_args *a)
{
	cli_pin_wipe(a->pin);
	a->pin = NULL;
}

int cli_parse_fd(const char *s, long *fd)
{
	return parse_num(s, 0, 1 << 20, fd);
}

char *cli_pin_take(const char *opt, char *arg, long fd, const char *env, const char **why)
{
	static _Thread_local char msg[128];
	char *from_env = secure_getenv(env), *pin = NULL;

	*why = NULL;
	if (arg && fd >= 0) {
		snprintf(msg, sizeof msg, "give the PIN once: --%s or --%s-fd", opt, opt);
		*why = msg;
	} else if (arg) {
		pin = pin_copy(arg);
	} else if (fd >= 0) {
		pin = pin_from_fd((int)fd);
		if (!pin) {
			snprintf(msg, sizeof msg, "--%s-fd: no PIN line could be read (at most %d octets)",
				 opt, PIN_MAX);
			*why = msg;
		}
	} else if (from_env && *from_env) {
		pin = pin_copy(from_env);
	}
	if (from_env)
		unsetenv(env);  /* not passed on to anything we start */
	return pin;
}

static int parse_args(int argc, char **argv, struct cli_args *a)
{
	char *pin_arg = NULL;
	const char *why;
	long pin_fd = -1;
	int ch;
	long v;

	memset(a, 0, sizeof(*a));
	a->module = MS_DEFAULT_MODULE;
	a->suite = MS_SRTP_AEAD_AES_128_GCM;
	a->prf = 1;
	a->address = "127.0.0.1";
	a->port = 49170;
	a->timeout = 10;
	a->duration = 3;
	a->expires = 600;
	a->pool = 1;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case O_MODULE: a->module = optarg; break;
		case O_TOKEN: a->token = optarg; break;
		case O_PIN: pin_arg = optarg; break;
		case O_PIN_FD:
			if (!cli_parse_fd(optarg, &pin_fd))
				return usage_error("--pin-fd must be a file descriptor number");
			break;
		case O_FROM: a->from = optarg; break;
		case O_TO:
			if (a->n_to == MS_MAX_RECIPIENTS)
				return usage_error("too many --to (at most 4096)");
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
			a->port_set = 1;
			break;
		case O_ANNOUNCE: a->announce = optarg; break;
		case O_LISTEN: a->listen = optarg; break;
		case O_AS: a->as = optarg; break;
		case O_ANSWER: a->answer = optarg; break;
		case O_AT:
			if (cli_parse_time(optarg, &a->at) != 0)
				return usage_error("--at must be YYYY-MM-DDThh:mm:ssZ or @<Unix seconds>");
			break;
		case O_TIMEOUT:
			if (!parse_num(optarg, 1, 3600, &v))
				return usage_error("--timeout must be 1..3600 seconds");
			a->timeout = v;
			break;
		case O_URI: a->uri = optarg; break;
		case O_PROXY: a->proxy = optarg; break;
		case O_AUTH_USER: a->auth_user = optarg; break;
		case O_PASSWORD_FILE: a->password_file = optarg; break;
		case O_CALL: a->call = optarg; break;
		case O_AUTO_ANSWER: a->auto_answer = 1; break;
		case O_MEDIA: a->media = optarg; break;
		case O_SENT: a->sent = optarg; break;
		case O_RECEIVED: a->received = optarg; break;
		case O_NO_100REL: a->no_100rel = 1; break;
		case O_TLS: a->tls = optarg; break;
		case O_DURATION:
			if (!parse_num(optarg, 0, 3600, &v))
				return usage_error("--duration must be 0..3600 seconds");
			a->duration = v;
			break;
		case O_EXPIRES:
			if (!parse_num(optarg, 10, 86400, &v))
				return usage_error("--expires must be 10..86400 seconds");
			a->expires = v;
			break;
		case O_CALLS:
			if (!parse_num(optarg, 0, 1000000, &v))
				return usage_error("--calls must be 0 (callee: no limit) or a number of calls");
			a->calls = v;
			break;
		case O_POOL:
			if (!parse_num(optarg, 0, MS_POOL_MAX, &v))
				return usage_error("--pool must be 0..32");
			a->pool = v;
			break;
		case O_SIP_PORT:
			if (!parse_num(optarg, 1, 65535, &v))
				return usage_error("--sip-port must be 1..65535");
			a->sip_port = (uint16_t)v;
			break;
		case O_HELP: usage(stdout); return CLI_HELP;
		default: return usage_error("unknown option");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	a->pin = cli_pin_take("pin", pin_arg, pin_fd, "MSTOKEN_PIN", &why);
	if (why)
		return usage_error(why);
	if (!a->token)
		return usage_error("--token is required");
	if (!a->pin)
		return usage_error("a PIN is required: --pin-fd N, MSTOKEN_PIN or --pin");
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
		return usage_error("a command is required (create, accept, ue or provision)");
	if (strcmp(argv[1], "provision") == 0)
		return cli_provision(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "create") && strcmp(argv[1], "accept") && strcmp(argv[1], "ue"))
		return usage_error("the command must be create, accept, ue or provision");
	rc = parse_args(argc, argv, &a);
	if (rc == CLI_OK)
		rc = strcmp(argv[1], "create") == 0 ? cli_create(&a) :
		     strcmp(argv[1], "accept") == 0 ? cli_accept(&a) : cli_ue(&a);
	else if (rc == CLI_HELP)
		rc = CLI_OK;
	cli_pin_free(&a);
	return rc;
}
