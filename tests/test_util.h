/* tests/test_util.h - small helpers shared by the cmocka tests. */
#ifndef MST_TEST_UTIL_H
#define MST_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Decode a hex literal (spaces and newlines allowed, as the RFCs print
 * them) into a malloc'd buffer; *len gets its length.  Fails the test on a
 * bad digit. */
static inline uint8_t *test_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i, o = 0;
	uint8_t *out = malloc(n / 2 + 1);
	int hi = -1;

	assert_non_null(out);
	for (i = 0; i < n; i++) {
		char c = hex[i];
		int v;
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		if (c >= '0' && c <= '9') v = c - '0';
		else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
		else { fail_msg("bad hex digit '%c' in test vector", c); v = 0; }
		if (hi < 0) hi = v;
		else { out[o++] = (uint8_t)(hi << 4 | v); hi = -1; }
	}
	assert_int_equal(hi, -1);
	*len = o;
	return out;
}

/* Compare a buffer against a hex literal, byte for byte, naming the value. */
#define assert_hex_equal(buf, buflen, hexlit) do { \
	size_t _l; uint8_t *_e = test_hex((hexlit), &_l); \
	if (_l != (size_t)(buflen) || memcmp(_e, (buf), _l) != 0) { \
		char _got[2 * 1024 + 1] = ""; size_t _i; \
		for (_i = 0; _i < (size_t)(buflen) && _i < 1024; _i++) \
			sprintf(_got + 2 * _i, "%02x", ((const uint8_t *)(buf))[_i]); \
		free(_e); fail_msg("%s differs: got %s", #buf, _got); } \
	free(_e); } while (0)

#endif
