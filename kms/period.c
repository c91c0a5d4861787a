/* kms/period.c - key period, validity and identifier of a key set (see
 * kms/period.h); period arithmetic through token/identity.h. */
#include "config.h"
#include "kms/period.h"
#include "token/kmsxml_doc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

mst_rc kms_format_time(int64_t unix_time, char out[KMSXML_TIME_MAX])
{
	time_t t = (time_t)unix_time;
	struct tm tm;

	if (unix_time < KMS_TIME_MIN || unix_time > KMS_TIME_MAX || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, KMSXML_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return MST_ERR_RANGE;
	return MST_OK;
}

/* pattern: 'd' a digit, other characters literally, whole string. */
static int matches(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++)
		if (*pattern == 'd' ? (*s < '0' || *s > '9') : *s != *pattern)
			return 0;
	return *s == '\0';
}

static mst_rc bad_time(const char *s, char *err, size_t err_len)
{
	return kx_fail(err, err_len, MST_ERR_PARSE,
		       "--at: '%.40s' is not YYYY-MM-DDThh:mm:ssZ or @<Unix seconds> "
		       "between 1900 and 9999", s);
}

mst_rc kms_parse_time(const char *s, int64_t *unix_time, char *err, size_t err_len)
{
	struct tm tm = { 0 }, back;
	time_t t;

	if (s[0] == '@') {
		int64_t v = 0;
		const char *p = s + 1;
		if (*p == '\0')
			return bad_time(s, err, err_len);
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9' || v > (KMS_TIME_MAX - (*p - '0')) / 10)
				return bad_time(s, err, err_len);
			v = v * 10 + (*p - '0');
		}
		*unix_time = v;
		return MST_OK;
	}
	if (!matches(s, "dddd-dd-ddTdd:dd:ddZ") ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6 || tm.tm_year < 1900)
		return bad_time(s, err, err_len);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	/* timegm normalises 02-30 into March: a changed field means a bad date */
	if (tm.tm_year != back.tm_year || tm.tm_mon != back.tm_mon || tm.tm_mday != back.tm_mday ||
	    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return bad_time(s, err, err_len);
	*unix_time = (int64_t)t;
	return MST_OK;
}

/* Unix time of 00:00 UTC on the first day of t's month, plus `later` months. */
static int64_t month_start(int64_t unix_time, int later)
{
	time_t t = (time_t)unix_time;
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon += later;
	return (int64_t)timegm(&tm);
}

mst_rc kms_period_for(const kms_certificate *c, const char *uri, int have_period_no,
		      uint64_t period_no, int64_t at, kms_period *p, char *err, size_t err_len)
{
	/* NTP time of the last second of 9999: ValidTo may not pass it */
	const uint64_t span = (uint64_t)(KMS_TIME_MAX - KMS_TIME_MIN);
	uint64_t period = c->user_key_period, offset = c->user_key_offset, start_ntp;
	int64_t start, end, vf, vt;
	mst_rc rc;

	memset(p, 0, sizeof *p);
	if (!have_period_no) {
		if (at < KMS_TIME_MIN || at > KMS_TIME_MAX)
			return kx_fail(err, err_len, MST_ERR_RANGE, "the time is outside 1900..9999");
		rc = identity_period_no((uint64_t)(at - KMS_TIME_MIN), period, offset, &period_no);
		if (rc != MST_OK)
			return kx_fail(err, err_len, MST_ERR_RANGE,
				       "the time is before the community's first key period "
				       "(UserKeyOffset %llu s after 1900)", (unsigned long long)offset);
	}
	/* the period must end by 9999 (and its arithmetic must not overflow) */
	if (offset > span || period_no >= (span - offset) / period)
		return kx_fail(err, err_len, MST_ERR_RANGE,
			       "key period %llu would end after the year 9999",
			       (unsigned long long)period_no);
	start_ntp = identity_period_start(period_no, period, offset);
	start = (int64_t)start_ntp + KMS_TIME_MIN;
	end = start + (int64_t)period;
	p->period_no = period_no;
	if (c->user_id_format == 2) {
		vf = start;
		vt = end;
		rc = identity_uid(uri, c->kms_uri, period, offset, period_no, p->id);
		p->id_len = IDENTITY_UID_LEN;
	} else {
		int64_t when = have_period_no ? start : at;
		int64_t ms = month_start(when, 0), me = month_start(when, 1);
		vf = start > ms ? start : ms;
		vt = end < me ? end : me;
		p->id_len = sizeof p->id;
		rc = identity_rfc6509(vf, uri, p->id, &p->id_len);
	}
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "cannot compute the identifier of %.80s: %s", uri,
			       mst_strerror(rc));
	if (kms_format_time(vf, p->valid_from) != MST_OK || kms_format_time(vt, p->valid_to) != MST_OK)
		return kx_fail(err, err_len, MST_ERR_RANGE, "the key period is outside 1900..9999");
	return MST_OK;
}
