/* tests/integration/test_token_tpm_store.c - what test_tampered_record
 * needs of a tpm-backed slot: its records are the files STORE/rec.NAME
 * (doc/tpm.md), so an attacker's edit is an edit of such a file, where on
 * SoftHSM2 it is an edit of the backing token's object. */
#include "test_token.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

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
