/* token/identity.h - MIKEY-SAKKE identifiers.
 *
 * Format 1, RFC 6509 (SAKKE ID scheme 1): "YYYY-MM" 0x00 URI 0x00, the month
 * being the UTC month of the given time (seconds since the Unix epoch).
 * Format 2, TS 33.180 Annex F (SAKKE ID scheme 2): UID = SHA-256 over
 *   0x00 || "MIKEY-SAKKE-UID" || len || URI || len || KMS URI || len ||
 *   key period || len || key period offset || len || key period number || len
 * where every field is followed by its 2-octet length (the first 0x00 ...UID
 * string counts as field "FC || P0") and integers are minimal big-endian,
 * 0 as the single octet 0x00.
 * TS 33.180 times are NTP seconds (since 1900); key period number =
 *   floor((ntp_time - offset) / period).
 */
#ifndef MST_IDENTITY_H
#define MST_IDENTITY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "token/status.h"

#define IDENTITY_UID_LEN 32
#define IDENTITY_MAX_LEN 1024
#define NTP_UNIX_OFFSET 2208988800ULL /* seconds from 1900-01-01 to 1970-01-01 */

/* Format 1.  *out_len is the capacity in, the length out. */
mst_rc identity_rfc6509(int64_t unix_time, const char *uri, uint8_t *out, size_t *out_len);

/* Format 2. */
mst_rc identity_uid(const char *uri, const char *kms_uri, uint64_t key_period,
		    uint64_t key_offset, uint64_t period_no, uint8_t out[IDENTITY_UID_LEN]);

/* Key period number containing ntp_time; MST_ERR_RANGE if before offset or
 * period is 0. */
mst_rc identity_period_no(uint64_t ntp_time, uint64_t key_period, uint64_t key_offset,
			  uint64_t *period_no);
/* NTP start of period_no (ValidFrom); end is start + key_period (ValidTo). */
uint64_t identity_period_start(uint64_t period_no, uint64_t key_period, uint64_t key_offset);

#endif
