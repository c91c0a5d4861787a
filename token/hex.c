/* token/hex.c - hexadecimal text <-> bytes.
 *
 * Key material (SSK, RSK, KMS secrets) passes through here, so neither
 * direction branches on or indexes by a digit or an octet value: digits are
 * classified with masks, and a bad digit is only reported after the whole
 * input has been read.
 */
#include "token/hex.h"

/* All ones when lo <= x <= hi (all below 256), else 0; no branch. */
static unsigned range_mask(unsigned x, unsigned lo, unsigned hi)
{
	return 0u - (1u & ~(((x - lo) | (hi - x)) >> 31));
}

/* The digit's value in the low 4 bits; *bad gets 1 if it is no hex digit. */
static unsigned digit_value(unsigned char c, unsigned *bad)
{
	unsigned x = c;
	unsigned dig = range_mask(x, '0', '9');
	unsigned up = range_mask(x, 'A', 'F');
	unsigned lo = range_mask(x, 'a', 'f');

	*bad |= ~(dig | up | lo) & 1u;
	return ((dig & (x - '0')) | (up & (x - 'A' + 10)) | (lo & (x - 'a' + 10))) & 15u;
}

mst_rc hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap, size_t *out_len)
{
	unsigned bad = 0;
	size_t i;

	if (hex == NULL || out_len == NULL || (out == NULL && cap > 0))
		return MST_ERR_ARGS;
	if (hex_len % 2 != 0 || hex_len / 2 > cap)
		return MST_ERR_PARSE;
	for (i = 0; i < hex_len / 2; i++) {
		unsigned hi = digit_value((unsigned char)hex[2 * i], &bad);
		unsigned lo = digit_value((unsigned char)hex[2 * i + 1], &bad);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	if (bad) {
		/* leave nothing half-decoded behind */
		for (i = 0; i < hex_len / 2; i++)
			out[i] = 0;
		return MST_ERR_PARSE;
	}
	*out_len = hex_len / 2;
	return MST_OK;
}

mst_rc hex_decode_exact(const char *hex, size_t hex_len, uint8_t *out, size_t out_len)
{
	size_t got;

	if (hex_len != 2 * out_len)
		return MST_ERR_PARSE;
	return hex_decode(hex, hex_len, out, out_len, &got);
}

/* '0'..'9' for 0..9, then 'a' (or 'A') + v - 10, without a table lookup. */
static char digit_char(unsigned v, unsigned letter_a)
{
	unsigned above9 = (9u - v) >> 31;
	return (char)('0' + v + above9 * (letter_a - '0' - 10));
}

static void encode(const uint8_t *in, size_t len, char *out, unsigned letter_a)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digit_char(in[i] >> 4, letter_a);
		out[2 * i + 1] = digit_char(in[i] & 15u, letter_a);
	}
	out[2 * len] = '\0';
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	encode(in, len, out, 'a');
}

void hex_encode_upper(const uint8_t *in, size_t len, char *out)
{
	encode(in, len, out, 'A');
}
