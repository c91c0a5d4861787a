/* token/dpck.h - the key that protects TS 33.180 key parameters (General
 * Extension type 7, TS 33.180 E.6):
 *
 *   DPCK = 128 least significant bits of KDF(SSV, FC 0x53, P0 = DPPK-ID)
 *
 * with the TS 33.220 B.2 KDF: HMAC-SHA-256(key = SSV,
 * S = FC || P0 || L0), P0 the 4-octet DPPK-ID, L0 = 0x0004.
 * The SSV is a GMK, PCK or CSK; it never leaves the token, so neither does
 * the DPCK.
 */
#ifndef MST_DPCK_H
#define MST_DPCK_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

#define DPCK_LEN 16
#define DPCK_FC 0x53

/* MST_ERR_ARGS for a NULL or empty SSV or NULL output; MST_ERR_CRYPTO if
 * OpenSSL fails (out is then wiped). */
mst_rc dpck_derive(const uint8_t *ssv, size_t ssv_len, uint32_t dppk_id, uint8_t out[DPCK_LEN]);

#endif
