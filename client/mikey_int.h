/* client/mikey_int.h - pieces of the I_MESSAGE codec shared between its
 * files (header, payloads, message chain).  Internal to libmikeysakke. */
#ifndef MS_MIKEY_INT_H
#define MS_MIKEY_INT_H

#include <stdbool.h>
#include "client/mikey_rd.h"

/* Writer that counts past its capacity instead of writing, so one pass
 * both measures and encodes; 'bad' records a value too big for its field. */
struct mikey_wr {
	uint8_t *buf;
	size_t cap;
	size_t off;
	bool bad;
};

void wr_u8(struct mikey_wr *w, uint8_t v);
void wr_u16(struct mikey_wr *w, size_t v);   /* sets bad if v > 0xffff */
void wr_u32(struct mikey_wr *w, uint32_t v);
void wr_u64(struct mikey_wr *w, uint64_t v);
void wr_bytes(struct mikey_wr *w, const struct mikey_bytes *b);

/* HDR (RFC 3830 6.1); *next gets the Next Payload field. */
ms_rc mikey_hdr_decode(struct mikey_rd *r, struct mikey_hdr *h, uint8_t *next);
void mikey_hdr_encode(struct mikey_wr *w, const struct mikey_hdr *h, uint8_t next);

/* One payload body of type p->type, starting after the Next Payload field
 * (SIGN has none).  *next gets the following type (0 for SIGN). */
ms_rc mikey_payload_decode(struct mikey_rd *r, struct mikey_payload *p, uint8_t *next);
void mikey_payload_encode(struct mikey_wr *w, const struct mikey_payload *p, uint8_t next);

#endif
