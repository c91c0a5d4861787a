/* tpm/tpm_codec.h - big-endian byte writer and reader for store files.
 *
 * Both sides keep a sticky error flag, so a file format can be written or
 * parsed as a straight list of fields and checked once at the end.
 */
#ifndef MST_TPM_CODEC_H
#define MST_TPM_CODEC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint8_t *buf;   /* malloc'd, grows */
	size_t len, cap;
	int err;
} tpm_wbuf;

typedef struct {
	const uint8_t *p;
	size_t len, pos;
	int err;
} tpm_rbuf;

void wbuf_bytes(tpm_wbuf *w, const void *p, size_t n);
void wbuf_u8(tpm_wbuf *w, uint8_t v);
void wbuf_u16(tpm_wbuf *w, uint16_t v);
void wbuf_u32(tpm_wbuf *w, uint32_t v);
/* Wipe and free the buffer (it may have held sealed blobs); it is then
 * empty and ready for reuse. */
void wbuf_free(tpm_wbuf *w);

void rbuf_init(tpm_rbuf *r, const uint8_t *p, size_t len);
/* Pointer to the next n bytes (NULL and the error flag if short). */
const uint8_t *rbuf_take(tpm_rbuf *r, size_t n);
uint8_t rbuf_u8(tpm_rbuf *r);
uint16_t rbuf_u16(tpm_rbuf *r);
uint32_t rbuf_u32(tpm_rbuf *r);
/* Nonzero when every byte was consumed without error. */
int rbuf_done(const tpm_rbuf *r);

#endif
