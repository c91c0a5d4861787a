/* token/identity.h - MIKEY-SAKKE identifiers.
 *
 * Format 1, RFC 6509 (SAKKE ID scheme 1): "YYYY-MM" 0x00 URI 0x00, the month
 * being the UTC month of the given time (seconds since the Unix epoch).
 * Format 2, TS 33.180 Annex F (SAKKE ID scheme 2): the 32-octet UID is
 *   UID = SHA-256(S),  S = FC || P0 || L0 || P1 || L1 || ... || P5 || L5
 * with FC = 0x00, P0 = "MIKEY-SAKKE-UID", P1 = URI, P2 = KMS URI,
 * P3 = key period, P4 = key period offset, P5 = key period number, each
 * Li the 2-octet big-endian length of Pi; integers are minimal big-endian
 * and 0 is the single octet 0x00.  S is the TS 33.220 B.2 input string,
 * but it is hashed directly, not passed through the HMAC-SHA-256 KDF: only
 * the plain hash reproduces the five UID vectors of
 * tests/vectors/streamwide-test-vectors.md and the 24 interop users' UIDs
 * (all checked in tests/unit/test_identity.c).
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

/* Format 1.  *out_len is the capacity in, the length out (both NULs
 * counted).  MST_ERR_RANGE for a year outside 0000-9999 or a result longer
 * than IDENTITY_MAX_LEN or the capacity; MST_ERR_ARGS for an empty URI. */
mst_rc identity_rfc6509(int64_t unix_time, const char *uri, uint8_t *out, size_t *out_len);

/* Format 2.  MST_ERR_ARGS for an empty URI or KMS URI, MST_ERR_RANGE for
 * one longer than 65535 octets (its length must fit L1 / L2). */
mst_rc identity_uid(const char *uri, const char *kms_uri, uint64_t key_period,
		    uint64_t key_offset, uint64_t period_no, uint8_t out[IDENTITY_UID_LEN]);

/* Unix time of the seconds field of an NTP timestamp (a MIKEY T payload),
 * with the era pivot of RFC 4330 section 3: a value with the top bit clear
 * is in era 1 (from 2036-02-07 06:28:16 UTC), so 1968-2104 is covered.
 * Feeds identity_rfc6509 for the month of an I_MESSAGE. */
int64_t identity_ntp_to_unix(uint32_t ntp_seconds);

/* Key period number containing ntp_time; MST_ERR_RANGE if before offset or
 * period is 0. */
mst_rc identity_period_no(uint64_t ntp_time, uint64_t key_period, uint64_t key_offset,
			  uint64_t *period_no);
/* NTP start of period_no (ValidFrom); end is start + key_period (ValidTo).
 * UINT64_MAX when the start does not fit 64 bits. */
uint64_t identity_period_start(uint64_t period_no, uint64_t key_period, uint64_t key_offset);

#endif
