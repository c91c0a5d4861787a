/* mikeysakke/codec.h - base64 and hex text forms of I_MESSAGEs. */
#ifndef MIKEYSAKKE_CODEC_H
#define MIKEYSAKKE_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

/* Standard base64 with padding (RFC 4648 4), NUL-terminated; out needs
 * ms_base64_len(n) + 1 octets. */
MS_API size_t ms_base64_len(size_t n);
MS_API ms_rc ms_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Strict decode: only the alphabet, length a multiple of 4, '=' only as
 * final padding.  MS_ERR_MALFORMED otherwise, MS_ERR_BUFFER if out is too
 * small (decoded size <= 3 * len / 4). */
MS_API ms_rc ms_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Hex, either case, even length, no separators. */
MS_API ms_rc ms_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* Lower-case hex and NUL into out (2 * n + 1 octets). */
MS_API void ms_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
