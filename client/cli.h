/* client/cli.h - the parts of the mikey-sakke command. */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdio.h>
#include "mikeysakke/sdp.h"
#include "mikeysakke/session.h"

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_HELP = 3 };

struct cli_args {
	const char *module, *token, *from, *out, *in, *ret, *replay, *address;
	const char *announce, *listen, *as;   /* network-independent flow */
	const char *answer;                   /* network-connected: SDP answer */
	long timeout;
	char *pin;
	const char *to[MS_SDP_MAX_KEYS];        /* an SDP offer carries at most that many */
	size_t n_to;
	int base64, show_keys;
	enum ms_srtp_suite suite;
	unsigned prf;
	long window;
	uint16_t port;
};

int cli_create(const struct cli_args *a);
int cli_accept(const struct cli_args *a);
/* Opens the token; CLI_USAGE (with a message) when it cannot. */
int cli_open(const struct cli_args *a, struct ms_ctx **c);
void cli_print_keys(FILE *f, const struct ms_keys *k);

#endif
