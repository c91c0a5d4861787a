/* token/identity.c - MIKEY-SAKKE identifiers: RFC 6509 text form, TS 33.180
 * hashed UID, and key period arithmetic.  See token/identity.h. */
#include "config.h"
#include "token/identity.h"

#include <string.h>
#include <openssl/evp.h>

#define UID_LABEL "MIKEY-SAKKE-UID"
#define UID_FC 0x00
#define UID_FIELD_MAX 0xFFFFu     /* Li is two octets */
#define RFC6509_DATE_LEN 7        /* "YYYY-MM" */
#define SECONDS_PER_DAY 86400

/* Civil year and month (1-12) of a day count since 1970-01-01, by the
 * proleptic Gregorian "days from civil" inverse (eras of 400 years), so
 * that any int64 time works without time_t or the C library's locale. */
static void civil_month(int64_t days, int64_t *year, unsigned *month)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                   /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                 /* [0, 11], March = 0 */

	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

mst_rc identity_rfc6509(int64_t unix_time, const char *uri, uint8_t *out, size_t *out_len)
{
	int64_t days, year;
	unsigned month;
	size_t uri_len, total;

	if (!uri || !out || !out_len)
		return MST_ERR_ARGS;
	uri_len = strlen(uri);
	if (uri_len == 0)
		return MST_ERR_ARGS;
	/* floor division: a time before 1970 belongs to the previous day */
	days = unix_time / SECONDS_PER_DAY - (unix_time % SECONDS_PER_DAY < 0);
	civil_month(days, &year, &month);
	if (year < 0 || year > 9999)
		return MST_ERR_RANGE;
	total = RFC6509_DATE_LEN + 1 + uri_len + 1;
	if (uri_len > IDENTITY_MAX_LEN || total > IDENTITY_MAX_LEN || total > *out_len)
		return MST_ERR_RANGE;
	out[0] = (uint8_t)('0' + year / 1000);
	out[1] = (uint8_t)('0' + year / 100 % 10);
	out[2] = (uint8_t)('0' + year / 10 % 10);
	out[3] = (uint8_t)('0' + year % 10);
	out[4] = '-';
	out[5] = (uint8_t)('0' + month / 10);
	out[6] = (uint8_t)('0' + month % 10);
	out[RFC6509_DATE_LEN] = 0x00;
	memcpy(out + RFC6509_DATE_LEN + 1, uri, uri_len);
	out[total - 1] = 0x00;
	*out_len = total;
	return MST_OK;
}

/* Minimal big-endian form of v; 0 is one octet 0x00.  Returns the length. */
static size_t be_minimal(uint64_t v, uint8_t out[8])
{
	size_t n = 1, i;

	while (n < 8 && (v >> (8 * n)) != 0)
		n++;
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}

/* Feed Pi || Li (Li = 2-octet length of Pi). */
static int add_field(EVP_MD_CTX *md, const void *p, size_t len)
{
	uint8_t l[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	return EVP_DigestUpdate(md, p, len) && EVP_DigestUpdate(md, l, sizeof(l));
}

mst_rc identity_uid(const char *uri, const char *kms_uri, uint64_t key_period,
		    uint64_t key_offset, uint64_t period_no, uint8_t out[IDENTITY_UID_LEN])
{
	const uint64_t ints[3] = { key_period, key_offset, period_no };
	const uint8_t fc = UID_FC;
	uint8_t be[8];
	unsigned int olen = 0;
	EVP_MD_CTX *md;
	size_t i;
	int ok;

	if (!uri || !kms_uri || !out || !*uri || !*kms_uri)
		return MST_ERR_ARGS;
	if (strlen(uri) > UID_FIELD_MAX || strlen(kms_uri) > UID_FIELD_MAX)
		return MST_ERR_RANGE;
	md = EVP_MD_CTX_new();
	if (!md)
		return MST_ERR_NOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(md, &fc, 1) &&
	     add_field(md, UID_LABEL, strlen(UID_LABEL)) &&
	     add_field(md, uri, strlen(uri)) &&
	     add_field(md, kms_uri, strlen(kms_uri));
	for (i = 0; ok && i < 3; i++)
		ok = add_field(md, be, be_minimal(ints[i], be));
	ok = ok && EVP_DigestFinal_ex(md, out, &olen) && olen == IDENTITY_UID_LEN;
	EVP_MD_CTX_free(md);
	return ok ? MST_OK : MST_ERR_CRYPTO;
}

int64_t identity_ntp_to_unix(uint32_t ntp_seconds)
{
	int64_t t = (int64_t)ntp_seconds - (int64_t)NTP_UNIX_OFFSET;

	/* RFC 4330 3: top bit 0 means era 1 (after the 2036 wrap) */
	return (ntp_seconds & 0x80000000u) ? t : t + ((int64_t)1 << 32);
}

mst_rc identity_period_no(uint64_t ntp_time, uint64_t key_period, uint64_t key_offset,
			  uint64_t *period_no)
{
	if (!period_no)
		return MST_ERR_ARGS;
	if (key_period == 0 || ntp_time < key_offset)
		return MST_ERR_RANGE;
	*period_no = (ntp_time - key_offset) / key_period;
	return MST_OK;
}

uint64_t identity_period_start(uint64_t period_no, uint64_t key_period, uint64_t key_offset)
{
	if (key_period != 0 && period_no > (UINT64_MAX - key_offset) / key_period)
		return UINT64_MAX;
	return key_offset + period_no * key_period;
}
