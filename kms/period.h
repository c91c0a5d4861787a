/* kms/period.h - which key period a key set is for, and its identifier.
 *
 * KeyPeriodNo is always the TS 33.180 period number under the community's
 * UserKeyPeriod and UserKeyOffset (NTP seconds, from 1900-01-01 UTC).
 * Format 2: identifier = the UID of that period; ValidFrom/ValidTo = the
 *   period.
 * Format 1 (RFC 6509): identifier = "YYYY-MM\0URI\0" of one UTC month (the
 *   month of --at or now, or with --period-no the month the period starts
 *   in); ValidFrom/ValidTo = the part of the period inside that month, since
 *   the identifier changes with the month.
 */
#ifndef MST_KMS_PERIOD_H
#define MST_KMS_PERIOD_H

#include <stddef.h>
#include <stdint.h>
#include "token/kmsxml.h"

/* The last second a key set may be valid: 9999-12-31T23:59:59Z. */
#define KMS_TIME_MAX 253402300799LL
/* 1900-01-01T00:00:00Z, the NTP epoch, as Unix time. */
#define KMS_TIME_MIN (-(int64_t)NTP_UNIX_OFFSET)

typedef struct {
	uint8_t id[IDENTITY_MAX_LEN];
	size_t id_len;
	uint64_t period_no;
	char valid_from[KMSXML_TIME_MAX];
	char valid_to[KMSXML_TIME_MAX];
} kms_period;

/* The period number given (have_period_no) or the one holding Unix time at. */
mst_rc kms_period_for(const kms_certificate *c, const char *uri, int have_period_no,
		      uint64_t period_no, int64_t at, kms_period *p, char *err, size_t err_len);

/* "YYYY-MM-DDThh:mm:ssZ" or "@<Unix seconds>", 1900..9999. */
mst_rc kms_parse_time(const char *s, int64_t *unix_time, char *err, size_t err_len);
/* xsd:dateTime in UTC, "YYYY-MM-DDThh:mm:ssZ". */
mst_rc kms_format_time(int64_t unix_time, char out[KMSXML_TIME_MAX]);

#endif
