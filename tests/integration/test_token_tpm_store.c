/* tests/integration/test_token_tpm_store.c - what test_tampered_record
 * needs of a tpm-backed slot: its records are the files STORE/rec.NAME
 * (doc/tpm.md), so an attacker's edit is an edit of such a file, where on
 * SoftHSM2 it is an edit of the backing token's object. */
#include "test_token.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "tpm/tpm_codec.h"
#include "tpm/tpm_files.h"

int tok_backend_is_tpm(void)
{
	const char *b = getenv("MSTOKEN_TEST_BACKEND");

	return b != NULL && strcmp(b, "tpm") == 0;
}

static void store_dir(char *out, size_t cap, const char *label)
{
	const char *stores = getenv("MSTOKEN_TEST_TPM_STORES");

	assert_non_null(stores);
	assert_true((size_t)snprintf(out, cap, "%s/%s", stores, label) < cap);
}

size_t tpm_store_records(const char *label, char names[][72], size_t max)
{
	char dir[4096];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	store_dir(dir, sizeof(dir), label);
	d = opendir(dir);
	if (d == NULL)
		fail_msg("cannot open the tpm store %s", dir);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "rec.", 4) != 0)
			continue;
		assert_true(n < max);
		assert_true(strlen(e->d_name + 4) < 72);
		strcpy(names[n++], e->d_name + 4);
	}
	closedir(d);
	return n;
}

/* Flip one octet inside the data of STORE/rec.NAME (not in its final
 * SHA-256), in place, as someone with write access to the folder would. */
static void flip_record_octet(const char *dir, const char *name)
{
	char path[4200];
	long len;
	int c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rec.%s", dir, name);
	f = fopen(path, "r+b");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 64);
	assert_int_equal(fseek(f, len - 40, SEEK_SET), 0);
	c = fgetc(f);
	assert_true(c != EOF);
	assert_int_equal(fseek(f, len - 40, SEEK_SET), 0);
	assert_int_equal(fputc(c ^ 0x01, f), c ^ 0x01);
	assert_int_equal(fclose(f), 0);
}

int tpm_store_tamper_new_values(const char *label, char before[][72], size_t n_before)
{
	static char names[256][72];
	char dir[4096];
	size_t n, i, j, edited = 0;

	store_dir(dir, sizeof(dir), label);
	n = tpm_store_records(label, names, 256);
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		int old = 0;

		for (j = 0; j < n_before; j++)
			old |= strcmp(before[j], names[i]) == 0;
		if (old || l < 2 || (strcmp(names[i] + l - 2, ".v") != 0 &&
				     strcmp(names[i] + l - 2, ".e") != 0))
			continue;
		flip_record_octet(dir, names[i]);
		edited++;
	}
	return (int)edited;
}

static char saved_names[256][72];
static uint8_t *saved_files[256];
static size_t saved_lens[256], n_saved;

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_all(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		fail_msg("cannot write %s", path);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

size_t tpm_store_forge_public(const char *label, const char *suffix, uint32_t kind,
			      const uint8_t *data, size_t len)
{
	static char names[256][72];
	char dir[4096], path[4200];
	size_t n, i, l, s = strlen(suffix);

	store_dir(dir, sizeof(dir), label);
	n = tpm_store_records(label, names, 256);
	for (i = 0; i < n; i++) {
		tpm_record_file rec;
		tpm_wbuf w = { 0 };
		size_t flen;
		uint8_t *buf;

		l = strlen(names[i]);
		if (l < s || strcmp(names[i] + l - s, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/rec.%.71s", dir, names[i]);
		buf = read_all(path, &flen);
		if (tpm_record_decode(buf, flen, names[i], &rec) != MST_OK || !rec.is_private) {
			free(buf);
			continue;
		}
		assert_true(n_saved < 256);
		strcpy(saved_names[n_saved], names[i]);
		saved_files[n_saved] = buf;
		saved_lens[n_saved++] = flen;
		tpm_record_encode_public(names[i], kind, data, len, &w);
		assert_false(w.err);
		write_all(path, w.buf, w.len);
		wbuf_free(&w);
	}
	return n_saved;
}

void tpm_store_restore(const char *label)
{
	char dir[4096], path[4200];
	size_t i;

	store_dir(dir, sizeof(dir), label);
	for (i = 0; i < n_saved; i++) {
		snprintf(path, sizeof(path), "%s/rec.%.71s", dir, saved_names[i]);
		write_all(path, saved_files[i], saved_lens[i]);
		free(saved_files[i]);
	}
	n_saved = 0;
}
