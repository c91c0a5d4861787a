/* tests/fuzz/fuzz_replay.c - plain driver for fuzz_imessage in make check:
 * replays the vendor I_MESSAGEs, the files of a corpus directory when one
 * is given (argv[1] or FUZZ_CORPUS), then 100000 seeded random mutations
 * of the vendor messages (FUZZ_SEED, FUZZ_RUNS override).  The target
 * aborts on any broken promise, so a pass means none was found. */
#include <dirent.h>
#include "tests/unit/test_mikey_vectors.h"
#include "tests/fuzz/fuzz_imessage.h"

static struct tv_msg tv[TV_MAX];
static const char *corpus_dir;

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

/* One mutation of buf (len in/out, capacity cap). */
static void mutate(uint8_t *buf, size_t *len, size_t cap)
{
	size_t n = *len, at = n ? rnd() % n : 0, k;

	switch (rnd() % 6) {
	case 0: /* flip a bit */
		if (n)
			buf[at] ^= (uint8_t)(1u << (rnd() % 8));
		break;
	case 1: /* set a byte to a boundary value */
		if (n)
			buf[at] = (uint8_t[]){ 0x00, 0x01, 0x7f, 0x80, 0xff, 0x10 }[rnd() % 6];
		break;
	case 2: /* truncate */
		*len = at;
		break;
	case 3: /* delete a run */
		k = 1 + rnd() % 16;
		if (at + k <= n) {
			memmove(buf + at, buf + at + k, n - at - k);
			*len = n - k;
		}
		break;
	case 4: /* insert random octets */
		k = 1 + rnd() % 8;
		if (n + k <= cap) {
			size_t j;

			memmove(buf + at + k, buf + at, n - at);
			for (j = 0; j < k; j++)
				buf[at + j] = (uint8_t)rnd();
			*len = n + k;
		}
		break;
	default: /* overwrite a 16-bit field with a random length */
		if (at + 1 < n) {
			uint16_t v = (uint16_t)rnd();
			buf[at] = (uint8_t)(v >> 8);
			buf[at + 1] = (uint8_t)v;
		}
	}
}

static void replay_corpus(void)
{
	DIR *d;
	struct dirent *e;
	static uint8_t buf[1 << 16];
	size_t files = 0;

	if (!corpus_dir)
		return;
	d = opendir(corpus_dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[2048];
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", corpus_dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		files++;
	}
	closedir(d);
	print_message("corpus %s: %zu inputs\n", corpus_dir, files);
}

static void test_fuzz_replay(void **state)
{
	size_t n_tv = tv_load(tv, TV_MAX), i;
	const char *seed_env = getenv("FUZZ_SEED"), *runs_env = getenv("FUZZ_RUNS");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x6d696b6579ULL;
	unsigned long runs = runs_env ? strtoul(runs_env, NULL, 0) : 100000, r;

	assert_true(n_tv > 0);
	for (i = 0; i < n_tv; i++)
		assert_true(tv[i].len <= 2048);
	for (i = 0; i < n_tv; i++)
		LLVMFuzzerTestOneInput(tv[i].bytes, tv[i].len);
	replay_corpus();
	rng_state = seed ? seed : 1;
	for (r = 0; r < runs; r++) {
		uint8_t buf[2048 + 64];
		const struct tv_msg *src = &tv[rnd() % n_tv];
		size_t len = src->len, k = 1 + rnd() % 4;

		memcpy(buf, src->bytes, len);
		while (k--)
			mutate(buf, &len, sizeof(buf));
		LLVMFuzzerTestOneInput(buf, len);
	}
	print_message("seed 0x%llx: %lu mutations of %zu vendor messages\n",
		      (unsigned long long)seed, runs, n_tv);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_fuzz_replay) };

	corpus_dir = argc > 1 ? argv[1] : getenv("FUZZ_CORPUS");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
