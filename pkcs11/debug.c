/* pkcs11/debug.c - MSTOKEN_DEBUG diagnostics. */
#include <config.h>
#include "pkcs11/debug.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
