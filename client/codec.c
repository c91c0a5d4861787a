/* client/codec.c - base64 (OpenSSL's EVP block coder, with the strictness
 * it lacks: it accepts '=' anywhere and reports padding as data) and hex. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "mikeysakke/codec.h"

size_t ms_base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

ms_rc ms_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	if (!out || (!in && n) || n > 0x3fffffff)
		return MS_ERR_ARGS;
	if (cap < ms_base64_len(n) + 1)
		return MS_ERR_BUFFER;
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return MS_OK;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

ms_rc ms_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pad = 0, i, n;
	int got;

	if (!in || !out_len || len > 0x3fffffff)
		return MS_ERR_ARGS;
	if (len % 4)
		return MS_ERR_MALFORMED;
	if (len && in[len - 1] == '=')
		pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (b64_value(in[i]) < 0)
			return MS_ERR_MALFORMED;
	n = len / 4 * 3 - pad;
	if (!out || cap < len / 4 * 3)
		return MS_ERR_BUFFER;
	got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (got < 0 || (size_t)got != len / 4 * 3)
		return MS_ERR_MALFORMED;
	*out_len = n;
	return MS_OK;
}

/* Hex also carries secrets (the SRTP keys of --show-keys and --keys), so
 * digits are converted by arithmetic: no branch or table index depends on
 * the value.  Returns 0..15, or -1 for a non-digit. */
static int hex_value(char ch)
{
	int c = (unsigned char)ch, lc = c | 0x20;
	int d = c - '0', a = lc - 'a' + 10;
	int is_d = (unsigned)d <= 9, is_a = (unsigned)(lc - 'a') <= 5;

	return (d & -is_d) | (a & -is_a) | -(1 - (is_d | is_a));
}

static char hex_digit(unsigned n)
{
	/* n + '0', plus the gap to 'a' when n > 9 */
	return (char)(n + '0' + ((('a' - '0' - 10) & -(int)((9 - n) >> 31 & 1))));
}

ms_rc ms_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t i;
	int bad = 0;

	if (!in || !out_len || (!out && len))
		return MS_ERR_ARGS;
	if (len % 2)
		return MS_ERR_MALFORMED;
	if (len / 2 > cap)
		return MS_ERR_BUFFER;
	for (i = 0; i < len; i += 2) {
		int hi = hex_value(in[i]), lo = hex_value(in[i + 1]);

		bad |= hi | lo;   /* negative when either is not a digit */
		/* unsigned: shifting a negative (non-digit) value is undefined */
		out[i / 2] = (uint8_t)(((unsigned)hi & 15u) << 4 | ((unsigned)lo & 15u));
	}
	if (bad < 0) {
		OPENSSL_cleanse(out, len / 2);
		return MS_ERR_MALFORMED;
	}
	*out_len = len / 2;
	return MS_OK;
}

void ms_hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex_digit(in[i] >> 4);
		out[2 * i + 1] = hex_digit(in[i] & 15u);
	}
	out[2 * n] = '\0';
}
