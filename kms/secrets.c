/* kms/secrets.c - read and write D/kms-secrets (format in kms/secrets.h).
 * Hex goes through the constant-time codec of token/hex.h: the
 * values are the community's master secrets. */
#include "config.h"
#include "kms/secrets.h"
#include "token/kmsxml_doc.h"
#include "token/hex.h"
#include "token/secmem.h"

#include <stdio.h>
#include <string.h>

enum { F_URI, F_KSAK, F_Z, F_KPAK, F_ZPUB, F_COUNT };
static const char *const field_names[F_COUNT] = { "kms-uri", "ksak", "z", "kpak", "z-pub" };

static uint8_t *field_bytes(kms_secrets *s, int f, size_t *len)
{
	switch (f) {
	case F_KSAK: *len = sizeof s->ksak; return s->ksak;
	case F_Z: *len = sizeof s->z; return s->z;
	case F_KPAK: *len = sizeof s->kpak; return s->kpak;
	default: *len = sizeof s->z_pub; return s->z_pub;
	}
}

mst_rc kms_secrets_format(const kms_secrets *s, char **out, size_t *out_len)
{
	char *t = secmem_alloc(KMS_SECRETS_MAX);
	size_t used, len;
	int f, n;

	if (t == NULL)
		return MST_ERR_NOMEM;
	n = snprintf(t, KMS_SECRETS_MAX, "%s\n# KMS secrets of community %s: keep private.\n%s %s\n",
		     KMS_SECRETS_VERSION, s->kms_uri, field_names[F_URI], s->kms_uri);
	if (n < 0 || n >= KMS_SECRETS_MAX) {
		secmem_free(t);
		return MST_ERR_RANGE;
	}
	used = (size_t)n;
	for (f = F_KSAK; f < F_COUNT; f++) {
		const uint8_t *b = field_bytes((kms_secrets *)(uintptr_t)s, f, &len);
		size_t name_len = strlen(field_names[f]);
		if (used + name_len + 2 * len + 3 > KMS_SECRETS_MAX) {
			secmem_free(t);
			return MST_ERR_RANGE;
		}
		memcpy(t + used, field_names[f], name_len);
		t[used + name_len] = ' ';
		hex_encode_upper(b, len, t + used + name_len + 1);
		used += name_len + 1 + 2 * len;
		t[used++] = '\n';
	}
	t[used] = '\0';
	*out = t;
	*out_len = used;
	return MST_OK;
}

int kms_field_index(const char *const *names, int n, const char *name, size_t len)
{
	int f;

	for (f = 0; f < n; f++)
		if (strlen(names[f]) == len && memcmp(names[f], name, len) == 0)
			return f;
	return -1;
}

/* One "name value" line; seen[] counts each field. */
static mst_rc parse_line(const char *line, size_t len, const char *name, int *seen, kms_secrets *s,
			 char *err, size_t err_len)
{
	const char *sp = memchr(line, ' ', len);
	const char *value;
	size_t vlen, blen;
	uint8_t *bytes;
	int f;

	if (sp == NULL)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s: a line has no value", name);
	f = kms_field_index(field_names, F_COUNT, line, (size_t)(sp - line));
	if (f < 0) /* only the field name is quoted: the value may be secret */
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s: unknown field '%.*s'", name,
			       (int)(sp - line < 20 ? sp - line : 20), line);
	if (seen[f]++)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s: %s appears twice", name, field_names[f]);
	value = sp + 1;
	vlen = len - (size_t)(value - line);
	if (f == F_URI) {
		if (vlen == 0 || vlen >= sizeof s->kms_uri)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s: kms-uri empty or too long", name);
		memcpy(s->kms_uri, value, vlen);
		s->kms_uri[vlen] = '\0';
		return MST_OK;
	}
	bytes = field_bytes(s, f, &blen);
	if (vlen != 2 * blen || hex_decode_exact(value, vlen, bytes, blen) != MST_OK)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s: %s: expected %zu hex digits", name,
			       field_names[f], 2 * blen);
	return MST_OK;
}

mst_rc kms_secrets_parse(const char *text, size_t len, const char *name, kms_secrets *s,
			 char *err, size_t err_len)
{
	int seen[F_COUNT] = { 0 }, f, first = 1;
	size_t pos = 0;
	mst_rc rc = MST_OK;

	secure_wipe(s, sizeof *s);
	while (pos < len && rc == MST_OK) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += l + 1;
		if (first) {
			first = 0;
			if (l != strlen(KMS_SECRETS_VERSION) || memcmp(line, KMS_SECRETS_VERSION, l) != 0)
				rc = kx_fail(err, err_len, MST_ERR_PARSE,
					     "%s: not a mstoken-kms secrets file of version 1 "
					     "(first line must be '%s')", name, KMS_SECRETS_VERSION);
		} else if (l > 0 && line[0] != '#') {
			rc = parse_line(line, l, name, seen, s, err, err_len);
		}
	}
	if (rc == MST_OK && first)
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s: file is empty", name);
	for (f = 0; f < F_COUNT && rc == MST_OK; f++)
		if (!seen[f])
			rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s: %s missing", name, field_names[f]);
	if (rc != MST_OK)
		secure_wipe(s, sizeof *s);
	return rc;
}

/* KPAK = [KSAK]G and Z_T = [z]P: a damaged secret is named here rather
 * than showing up as keys that fail validation. */
static mst_rc check_publics(const kms_secrets *s, const char *name, char *err, size_t err_len)
{
	uint8_t kpak[ECCSI_POINT_LEN], z_pub[SAKKE_POINT_LEN];
	mst_rc rc;

	if ((rc = eccsi_kms_public(s->ksak, kpak)) != MST_OK ||
	    memcmp(kpak, s->kpak, sizeof kpak) != 0)
		return kx_fail(err, err_len, rc != MST_OK ? rc : MST_ERR_BAD_KEY,
			       "%s: ksak does not give kpak", name);
	if ((rc = sakke_kms_public(s->z, sizeof s->z, z_pub)) != MST_OK ||
	    memcmp(z_pub, s->z_pub, sizeof z_pub) != 0)
		return kx_fail(err, err_len, rc != MST_OK ? rc : MST_ERR_BAD_KEY,
			       "%s: z does not give z-pub", name);
	return MST_OK;
}

mst_rc kms_secrets_match(const kms_secrets *s, const kms_certificate *cert, const char *name,
			 char *err, size_t err_len)
{
	mst_rc rc;

	if ((rc = check_publics(s, name, err, err_len)) != MST_OK)
		return rc;
	if (strcmp(s->kms_uri, cert->kms_uri) != 0 ||
	    memcmp(s->kpak, cert->pub_auth_key, sizeof s->kpak) != 0 ||
	    memcmp(s->z_pub, cert->pub_enc_key, sizeof s->z_pub) != 0)
		return kx_fail(err, err_len, MST_ERR_BAD_KEY,
			       "%s does not belong to this community (KMS URI or public keys differ "
			       "from community.xml)", name);
	return MST_OK;
}
