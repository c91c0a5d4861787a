/* client/mikey_rd.h - bounded reader the I_MESSAGE decoder is built on.
 *
 * Every read checks what remains first and, on a shortfall, writes one
 * refusal naming the offset and the field into the error; nothing is read
 * past the end.  Internal to libmikeysakke.
 */
#ifndef MS_MIKEY_RD_H
#define MS_MIKEY_RD_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/mikey.h"

struct mikey_rd {
	const uint8_t *buf;
	size_t len;
	size_t off;
	struct mikey_error *err;
};

/* Each returns MS_OK or MS_ERR_MALFORMED (err filled). */
ms_rc rd_u8(struct mikey_rd *r, const char *field, uint8_t *v);
ms_rc rd_u16(struct mikey_rd *r, const char *field, uint16_t *v);
ms_rc rd_u32(struct mikey_rd *r, const char *field, uint32_t *v);
ms_rc rd_u64(struct mikey_rd *r, const char *field, uint64_t *v);
/* n octets whose length was read from a field at len_off: the refusal
 * reads "offset <len_off>: <field> length <n> exceeds remaining <r>". */
ms_rc rd_span(struct mikey_rd *r, size_t len_off, const char *field, size_t n,
	      struct mikey_bytes *out);
/* A 16-bit length field followed by that many octets. */
ms_rc rd_span16(struct mikey_rd *r, const char *field, struct mikey_bytes *out);
/* Record a refusal at an offset (printf-style reason after "offset N: "). */
ms_rc rd_fail(struct mikey_rd *r, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
