/* tests/integration/test_config_report.c - a broken mstoken.conf is told to
 * the administrator (issue 11 item 10): C_Initialize fails, and the problem
 * ("mstoken: FILE:LINE: problem") goes to syslog at LOG_USER|LOG_ERR once
 * per process, however often C_Initialize is retried, and to stderr only
 * with MSTOKEN_DEBUG=1.
 *
 * The program defines syslog() itself and is linked with -export-dynamic,
 * so the dlopen'ed module's syslog calls land here instead of /dev/log.
 * Usage: test_config_report MODULE.so  (MSTOKEN_CONF, MSTOKEN_DEBUG from the
 * caller; prints "syslog: N" and each message, exits 0 when C_Initialize
 * failed as it must). */
#include <config.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <p11-kit/pkcs11.h>

/* the spy: the module's syslog() (or its fortified __syslog_chk) */
static int n_logged;

__attribute__((visibility("default"))) void vsyslog(int prio, const char *fmt, va_list ap);
__attribute__((visibility("default"))) void syslog(int prio, const char *fmt, ...);
__attribute__((visibility("default"))) void __syslog_chk(int prio, int flag, const char *fmt, ...);

void vsyslog(int prio, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof msg, fmt, ap);
	n_logged++;
	printf("syslog prio=%d%s: %s\n", prio,
	       prio == (LOG_USER | LOG_ERR) ? " (LOG_USER|LOG_ERR)" : "", msg);
}

void syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void __syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

int main(int argc, char **argv)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR f;
	void *dl;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODULE.so\n", argv[0]);
		return 2;
	}
	dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 2;
	}
	*(void **)&get = dlsym(dl, "C_GetFunctionList");
	if (get == NULL || get(&f) != CKR_OK)
		return 2;
	for (i = 0; i < 3; i++) {
		CK_RV rv = f->C_Initialize(NULL);

		if (rv == CKR_OK) {
			printf("C_Initialize succeeded on a broken configuration\n");
			f->C_Finalize(NULL);
			return 1;
		}
		printf("C_Initialize: 0x%lx\n", (unsigned long)rv);
	}
	printf("syslog: %d\n", n_logged);
	fflush(stdout);
	dlclose(dl);
	return 0;
}
