/* client/cli_ue.c - "mikey-sakke ue": checks the options, opens the token
 * (a wrong PIN or missing key set ends here with exit 2, before any SIP
 * is sent) and runs the user agent (client/ue.c, doc/sip.md). */
#include <stdio.h>
#include <string.h>
#include "client/cli.h"
#include "client/ue.h"

int cli_ue(const struct cli_args *args)
{
	struct cli_args ue = *args, *a = &ue;
	struct ms_ctx *c;
	int rc;

	if (!a->port_set)
		a->port = 0;   /* RTP on an ephemeral port unless --port */
	if (!a->uri || !a->proxy)
		return fprintf(stderr, "mikey-sakke: ue needs --uri and --proxy\n"), CLI_USAGE;
	if (a->call && a->auto_answer)
		return fprintf(stderr, "mikey-sakke: ue: --call and --auto-answer exclude each other\n"),
		       CLI_USAGE;
	if (a->media && strcmp(a->media, "tone") != 0) {
		FILE *f = fopen(a->media, "rb");

		if (!f)
			return fprintf(stderr, "mikey-sakke: cannot read --media %s\n", a->media), CLI_USAGE;
		fclose(f);
	}
	rc = cli_open(a, &c);
	if (rc != CLI_OK)
		return rc;
	rc = ue_run(a, c);
	ms_ctx_close(c);
	return rc;
}
