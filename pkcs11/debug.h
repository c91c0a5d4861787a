/* pkcs11/debug.h - diagnostics on stderr when MSTOKEN_DEBUG is set.
 * Lines start with "mstoken: "; callers never pass secret values. */
#ifndef MST_P11_DEBUG_H
#define MST_P11_DEBUG_H

void p11_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A broken mstoken.conf ("FILE:LINE: problem"): C_Initialize fails and
 * p11-kit then silently drops the module from list-modules, so the
 * administrator is told through syslog (LOG_USER|LOG_ERR, "mstoken: ..."),
 * once per process however often C_Initialize is retried, and on stderr
 * with MSTOKEN_DEBUG. */
void p11_report_config_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
