/* kms/users.c - read and write D/kms-users (format in kms/users.h).
 * The TrK/InK hex goes through the constant-time codec of token/hex.h. */
#include "config.h"
#include "kms/users.h"
#include "kms/fileio.h"
#include "kms/kms.h"
#include "kms/secrets.h"
#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

enum {
	F_USER, F_TOKEN, F_TRK_ID, F_TRK, F_INK_ID, F_INK,
	F_NEW_TRK_ID, F_NEW_TRK, F_NEW_INK_ID, F_NEW_INK, F_COUNT
};
#define F_REQUIRED F_NEW_TRK_ID /* fields below it are required */
static const char *const field_names[F_COUNT] = {
	"user", "token-sha256", "trk-id", "trk", "ink-id", "ink",
	"new-trk-id", "new-trk", "new-ink-id", "new-ink"
};

/* Key IDs: printable, no space (they go into ds:KeyName and a key=value line). */
static int id_ok(const char *v, size_t len)
{
	size_t i;

	if (len == 0 || len >= KMS_KEY_ID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (v[i] <= 0x20 || v[i] >= 0x7f)
			return 0;
	return 1;
}

static mst_rc set_field(kms_user *u, int f, const char *v, size_t vlen, const char *name,
			char *err, size_t err_len)
{
	uint8_t *bytes = NULL;
	char *text = NULL;
	size_t blen = 0;

	switch (f) {
	case F_TOKEN: bytes = u->token_sha256; blen = sizeof u->token_sha256; break;
	case F_TRK: bytes = u->trk; blen = sizeof u->trk; break;
	case F_INK: bytes = u->ink; blen = sizeof u->ink; break;
	case F_NEW_TRK: bytes = u->new_trk; blen = sizeof u->new_trk; break;
	case F_NEW_INK: bytes = u->new_ink; blen = sizeof u->new_ink; break;
	case F_TRK_ID: text = u->trk_id; break;
	case F_INK_ID: text = u->ink_id; break;
	case F_NEW_TRK_ID: text = u->new_trk_id; break;
	default: text = u->new_ink_id; break;
	}
	if (bytes != NULL) {
		if (vlen != 2 * blen || hex_decode_exact(v, vlen, bytes, blen) != MST_OK)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s: user %s: %s: expected %zu hex digits",
				       name, u->uri, field_names[f], 2 * blen);
		return MST_OK;
	}
	if (!id_ok(v, vlen))
		return kx_fail(err, err_len, MST_ERR_PARSE,
			       "%s: user %s: %s: expected 1..%d printable characters without space",
			       name, u->uri, field_names[f], KMS_KEY_ID_MAX - 1);
	memcpy(text, v, vlen);
	text[vlen] = '\0';
	return MST_OK;
}

/* Required fields once; the pending keys all four once, or not at all. */
static mst_rc check_complete(kms_user *u, const int *seen, const char *name,
			     char *err, size_t err_len)
{
	int f;

	for (f = F_TOKEN; f < F_COUNT; f++) {
		int want = f < F_REQUIRED || seen[F_NEW_TRK_ID] + seen[F_NEW_TRK] + seen[F_NEW_INK_ID] +
						     seen[F_NEW_INK] > 0;
		if (seen[f] != want)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s: user %s: %s %s", name, u->uri,
				       field_names[f], seen[f] > 1 ? "appears twice" : "missing");
	}
	u->rotating = seen[F_NEW_TRK_ID] == 1;
	return MST_OK;
}

/* A "user" line: a new block. */
static mst_rc start_user(kms_users *us, const char *v, size_t vlen, const char *name,
			 char *err, size_t err_len)
{
	size_t i;

	if (us->n == KMS_USERS_MAX)
		return kx_fail(err, err_len, MST_ERR_RANGE, "%s: more than %d users", name, KMS_USERS_MAX);
	if (vlen == 0 || vlen >= KMSXML_URI_MAX)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s: a user URI is empty or too long", name);
	for (i = 0; i < us->n; i++)
		if (strlen(us->u[i].uri) == vlen && memcmp(us->u[i].uri, v, vlen) == 0)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s: user %.*s appears twice", name,
				       (int)vlen, v);
	memcpy(us->u[us->n].uri, v, vlen);
	us->u[us->n].uri[vlen] = '\0';
	us->n++;
	return MST_OK;
}

mst_rc kms_users_parse(const char *text, size_t len, const char *name, kms_users *us,
		       char *err, size_t err_len)
{
	int seen[F_COUNT] = { 0 }, first = 1, f;
	size_t pos = 0;
	mst_rc rc = MST_OK;

	secure_wipe(us, sizeof *us);
	while (pos < len && rc == MST_OK) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *sp;
		size_t l = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += l + 1;
		if (first) {
			first = 0;
			if (l != strlen(KMS_USERS_VERSION) || memcmp(line, KMS_USERS_VERSION, l) != 0)
				rc = kx_fail(err, err_len, MST_ERR_PARSE,
					     "%s: not a mstoken-kms users file of version 1 "
					     "(first line must be '%s')", name, KMS_USERS_VERSION);
			continue;
		}
		if (l == 0 || line[0] == '#')
			continue;
		sp = memchr(line, ' ', l);
		f = sp != NULL ? kms_field_index(field_names, F_COUNT, line, (size_t)(sp - line)) : -1;
		if (f < 0) {
			rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s: a line is not '<field> <value>' "
				     "of a known field", name);
			break;
		}
		if (f == F_USER) {
			if (us->n > 0 && (rc = check_complete(&us->u[us->n - 1], seen, name, err, err_len)) != MST_OK)
				break;
			memset(seen, 0, sizeof seen);
			rc = start_user(us, sp + 1, l - (size_t)(sp + 1 - line), name, err, err_len);
		} else if (us->n == 0) {
			rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s: %s before the first 'user' line",
				     name, field_names[f]);
		} else {
			seen[f]++;
			rc = set_field(&us->u[us->n - 1], f, sp + 1, l - (size_t)(sp + 1 - line), name,
				       err, err_len);
		}
	}
	if (rc == MST_OK && first)
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s: file is empty", name);
	if (rc == MST_OK && us->n > 0)
		rc = check_complete(&us->u[us->n - 1], seen, name, err, err_len);
	if (rc != MST_OK)
		secure_wipe(us, sizeof *us);
	return rc;
}

mst_rc kms_users_load(const char *dir, kms_users **out, char *err, size_t err_len)
{
	char path[PATH_MAX];
	struct stat st;
	kms_users *us;
	uint8_t *buf;
	size_t len;
	mst_rc rc;

	*out = NULL;
	if ((rc = kms_path(path, sizeof path, dir, KMS_USERS_FILE, err, err_len)) != MST_OK)
		return rc;
	if ((us = secmem_alloc(sizeof *us)) == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of locked memory");
	if (lstat(path, &st) != 0 && errno == ENOENT) {
		*out = us; /* nobody enrolled yet */
		return MST_OK;
	}
	if ((rc = kms_read_file(path, KMS_USERS_FILE_MAX, 1, &buf, &len, err, err_len)) != MST_OK) {
		secmem_free(us);
		return rc;
	}
	rc = kms_users_parse((const char *)buf, len, path, us, err, err_len);
	kms_release_file(buf, len, 1);
	if (rc != MST_OK) {
		secmem_free(us);
		return rc;
	}
	*out = us;
	return MST_OK;
}

/* "name value\n" at t+*used; 0 when it does not fit. */
static int put_line(char *t, size_t cap, size_t *used, const char *name, const char *text,
		    const uint8_t *bytes, size_t blen)
{
	size_t nlen = strlen(name), vlen = text != NULL ? strlen(text) : 2 * blen;

	if (*used + nlen + vlen + 3 > cap)
		return 0;
	memcpy(t + *used, name, nlen);
	t[*used + nlen] = ' ';
	if (text != NULL)
		memcpy(t + *used + nlen + 1, text, vlen);
	else
		hex_encode_upper(bytes, blen, t + *used + nlen + 1);
	*used += nlen + 1 + vlen;
	t[(*used)++] = '\n';
	t[*used] = '\0';
	return 1;
}

mst_rc kms_users_format(const kms_users *us, char **out, size_t *out_len)
{
	static const char head[] = KMS_USERS_VERSION "\n"
		"# enrolled users of the KMS: access-token hashes, TrK and InK. Keep private.\n";
	size_t cap = KMS_USERS_FILE_MAX, used = sizeof head - 1, i;
	char *t = secmem_alloc(cap);
	int ok = 1;

	if (t == NULL)
		return MST_ERR_NOMEM;
	memcpy(t, head, used);
	for (i = 0; i < us->n && ok; i++) {
		const kms_user *u = &us->u[i];
		ok = put_line(t, cap, &used, "user", u->uri, NULL, 0) &&
		     put_line(t, cap, &used, "token-sha256", NULL, u->token_sha256, sizeof u->token_sha256) &&
		     put_line(t, cap, &used, "trk-id", u->trk_id, NULL, 0) &&
		     put_line(t, cap, &used, "trk", NULL, u->trk, sizeof u->trk) &&
		     put_line(t, cap, &used, "ink-id", u->ink_id, NULL, 0) &&
		     put_line(t, cap, &used, "ink", NULL, u->ink, sizeof u->ink);
		if (ok && u->rotating)
			ok = put_line(t, cap, &used, "new-trk-id", u->new_trk_id, NULL, 0) &&
			     put_line(t, cap, &used, "new-trk", NULL, u->new_trk, sizeof u->new_trk) &&
			     put_line(t, cap, &used, "new-ink-id", u->new_ink_id, NULL, 0) &&
			     put_line(t, cap, &used, "new-ink", NULL, u->new_ink, sizeof u->new_ink);
	}
	if (!ok) {
		secmem_free(t);
		return MST_ERR_RANGE;
	}
	*out = t;
	*out_len = used;
	return MST_OK;
}

const kms_user *kms_users_by_token(const kms_users *us, const char *token, size_t token_len)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	const kms_user *found = NULL;
	size_t i;

	SHA256((const unsigned char *)token, token_len, h);
	for (i = 0; i < us->n; i++) /* no early exit: the time says nothing of which */
		if (secure_memcmp(h, us->u[i].token_sha256, sizeof h) == 0)
			found = &us->u[i];
	secure_wipe(h, sizeof h);
	return found;
}

kms_user *kms_users_by_uri(kms_users *us, const char *uri)
{
	size_t i;

	for (i = 0; i < us->n; i++)
		if (strcmp(us->u[i].uri, uri) == 0)
			return &us->u[i];
	return NULL;
}

mst_rc kms_users_save(const char *dir, const kms_users *us, char *err, size_t err_len)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	mst_rc rc;

	if ((rc = kms_path(path, sizeof path, dir, KMS_USERS_FILE, err, err_len)) != MST_OK)
		return rc;
	if ((rc = kms_users_format(us, &text, &len)) != MST_OK)
		return kx_fail(err, err_len, rc, "cannot format %s: %s", path, mst_strerror(rc));
	rc = kms_write_file(path, text, len, 0600, err, err_len);
	secmem_free(text);
	return rc;
}

int kms_users_lock(const char *dir, char *err, size_t err_len)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		kx_fail(err, err_len, MST_ERR_IO, "--dir %s: %s", dir, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			kx_fail(err, err_len, MST_ERR_IO, "cannot lock %s: %s", dir, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* "<prefix>-<16 hex>": names a key, says nothing of it. */
static mst_rc new_key_id(const char *prefix, char out[KMS_KEY_ID_MAX])
{
	uint8_t r[8];
	char hex[2 * sizeof r + 1];

	if (RAND_bytes(r, sizeof r) != 1)
		return MST_ERR_CRYPTO;
	hex_encode(r, sizeof r, hex);
	snprintf(out, KMS_KEY_ID_MAX, "%s-%s", prefix, hex);
	return MST_OK;
}

mst_rc kms_users_new_keys(kms_user *u, int pending)
{
	uint8_t *trk = pending ? u->new_trk : u->trk, *ink = pending ? u->new_ink : u->ink;
	mst_rc rc;

	if (RAND_bytes(trk, KMS_KEY_LEN) != 1 || RAND_bytes(ink, KMS_KEY_LEN) != 1)
		return MST_ERR_CRYPTO;
	if ((rc = new_key_id("TrK", pending ? u->new_trk_id : u->trk_id)) != MST_OK ||
	    (rc = new_key_id("InK", pending ? u->new_ink_id : u->ink_id)) != MST_OK)
		return rc;
	if (pending)
		u->rotating = 1;
	return MST_OK;
}

void kms_users_promote(kms_user *u)
{
	if (!u->rotating)
		return;
	memcpy(u->trk_id, u->new_trk_id, sizeof u->trk_id);
	memcpy(u->trk, u->new_trk, sizeof u->trk);
	memcpy(u->ink_id, u->new_ink_id, sizeof u->ink_id);
	memcpy(u->ink, u->new_ink, sizeof u->ink);
	secure_wipe(u->new_trk_id, sizeof u->new_trk_id);
	secure_wipe(u->new_trk, sizeof u->new_trk);
	secure_wipe(u->new_ink_id, sizeof u->new_ink_id);
	secure_wipe(u->new_ink, sizeof u->new_ink);
	u->rotating = 0;
}
