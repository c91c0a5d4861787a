/* client/identity.c - identifiers of both formats (RFC 6509 and TS 33.180
 * F.2.1), with OpenSSL's SHA-256. */
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "mikeysakke/identity.h"

#define NTP_UNIX_DELTA 2208988800LL

ms_rc ms_id_rfc6509(int64_t unix_time, const char *uri, uint8_t *out, size_t cap, size_t *len)
{
	time_t t = (time_t)unix_time;
	struct tm tm;
	size_t ulen;
	char ym[16];

	if (!uri || !out || !len || !gmtime_r(&t, &tm))
		return MS_ERR_ARGS;
	ulen = strlen(uri);
	if (!ulen || strftime(ym, sizeof(ym), "%Y-%m", &tm) != 7)
		return MS_ERR_ARGS;
	if (cap < 7 + 1 + ulen + 1)
		return MS_ERR_BUFFER;
	memcpy(out, ym, 7);
	out[7] = 0;
	memcpy(out + 8, uri, ulen);
	out[8 + ulen] = 0;
	*len = 9 + ulen;
	return MS_OK;
}

/* Appends P || L (L = 2-octet length of P) to the digest. */
static int add_field(EVP_MD_CTX *c, const uint8_t *p, size_t n)
{
	uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	return n <= 0xffff && EVP_DigestUpdate(c, p, n) == 1 && EVP_DigestUpdate(c, l, 2) == 1;
}

static int add_uint(EVP_MD_CTX *c, uint64_t v)
{
	uint8_t b[8];
	size_t n = 0, i;

	do {
		n++;
	} while (n < 8 && (v >> (8 * n)) != 0);
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return add_field(c, b, n);
}

ms_rc ms_id_uid(const char *uri, const char *kms_uri, uint64_t key_period, uint64_t key_offset,
		uint64_t period_no, uint8_t out[MS_ID_UID_LEN])
{
	static const uint8_t fc = 0x00, label[] = "MIKEY-SAKKE-UID";
	EVP_MD_CTX *c;
	unsigned int n = 0;
	int ok;

	if (!uri || !kms_uri || !out || !*uri || !*kms_uri)
		return MS_ERR_ARGS;
	c = EVP_MD_CTX_new();
	if (!c)
		return MS_ERR_NOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(c, &fc, 1) == 1 &&
	     add_field(c, label, sizeof(label) - 1) &&
	     add_field(c, (const uint8_t *)uri, strlen(uri)) &&
	     add_field(c, (const uint8_t *)kms_uri, strlen(kms_uri)) &&
	     add_uint(c, key_period) && add_uint(c, key_offset) && add_uint(c, period_no) &&
	     EVP_DigestFinal_ex(c, out, &n) == 1 && n == MS_ID_UID_LEN;
	EVP_MD_CTX_free(c);
	return ok ? MS_OK : MS_ERR_CRYPTO;
}

ms_rc ms_id_period_no(int64_t unix_time, uint64_t key_period, uint64_t key_offset, uint64_t *no)
{
	int64_t ntp = unix_time + NTP_UNIX_DELTA;

	if (!no || key_period == 0 || ntp < 0 || (uint64_t)ntp < key_offset)
		return MS_ERR_ARGS;
	*no = ((uint64_t)ntp - key_offset) / key_period;
	return MS_OK;
}

ms_rc ms_id_at(const struct ms_id_params *p, const char *uri, int64_t unix_time,
	       uint8_t *out, size_t cap, size_t *len)
{
	uint64_t no;
	ms_rc rc;

	if (!p || !len)
		return MS_ERR_ARGS;
	if (p->format == 1)
		return ms_id_rfc6509(unix_time, uri, out, cap, len);
	if (p->format != 2)
		return MS_ERR_UNSUPPORTED;
	if (cap < MS_ID_UID_LEN)
		return MS_ERR_BUFFER;
	rc = ms_id_period_no(unix_time, p->key_period, p->key_offset, &no);
	if (rc == MS_OK)
		rc = ms_id_uid(uri, p->kms_uri, p->key_period, p->key_offset, no, out);
	if (rc == MS_OK)
		*len = MS_ID_UID_LEN;
	return rc;
}
