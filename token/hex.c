/* token/hex.c - hexadecimal text <-> bytes. */
#include "token/hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

mst_rc hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t i;

	if (hex == NULL || out_len == NULL || (out == NULL && cap > 0))
		return MST_ERR_ARGS;
	if (hex_len % 2 != 0 || hex_len / 2 > cap)
		return MST_ERR_PARSE;
	for (i = 0; i < hex_len / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return MST_ERR_PARSE;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = hex_len / 2;
	return MST_OK;
}

mst_rc hex_decode_exact(const char *hex, size_t hex_len, uint8_t *out, size_t out_len)
{
	size_t got;
	mst_rc rc;

	if (hex_len != 2 * out_len)
		return MST_ERR_PARSE;
	rc = hex_decode(hex, hex_len, out, out_len, &got);
	return rc;
}

static void encode(const uint8_t *in, size_t len, char *out, const char *digits)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	encode(in, len, out, "0123456789abcdef");
}

void hex_encode_upper(const uint8_t *in, size_t len, char *out)
{
	encode(in, len, out, "0123456789ABCDEF");
}
