/* mikeysakke/identity.h - MIKEY-SAKKE identifiers, computed by the client
 * itself (it never links the token core).
 *
 * Format 1, RFC 6509 (SAKKE ID scheme 1): "YYYY-MM" 0x00 URI 0x00, the UTC
 * month of the I_MESSAGE time.
 * Format 2, TS 33.180 F.2.1 (SAKKE ID scheme 2): UID = SHA-256(S),
 * S = 0x00 || "MIKEY-SAKKE-UID" || L || URI || L || KMS URI || L ||
 *     key period || L || key period offset || L || key period number || L,
 * each L the 2-octet length of the field before it, integers minimal
 * big-endian (0 as one octet 0x00); key period number =
 * floor((NTP seconds - offset) / period).
 */
#ifndef MIKEYSAKKE_IDENTITY_H
#define MIKEYSAKKE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

#define MS_ID_UID_LEN 32
#define MS_ID_MAX_LEN 1024

/* What a community's KmsCertificate fixes about identifiers. */
struct ms_id_params {
	int format;             /* 1 RFC 6509, 2 TS 33.180 */
	const char *kms_uri;    /* format 2 */
	uint64_t key_period;    /* seconds, format 2 */
	uint64_t key_offset;    /* seconds, format 2 */
};

MS_API ms_rc ms_id_rfc6509(int64_t unix_time, const char *uri, uint8_t *out, size_t cap, size_t *len);
MS_API ms_rc ms_id_uid(const char *uri, const char *kms_uri, uint64_t key_period, uint64_t key_offset,
		       uint64_t period_no, uint8_t out[MS_ID_UID_LEN]);
/* MS_ERR_ARGS when period is 0 or the time is before the offset. */
MS_API ms_rc ms_id_period_no(int64_t unix_time, uint64_t key_period, uint64_t key_offset, uint64_t *no);
/* The identifier of uri at unix_time under p. */
MS_API ms_rc ms_id_at(const struct ms_id_params *p, const char *uri, int64_t unix_time,
		      uint8_t *out, size_t cap, size_t *len);

#endif
