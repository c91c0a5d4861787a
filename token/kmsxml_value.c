/* token/kmsxml_value.c - typed values of KMS XML elements.
 *
 * Every reason names the element as "<parent>/<element>" and says what was
 * expected; it may give a length but never the text of a value, since the
 * text may be a secret (SSK, RSK).
 */
#include "config.h"
#include "token/kmsxml_doc.h"
#include "token/hex.h"
#include "token/secmem.h"

#include <string.h>

#define PARENT(n) ((n)->parent != NULL && (n)->parent->name != NULL ? \
		   (const char *)(n)->parent->name : "")
#define NAME(n) ((const char *)(n)->name)

static int is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

mst_rc kx_text(const xmlNode *n, char *buf, size_t cap, size_t *len, char *err, size_t err_len)
{
	const xmlNode *c;
	size_t used = 0, start = 0;

	for (c = n->children; c != NULL; c = c->next) {
		size_t l;
		if (c->type == XML_ELEMENT_NODE)
			return kx_fail(err, err_len, MST_ERR_PARSE,
				       "%s/%s: holds element %.80s, expected text",
				       PARENT(n), NAME(n), NAME(c));
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
		    c->content == NULL)
			continue; /* comments, processing instructions */
		l = strlen((const char *)c->content);
		if (l >= cap - used) {
			secure_wipe(buf, used);
			return kx_fail(err, err_len, MST_ERR_RANGE, "%s/%s: text longer than %zu characters",
				       PARENT(n), NAME(n), cap - 1);
		}
		memcpy(buf + used, c->content, l);
		used += l;
	}
	while (used > 0 && is_xml_space(buf[used - 1]))
		used--;
	while (start < used && is_xml_space(buf[start]))
		start++;
	memmove(buf, buf + start, used - start);
	used -= start;
	secure_wipe(buf + used, cap - used);
	*len = used;
	return MST_OK;
}

mst_rc kx_uint(const xmlNode *n, uint64_t *v, char *err, size_t err_len)
{
	char text[64];
	size_t len, i = 0;
	uint64_t acc = 0;
	mst_rc rc;

	if ((rc = kx_text(n, text, sizeof text, &len, err, err_len)) != MST_OK)
		return rc;
	if (len > 0 && text[0] == '-')
		return kx_fail(err, err_len, MST_ERR_RANGE, "%s/%s: must not be negative",
			       PARENT(n), NAME(n));
	if (len > 0 && text[0] == '+')
		i = 1;
	if (i == len)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: expected a decimal number",
			       PARENT(n), NAME(n));
	for (; i < len; i++) {
		unsigned d = (unsigned)(text[i] - '0');
		if (text[i] < '0' || text[i] > '9')
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: expected a decimal number",
				       PARENT(n), NAME(n));
		if (acc > (UINT64_MAX - d) / 10)
			return kx_fail(err, err_len, MST_ERR_RANGE, "%s/%s: number does not fit in 64 bits",
				       PARENT(n), NAME(n));
		acc = acc * 10 + d;
	}
	*v = acc;
	return MST_OK;
}

mst_rc kx_string(const xmlNode *n, char *out, size_t cap, int required, char *err, size_t err_len)
{
	size_t len, i;
	mst_rc rc;

	if ((rc = kx_text(n, out, cap, &len, err, err_len)) != MST_OK)
		return rc;
	if (len == 0 && required)
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: is empty", PARENT(n), NAME(n));
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: holds a control character",
				       PARENT(n), NAME(n));
	out[len] = '\0';
	return MST_OK;
}

/* pattern: 'd' a digit, other characters literally. */
static int matches(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++) {
		if (*pattern == 'd' ? (*s < '0' || *s > '9') : *s != *pattern)
			return 0;
	}
	return 1;
}

/* xsd:dateTime: YYYY-MM-DDThh:mm:ss[.fff][Z|(+|-)hh:mm]. */
mst_rc kx_datetime(const xmlNode *n, char out[KMSXML_TIME_MAX], char *err, size_t err_len)
{
	const char *p;
	mst_rc rc;

	if ((rc = kx_string(n, out, KMSXML_TIME_MAX, 1, err, err_len)) != MST_OK)
		return rc;
	p = out + 19;
	if (strlen(out) < 19 || !matches(out, "dddd-dd-ddTdd:dd:dd"))
		goto bad;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			goto bad;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z')
		p++;
	else if ((*p == '+' || *p == '-') && matches(p + 1, "dd:dd"))
		p += 6;
	if (*p == '\0')
		return MST_OK;
bad:
	return kx_fail(err, err_len, MST_ERR_PARSE,
		       "%s/%s: expected an xsd:dateTime (YYYY-MM-DDThh:mm:ss[Z])", PARENT(n), NAME(n));
}

static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

mst_rc kx_time_unix(const char *t, int64_t *unix_time)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, leap;
	int64_t v;
	const char *p;

	if (t == NULL || strlen(t) < 19 || !matches(t, "dddd-dd-ddTdd:dd:dd"))
		return MST_ERR_PARSE;
	y = digits(t, 4);
	mo = digits(t + 5, 2);
	d = digits(t + 8, 2);
	h = digits(t + 11, 2);
	mi = digits(t + 14, 2);
	sec = digits(t + 17, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || sec > 59)
		return MST_ERR_PARSE;
	v = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	p = t + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == '+' || *p == '-') {
		int off;
		if (!matches(p + 1, "dd:dd") || p[6] != '\0')
			return MST_ERR_PARSE;
		off = digits(p + 1, 2) * 3600 + digits(p + 4, 2) * 60;
		v += *p == '+' ? -off : off;
	} else if (!(*p == '\0' || (p[0] == 'Z' && p[1] == '\0'))) {
		return MST_ERR_PARSE;
	}
	*unix_time = v;
	return MST_OK;
}

/* The element text as hex into out: n_octets octets from the text's last
 * 2*n_octets digits, after `skip` leading digits that must be zeros. */
static mst_rc decode_tail(const xmlNode *n, const char *text, size_t skip, uint8_t *out,
			  size_t n_octets, char *err, size_t err_len)
{
	unsigned nonzero = 0;
	size_t i;

	for (i = 0; i < skip; i++)
		nonzero |= (unsigned char)text[i] ^ (unsigned)'0';
	if (hex_decode_exact(text + skip, 2 * n_octets, out, n_octets) != MST_OK || nonzero != 0) {
		secure_wipe(out, n_octets);
		return kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: not hexadecimal%s",
			       PARENT(n), NAME(n), skip > 0 ? " (or extra leading octets not zero)" : "");
	}
	return MST_OK;
}

mst_rc kx_hex_fixed(const xmlNode *n, uint8_t *out, size_t out_len, int point,
		    char *err, size_t err_len)
{
	char text[KX_TEXT_MAX];
	size_t len;
	mst_rc rc;

	rc = kx_text(n, text, sizeof text, &len, err, err_len);
	if (rc == MST_OK && len != 2 * out_len)
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: expected %zu hex digits, got %zu",
			     PARENT(n), NAME(n), 2 * out_len, len);
	if (rc == MST_OK)
		rc = decode_tail(n, text, 0, out, out_len, err, err_len);
	if (rc == MST_OK && point && out[0] != 0x04) {
		secure_wipe(out, out_len);
		rc = kx_fail(err, err_len, MST_ERR_PARSE,
			     "%s/%s: expected an uncompressed point (first octet 04)", PARENT(n), NAME(n));
	}
	secure_wipe(text, sizeof text);
	return rc;
}

mst_rc kx_hex_scalar(const xmlNode *n, uint8_t *out, size_t out_len, char *err, size_t err_len)
{
	char text[KX_TEXT_MAX];
	size_t len;
	mst_rc rc;

	rc = kx_text(n, text, sizeof text, &len, err, err_len);
	if (rc == MST_OK && (len < 2 * out_len || len % 2 != 0))
		rc = kx_fail(err, err_len, MST_ERR_PARSE, "%s/%s: expected %zu hex digits, got %zu",
			     PARENT(n), NAME(n), 2 * out_len, len);
	if (rc == MST_OK)
		rc = decode_tail(n, text, len - 2 * out_len, out, out_len, err, err_len);
	secure_wipe(text, sizeof text);
	return rc;
}

mst_rc kx_hex_var(const xmlNode *n, uint8_t *out, size_t min_len, size_t cap, size_t *out_len,
		  char *err, size_t err_len)
{
	char text[KX_TEXT_MAX];
	size_t len;
	mst_rc rc;

	rc = kx_text(n, text, sizeof text, &len, err, err_len);
	if (rc == MST_OK && (len % 2 != 0 || len < 2 * min_len || len > 2 * cap))
		rc = kx_fail(err, err_len, MST_ERR_PARSE,
			     "%s/%s: expected an even number of hex digits, %zu to %zu, got %zu",
			     PARENT(n), NAME(n), 2 * min_len, 2 * cap, len);
	if (rc == MST_OK)
		rc = decode_tail(n, text, 0, out, len / 2, err, err_len);
	if (rc == MST_OK)
		*out_len = len / 2;
	secure_wipe(text, sizeof text);
	return rc;
}

mst_rc kmsxml_time_unix(const char *text, int64_t *unix_time)
{
	return kx_time_unix(text, unix_time);
}
