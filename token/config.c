/* token/config.c - find and parse mstoken.conf (format in token/config.h).
 *
 * The parser fills a private copy and hands it over only when the whole
 * file is valid, so a caller never sees half a configuration.  Every error
 * names the file and line ("FILE:LINE: problem") because the person fixing
 * it is an administrator with the file open in an editor.
 */
#include <config.h>   /* autoconf: MST_DEFAULT_HSM_MODULE */
#include "token/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

enum key_id { K_LABEL, K_BACKEND, K_P11_MODULE, K_P11_TOKEN, K_TPM_TCTI,
	      K_TPM_STORE, K_TPM_PRIMARY, K_REQUIRE_ENC, K_COUNT };

/* Which backend a key belongs to (0: every backend). */
static const struct {
	const char *name;
	mst_backend_kind only_for;
} keys[K_COUNT] = {
	[K_LABEL] = { "label", 0 },
	[K_BACKEND] = { "backend", 0 },
	[K_P11_MODULE] = { "pkcs11.module", MST_BACKEND_PKCS11 },
	[K_P11_TOKEN] = { "pkcs11.token", MST_BACKEND_PKCS11 },
	[K_TPM_TCTI] = { "tpm.tcti", MST_BACKEND_TPM },
	[K_TPM_STORE] = { "tpm.store", MST_BACKEND_TPM },
	[K_TPM_PRIMARY] = { "tpm.primary", MST_BACKEND_TPM },
	[K_REQUIRE_ENC] = { "require_encrypted_keys", 0 },
};

struct parser {
	const char *path;
	unsigned line;
	mst_config *cfg;
	mst_slot_config *slot;     /* section being read, NULL before the first */
	unsigned key_line[K_COUNT]; /* 0: key not seen in this section */
	char *err;
	size_t err_len;
};

static mst_rc fail_at(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static mst_rc fail_at(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->err_len == 0)
		return MST_ERR_CONFIG;
	n = snprintf(p->err, p->err_len, "%s:%u: ", p->path, line);
	if (n >= 0 && (size_t)n < p->err_len) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MST_ERR_CONFIG;
}

static int is_regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Copy a value into a fixed field; refuse (not truncate) what does not fit. */
static mst_rc set_text(struct parser *p, enum key_id k, char *dst, size_t cap,
		       const char *value)
{
	size_t n = strlen(value);

	if (n >= cap)
		return fail_at(p, p->line, "%s longer than %zu bytes", keys[k].name, cap - 1);
	memcpy(dst, value, n + 1);
	return MST_OK;
}

static mst_rc set_primary(struct parser *p, const char *value)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || *end != '\0' || value[0] == '-' ||
	    v < 0x81000000ull || v > 0x81ffffffull)
		return fail_at(p, p->line, "tpm.primary '%s' is not a persistent handle "
			       "(0x81000000 to 0x81ffffff)", value);
	p->slot->tpm_primary = (uint32_t)v;
	return MST_OK;
}

static mst_rc set_key(struct parser *p, enum key_id k, const char *value)
{
	mst_slot_config *s = p->slot;

	switch (k) {
	case K_LABEL:
		return set_text(p, k, s->label, sizeof s->label, value);
	case K_BACKEND:
		if (strcmp(value, "pkcs11") == 0)
			s->backend = MST_BACKEND_PKCS11;
		else if (strcmp(value, "tpm") == 0)
			s->backend = MST_BACKEND_TPM;
		else
			return fail_at(p, p->line, "unknown backend '%s' (pkcs11 or tpm)", value);
		return MST_OK;
	case K_P11_MODULE:
		/* A relative name would be resolved by dlopen's search path,
		 * not by the directory this check looks at: refuse it. */
		if (value[0] != '/')
			return fail_at(p, p->line, "pkcs11.module '%s' is not an absolute path",
				       value);
		if (!is_regular_file(value))
			return fail_at(p, p->line, "pkcs11.module '%s' is not an existing file", value);
		return set_text(p, k, s->pkcs11_module, sizeof s->pkcs11_module, value);
	case K_P11_TOKEN:
		return set_text(p, k, s->pkcs11_token, sizeof s->pkcs11_token, value);
	case K_TPM_TCTI:
		return set_text(p, k, s->tpm_tcti, sizeof s->tpm_tcti, value);
	case K_TPM_STORE:
		return set_text(p, k, s->tpm_store, sizeof s->tpm_store, value);
	case K_TPM_PRIMARY:
		return set_primary(p, value);
	case K_REQUIRE_ENC:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			s->require_encrypted_keys = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
			 strcmp(value, "0") == 0)
			s->require_encrypted_keys = 0;
		else
			return fail_at(p, p->line, "require_encrypted_keys '%s': expected yes or no",
				       value);
		return MST_OK;
	case K_COUNT:
		break;
	}
	return MST_ERR_ARGS;
}

/* Two slots on one backing store would overwrite each other's records. */
static mst_rc check_unique(struct parser *p)
{
	const mst_slot_config *s = p->slot, *o;

	for (o = p->cfg->slots; o < s; o++) {
		if (strcmp(o->label, s->label) == 0)
			return fail_at(p, p->key_line[K_LABEL], "label '%s' already used by "
				       "the slot at line %u", s->label, o->line);
		if (o->backend != s->backend)
			continue;
		if (s->backend == MST_BACKEND_PKCS11 &&
		    strcmp(o->pkcs11_module, s->pkcs11_module) == 0 &&
		    strcmp(o->pkcs11_token, s->pkcs11_token) == 0)
			return fail_at(p, s->line, "pkcs11.token '%s' already used by the "
				       "slot at line %u", s->pkcs11_token, o->line);
		if (s->backend == MST_BACKEND_TPM && strcmp(o->tpm_store, s->tpm_store) == 0)
			return fail_at(p, s->line, "tpm.store '%s' already used by the "
				       "slot at line %u", s->tpm_store, o->line);
	}
	return MST_OK;
}

/* Checks that need the whole section (keys may come in any order). */
static mst_rc finish_slot(struct parser *p)
{
	mst_slot_config *s = p->slot;
	int k;

	if (s == NULL)
		return MST_OK;
	if (!p->key_line[K_LABEL])
		return fail_at(p, s->line, "slot has no label");
	if (!p->key_line[K_BACKEND])
		return fail_at(p, s->line, "slot '%s' has no backend", s->label);
	for (k = 0; k < K_COUNT; k++)
		if (p->key_line[k] && keys[k].only_for && keys[k].only_for != s->backend)
			return fail_at(p, p->key_line[k], "%s is not a key of a %s slot",
				       keys[k].name,
				       s->backend == MST_BACKEND_TPM ? "tpm" : "pkcs11");
	if (s->backend == MST_BACKEND_TPM) {
		if (!p->key_line[K_TPM_STORE])
			return fail_at(p, s->line, "tpm slot '%s' has no tpm.store", s->label);
		if (!p->key_line[K_TPM_TCTI])
			strcpy(s->tpm_tcti, MST_DEFAULT_TPM_TCTI);
	} else {
		if (!p->key_line[K_P11_MODULE]) {
			if (!is_regular_file(MST_DEFAULT_HSM_MODULE))
				return fail_at(p, s->line, "slot '%s' has no pkcs11.module and the "
					       "default '%s' does not exist", s->label,
					       MST_DEFAULT_HSM_MODULE);
			strcpy(s->pkcs11_module, MST_DEFAULT_HSM_MODULE);
		}
		if (!p->key_line[K_P11_TOKEN])
			strcpy(s->pkcs11_token, s->label);
	}
	return check_unique(p);
}

static mst_rc start_slot(struct parser *p, const char *name)
{
	mst_rc rc;

	if (strcmp(name, "slot") != 0)
		return fail_at(p, p->line, "unknown section [%s]", name);
	rc = finish_slot(p);
	if (rc != MST_OK)
		return rc;
	if (p->cfg->n_slots == MST_CONFIG_MAX_SLOTS)
		return fail_at(p, p->line, "too many slots (at most %d)", MST_CONFIG_MAX_SLOTS);
	p->slot = &p->cfg->slots[p->cfg->n_slots++];
	p->slot->line = p->line;
	memset(p->key_line, 0, sizeof p->key_line);
	return MST_OK;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

/* '#' or ';' starts a comment at the line start or after a blank, so that
 * values such as paths may still contain those characters. */
static void strip_comment(char *s)
{
	char *c;

	for (c = s; *c; c++)
		if ((*c == '#' || *c == ';') && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
}

static mst_rc parse_line(struct parser *p, char *raw)
{
	char *s, *eq, *key, *value;
	int k;

	strip_comment(raw);
	s = trim(raw);
	if (*s == '\0')
		return MST_OK;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (close == NULL || close[1] != '\0')
			return fail_at(p, p->line, "malformed section header (expected [slot])");
		*close = '\0';
		return start_slot(p, trim(s + 1));
	}
	eq = strchr(s, '=');
	if (eq == NULL)
		return fail_at(p, p->line, "expected 'key = value' or '[slot]'");
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	for (k = 0; k < K_COUNT; k++)
		if (strcmp(key, keys[k].name) == 0)
			break;
	if (k == K_COUNT)
		return fail_at(p, p->line, "unknown key '%s'", key);
	if (p->slot == NULL)
		return fail_at(p, p->line, "key '%s' outside a [slot] section", key);
	if (p->key_line[k])
		return fail_at(p, p->line, "duplicate key '%s' (first at line %u)", key,
			       p->key_line[k]);
	if (*value == '\0')
		return fail_at(p, p->line, "empty value for '%s'", key);
	p->key_line[k] = p->line;
	return set_key(p, (enum key_id)k, value);
}

static mst_rc parse_stream(struct parser *p, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	mst_rc rc = MST_OK;

	while (rc == MST_OK && (n = getline(&line, &cap, f)) >= 0) {
		p->line++;
		if (n > MST_CONFIG_LINE_MAX)
			rc = fail_at(p, p->line, "line longer than %d characters",
				     MST_CONFIG_LINE_MAX);
		else if (strlen(line) != (size_t)n)
			rc = fail_at(p, p->line, "NUL byte in line");
		else
			rc = parse_line(p, line);
	}
	free(line);
	if (rc == MST_OK && ferror(f))
		rc = fail_at(p, p->line, "read error");
	if (rc == MST_OK)
		rc = finish_slot(p);
	if (rc == MST_OK && p->cfg->n_slots == 0)
		rc = fail_at(p, p->line, "no [slot] section");
	return rc;
}

mst_rc mst_config_load_file(const char *path, mst_config *cfg, char *err, size_t err_len)
{
	struct parser p = { .path = path, .err = err, .err_len = err_len };
	struct stat st;
	FILE *f;
	mst_rc rc;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (path == NULL || cfg == NULL)
		return MST_ERR_ARGS;
	if (strlen(path) >= sizeof cfg->path)
		return fail_at(&p, 0, "path too long");
	p.cfg = calloc(1, sizeof *p.cfg);
	if (p.cfg == NULL)
		return MST_ERR_NOMEM;
	f = fopen(path, "r");
	if (f == NULL) {
		rc = fail_at(&p, 0, "cannot read: %s", strerror(errno));
	} else if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = fail_at(&p, 0, "not a regular file");
		fclose(f);
	} else {
		rc = parse_stream(&p, f);
		fclose(f);
	}
	if (rc == MST_OK) {
		strcpy(p.cfg->path, path);
		*cfg = *p.cfg;
	}
	free(p.cfg);
	return rc;
}

static void load_default(mst_config *cfg)
{
	mst_slot_config *s = &cfg->slots[0];

	memset(cfg, 0, sizeof *cfg);
	cfg->n_slots = 1;
	strcpy(s->label, "mstoken");
	s->backend = MST_BACKEND_PKCS11;
	snprintf(s->pkcs11_module, sizeof s->pkcs11_module, "%s", MST_DEFAULT_HSM_MODULE);
	strcpy(s->pkcs11_token, "mstoken");
}

/* The per-user file: XDG base directory rules (a relative XDG_CONFIG_HOME
 * is invalid and ignored).  secure_getenv: in a setuid/setgid process
 * (AT_SECURE) the environment belongs to the user who started it, and the
 * file names the PKCS#11 library the module loads, so there is no user
 * file then, only the system one. */
static int user_config_path(char *out, size_t cap)
{
	const char *xdg = secure_getenv("XDG_CONFIG_HOME"), *home = secure_getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, cap, "%s/mstoken/mstoken.conf", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, cap, "%s/.config/mstoken/mstoken.conf", home);
	else
		return 0;
	return n > 0 && (size_t)n < cap;
}

mst_rc mst_config_load(mst_config *cfg, char *err, size_t err_len)
{
	const char *env = secure_getenv("MSTOKEN_CONF"); /* NULL when setuid/setgid */
	char path[MST_PATH_MAX];
	struct stat st;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (cfg == NULL)
		return MST_ERR_ARGS;
	/* An explicit MSTOKEN_CONF that is missing is a mistake to report,
	 * not a reason to fall back to another file. */
	if (env != NULL && env[0] != '\0')
		return mst_config_load_file(env, cfg, err, err_len);
	if (user_config_path(path, sizeof path) && stat(path, &st) == 0)
		return mst_config_load_file(path, cfg, err, err_len);
	if (stat(SYSCONFDIR "/mstoken/mstoken.conf", &st) == 0)
		return mst_config_load_file(SYSCONFDIR "/mstoken/mstoken.conf", cfg, err, err_len);
	load_default(cfg);
	return MST_OK;
}
