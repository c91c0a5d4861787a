/* pkcs11/debug.h - diagnostics on stderr when MSTOKEN_DEBUG is set.
 * Lines start with "mstoken: "; callers never pass secret values. */
#ifndef MST_P11_DEBUG_H
#define MST_P11_DEBUG_H

void p11_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
