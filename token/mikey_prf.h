/* token/mikey_prf.h - the MIKEY PRF and key derivation (RFC 3830 4.1.2-4.1.3,
 * RFC 6043 for PRF-HMAC-SHA-256).
 *
 *   keying material = PRF(inkey, label),
 *   label = constant || CS ID (1 octet) || CSB ID (4 octets) || RAND,
 * with constant 0x2AD01C64 (TEK), 0x1B5C7973 (authentication key),
 * 0x15798CEF (encryption key), 0x39A2C14B (salting key).
 */
#ifndef MST_MIKEY_PRF_H
#define MST_MIKEY_PRF_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

typedef enum {
	MIKEY_PRF_HMAC_SHA1 = 0,   /* MIKEY-1, RFC 3830 4.1.2 */
	MIKEY_PRF_HMAC_SHA256 = 1, /* RFC 6043 6.1 */
} mikey_prf_id;

typedef enum {
	MIKEY_KEY_TEK = 0,
	MIKEY_KEY_SALT = 1,
	MIKEY_KEY_AUTH = 2,
	MIKEY_KEY_ENC = 3,
} mikey_key_kind;

/* Raw PRF(inkey, label) of out_len octets (1 <= out_len <= 1024), inkey in
 * 256-bit chunks.  MST_ERR_ARGS for NULL or empty inkey/output,
 * MST_ERR_RANGE for out_len > 1024, MST_ERR_UNSUPPORTED for another PRF.
 * A failure while computing (MST_ERR_CRYPTO) leaves the output zero; the
 * argument errors above leave it untouched. */
mst_rc mikey_prf(mikey_prf_id prf, const uint8_t *inkey, size_t inkey_len,
		 const uint8_t *label, size_t label_len, uint8_t *out, size_t out_len);

/* Key derivation from a TGK/SSV for one crypto session (RFC 3830 4.1.3).
 * rand_len <= 255 (MST_ERR_RANGE otherwise); an unknown kind is
 * MST_ERR_ARGS.  An SRTP master key / salt: MIKEY_KEY_TEK, 16 octets /
 * MIKEY_KEY_SALT, 12 octets. */
mst_rc mikey_derive(mikey_prf_id prf, const uint8_t *tgk, size_t tgk_len, mikey_key_kind kind,
		    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		    uint8_t *out, size_t out_len);

#endif
