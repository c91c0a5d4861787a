/* tpm/tpm_codec.c - big-endian byte writer and reader. */
#include "config.h"
#include "tpm/tpm_codec.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

void wbuf_bytes(tpm_wbuf *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *nb;

		while (cap < w->len + n)
			cap *= 2;
		nb = malloc(cap);
		if (nb == NULL) {
			w->err = 1;
			return;
		}
		/* copy by hand instead of realloc, so the old block is wiped */
		if (w->len)
			memcpy(nb, w->buf, w->len);
		if (w->buf) {
			OPENSSL_cleanse(w->buf, w->cap);
			free(w->buf);
		}
		w->buf = nb;
		w->cap = cap;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void wbuf_u8(tpm_wbuf *w, uint8_t v)
{
	wbuf_bytes(w, &v, 1);
}

void wbuf_u16(tpm_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_bytes(w, b, 2);
}

void wbuf_u32(tpm_wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_bytes(w, b, 4);
}

void wbuf_free(tpm_wbuf *w)
{
	if (w->buf) {
		OPENSSL_cleanse(w->buf, w->cap);
		free(w->buf);
	}
	w->buf = NULL;
	w->cap = w->len = 0;
	w->err = 0;
}

void rbuf_init(tpm_rbuf *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->err = 0;
}

const uint8_t *rbuf_take(tpm_rbuf *r, size_t n)
{
	const uint8_t *q;

	if (r->err || n > r->len - r->pos) {
		r->err = 1;
		return NULL;
	}
	q = r->p + r->pos;
	r->pos += n;
	return q;
}

uint8_t rbuf_u8(tpm_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 1);

	return q ? q[0] : 0;
}

uint16_t rbuf_u16(tpm_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 2);

	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

uint32_t rbuf_u32(tpm_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 4);

	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3] : 0;
}

int rbuf_done(const tpm_rbuf *r)
{
	return !r->err && r->pos == r->len;
}
