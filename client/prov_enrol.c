/* client/prov_enrol.c - the enrolment file of mstoken-kms user enrol:
 * key=value lines, '#' comments; kms-uri, user-uri, access-token, trk-id,
 * trk (64 hex digits), ink-id, ink (64 hex digits), each exactly once. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "mikeysakke/codec.h"
#include "client/prov.h"

int prov_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

#define fail prov_fail

enum { K_KMS, K_USER, K_TOKEN, K_TRK_ID, K_TRK, K_INK_ID, K_INK, K_N };
static const char *const names[K_N] = { "kms-uri", "user-uri", "access-token", "trk-id", "trk",
					"ink-id", "ink" };

/* A value fit for XML text and HTTP headers: printable, no spaces in IDs
 * and the token. */
static int printable(const char *v, int spaces)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x21 || *v == 0x7f || (!spaces && *v == ' ') ||
		    *v == '<' || *v == '>' || *v == '&')
			return 0;
	return 1;
}

static int set_value(struct prov_enrol *e, int k, const char *v, char *err, size_t err_len)
{
	struct { char *buf; size_t cap; } text[K_N] = {
		[K_KMS] = { e->kms_uri, sizeof e->kms_uri },
		[K_USER] = { e->user_uri, sizeof e->user_uri },
		[K_TOKEN] = { e->access_token, sizeof e->access_token },
		[K_TRK_ID] = { e->trk_id, sizeof e->trk_id },
		[K_INK_ID] = { e->ink_id, sizeof e->ink_id },
	};
	size_t n = 0;

	if (k == K_TRK || k == K_INK) {
		if (strlen(v) != 2 * PROV_KEY_LEN ||
		    ms_hex_decode(v, strlen(v), k == K_TRK ? e->trk : e->ink, PROV_KEY_LEN, &n) != MS_OK ||
		    n != PROV_KEY_LEN)
			return fail(err, err_len, "%s: expected %d hex digits", names[k], 2 * PROV_KEY_LEN);
		return 0;
	}
	if (*v == '\0' || strlen(v) >= text[k].cap || !printable(v, 0))
		return fail(err, err_len, "%s: empty, too long or not printable", names[k]);
	strcpy(text[k].buf, v);
	return 0;
}

static int parse(FILE *f, struct prov_enrol *e, char *err, size_t err_len)
{
	char line[1024];
	unsigned seen[K_N] = { 0 }, no = 0;
	int k, rc = 0;

	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		char *eq, *v, *end = line + strlen(line);
		no++;
		if (end > line && end[-1] != '\n' && !feof(f)) {
			rc = fail(err, err_len, "line %u: longer than %zu characters", no, sizeof line - 2);
			break;
		}
		while (end > line && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
			*--end = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			rc = fail(err, err_len, "line %u: expected key=value", no);
			break;
		}
		*eq = '\0';
		v = eq + 1;
		for (k = 0; k < K_N && strcmp(line, names[k]) != 0; k++)
			;
		if (k == K_N)
			rc = fail(err, err_len, "line %u: unknown key '%.40s'", no, line);
		else if (seen[k]++)
			rc = fail(err, err_len, "line %u: %s given twice", no, names[k]);
		else
			rc = set_value(e, k, v, err, err_len);
		OPENSSL_cleanse(line, sizeof line);
	}
	OPENSSL_cleanse(line, sizeof line);
	for (k = 0; rc == 0 && k < K_N; k++)
		if (!seen[k])
			rc = fail(err, err_len, "%s missing", names[k]);
	return rc;
}

int prov_enrol_read(const char *path, struct prov_enrol *e, char *err, size_t err_len)
{
	struct stat st;
	FILE *f;
	int fd, rc;

	memset(e, 0, sizeof *e);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(err, err_len, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, err_len, "%s: not a regular file", path);
	}
	/* the device's secret: nobody else may read it */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return fail(err, err_len, "%s: readable by others (mode %03o), it must be 0600",
			    path, (unsigned)(st.st_mode & 0777));
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return fail(err, err_len, "%s: %s", path, strerror(errno));
	}
	setvbuf(f, NULL, _IONBF, 0); /* no stdio copy of the keys */
	rc = parse(f, e, err, err_len);
	fclose(f);
	if (rc != 0) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, err_len, "%s: %s", path, why);
		prov_enrol_wipe(e);
	}
	return rc;
}

void prov_enrol_wipe(struct prov_enrol *e)
{
	OPENSSL_cleanse(e, sizeof *e);
}
