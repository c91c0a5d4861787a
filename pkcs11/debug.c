/* pkcs11/debug.c - MSTOKEN_DEBUG diagnostics. */
#include <config.h>
#include "pkcs11/debug.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

void p11_debug(const char *fmt, ...)
{
	const char *env = secure_getenv("MSTOKEN_DEBUG"); /* none when setuid/setgid */
	va_list ap;

	if (env == NULL || *env == '\0' || (env[0] == '0' && env[1] == '\0'))
		return;
	va_start(ap, fmt);
	fputs("mstoken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void p11_report_config_error(const char *fmt, ...)
{
	static atomic_flag reported = ATOMIC_FLAG_INIT;
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p11_debug("%s", msg);
	/* no openlog(): the ident and options are the application's */
	if (!atomic_flag_test_and_set(&reported))
		syslog(LOG_USER | LOG_ERR, "mstoken: %s", msg);
}
