/* token/hex.h - hexadecimal text <-> bytes, strict. */
#ifndef MST_HEX_H
#define MST_HEX_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

/* Decode exactly 2*out_len hex digits (either case, no spaces) into out.
 * MST_ERR_PARSE on a non-hex character or a wrong length. */
mst_rc hex_decode_exact(const char *hex, size_t hex_len, uint8_t *out, size_t out_len);
/* Decode hex of any even length into out (capacity cap); *out_len set. */
mst_rc hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap, size_t *out_len);
/* Write 2*len lower-case digits and a NUL into out (size >= 2*len+1). */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* The same, upper case (3GPP KMS XML uses upper-case hexBinary). */
void hex_encode_upper(const uint8_t *in, size_t len, char *out);

#endif
