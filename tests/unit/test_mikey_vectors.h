/* tests/unit/test_mikey_vectors.h - the vendor I_MESSAGEs of
 * tests/vectors/interop_vectors.json for the client tests.
 *
 * The file is found through MSTOKEN_INTEROP_DIR (set by make check).  No
 * JSON library is a dependency of the project, so this reads just enough:
 * each object holding an "imessage" member, and from that same object the
 * simple string members "expected_rand", "expected_ssv" and "csb_id"
 * when present.  A
 * missing file fails the test (it never silently passes).
 */
#ifndef TEST_MIKEY_VECTORS_H
#define TEST_MIKEY_VECTORS_H

#include "test_util.h"
#include "mikeysakke/codec.h"

#define TV_MAX 64

struct tv_msg {
	char name[128];
	uint8_t bytes[2048];
	size_t len;
	char rand_hex[80];       /* "" when the vector states none */
	char csb_hex[16];
	char ssv_hex[80];        /* the key the message carries, "" if unknown */
	int unverified;
};

static char *tv_read_file(size_t *len)
{
	const char *dir = getenv("MSTOKEN_INTEROP_DIR");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	if (!dir)
		dir = "tests/vectors";
	snprintf(path, sizeof(path), "%s/interop_vectors.json", dir);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (set MSTOKEN_INTEROP_DIR)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Copies the string value of "key" found between lo and hi into out. */
static int tv_member(const char *lo, const char *hi, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p, *q;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	for (p = lo; (p = strstr(p, pat)) && p < hi; p++) {
		p += strlen(pat);
		q = strchr(p, '"');
		if (!q || q > hi || (size_t)(q - p) >= cap)
			return 0;
		memcpy(out, p, (size_t)(q - p));
		out[q - p] = '\0';
		return 1;
	}
	return 0;
}

/* The enclosing object of position at: scans back to its '{' and forward
 * to the matching '}' (the vector strings hold no braces). */
static void tv_object(const char *buf, const char *at, const char **lo, const char **hi)
{
	int depth = 0;
	const char *p;

	for (p = at; p > buf; p--) {
		if (*p == '}') depth++;
		if (*p == '{' && depth-- == 0) break;
	}
	*lo = p;
	depth = 0;
	for (p = at; *p; p++) {
		if (*p == '{') depth++;
		if (*p == '}' && depth-- == 0) break;
	}
	*hi = p;
}

/* Loads every I_MESSAGE; returns how many. */
static size_t tv_load(struct tv_msg *out, size_t cap)
{
	size_t len, n = 0;
	char *buf = tv_read_file(&len);
	const char *p = buf, *unverified = strstr(buf, "\"unverified\": {");
	const char *pat = "\"imessage\": \"";

	while ((p = strstr(p, pat)) != NULL) {
		struct tv_msg *m = &out[n];
		const char *lo, *hi, *v = p + strlen(pat), *e = strchr(v, '"');
		char text[4096];

		assert_true(n < cap);
		assert_non_null(e);
		assert_true((size_t)(e - v) < sizeof(text));
		memcpy(text, v, (size_t)(e - v));
		text[e - v] = '\0';
		v = strncmp(text, "mikey ", 6) == 0 ? text + 6 : text;
		assert_int_equal(ms_base64_decode(v, strlen(v), m->bytes, sizeof(m->bytes), &m->len), MS_OK);
		tv_object(buf, p, &lo, &hi);
		memset(m->name, 0, sizeof(m->name));
		if (!tv_member(lo, hi, "name", m->name, sizeof(m->name)))
			snprintf(m->name, sizeof(m->name), "message %zu", n);
		m->rand_hex[0] = m->csb_hex[0] = m->ssv_hex[0] = '\0';
		tv_member(lo, hi, "expected_ssv", m->ssv_hex, sizeof(m->ssv_hex));
		tv_member(lo, hi, "expected_rand", m->rand_hex, sizeof(m->rand_hex));
		tv_member(lo, hi, "csb_id", m->csb_hex, sizeof(m->csb_hex));
		m->unverified = unverified && p > unverified;
		n++;
		p = e;
	}
	free(buf);
	return n;
}

#endif
