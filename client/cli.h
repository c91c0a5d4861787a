/* client/cli.h - the parts of the mikey-sakke command. */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "mikeysakke/sdp.h"
#include "mikeysakke/session.h"

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_HELP = 3 };

struct cli_args {
	const char *module, *token, *from, *out, *in, *ret, *replay, *address;
	const char *announce, *listen, *as;   /* network-independent flow */
	const char *answer;                   /* network-connected: SDP answer */
	long timeout;
	int64_t at;                           /* --at: the clock of the message, 0 = now */
	char *pin;
	/* create's members: up to MS_MAX_RECIPIENTS with --format base64; an
	 * SDP offer carries at most MS_SDP_MAX_KEYS (cli_create.c) */
	const char *to[MS_MAX_RECIPIENTS];
	size_t n_to;
	int base64, show_keys;
	enum ms_srtp_suite suite;
	unsigned prf;
	long window;
	uint16_t port;
	int port_set;
	/* ue (doc/sip.md) */
	const char *uri, *proxy, *auth_user, *password_file, *call, *media, *sent, *received, *tls;
	int auto_answer, no_100rel;
	long duration, expires, calls, pool;
	uint16_t sip_port;
};

int cli_create(const struct cli_args *a);
/* --at: "YYYY-MM-DDThh:mm:ssZ" or "@<Unix seconds>" (tests, key-period
 * roll-over): 0 and *out set, or -1. */
int cli_parse_time(const char *s, int64_t *out);
/* mikey-sakke provision ... (argv[0] "provision"): cli_provision.c */
int cli_provision(int argc, char **argv);
int cli_accept(const struct cli_args *a);
int cli_ue(const struct cli_args *a);
/* Accepts the first of n candidate I_MESSAGEs (text) that is ours; why
 * gets the reason of the most telling refusal (doc/client.md words). */
ms_rc cli_accept_any(struct ms_ctx *c, const char *const *txt, const size_t *lens, unsigned n,
		     const struct ms_accept_opts *o, struct ms_accepted *a, char *why, size_t cap);
/* Opens the token; CLI_USAGE (with a message) when it cannot. */
int cli_open(const struct cli_args *a, struct ms_ctx **c);
void cli_print_keys(FILE *f, const struct ms_keys *k);
/* Wipe and free the PIN (from --pin, --pin-fd or MSTOKEN_PIN). */
void cli_pin_free(struct cli_args *a);
/* A PIN from --OPT P (arg, then wiped in argv), --OPT-fd N (fd >= 0: the
 * first line of descriptor N, which is closed) or the environment variable
 * env (unset, so not passed on), in that order, into secure memory (free
 * with cli_pin_wipe).  NULL with *why NULL: none given; NULL with *why set
 * (a usage error): both --OPT and --OPT-fd, or no line could be read. */
char *cli_pin_take(const char *opt, char *arg, long fd, const char *env, const char **why);
void cli_pin_wipe(char *pin);
/* --pin-fd's value: a descriptor number; 0 when it is not one. */
int cli_parse_fd(const char *s, long *fd);

#endif
