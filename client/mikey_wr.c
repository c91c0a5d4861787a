/* client/mikey_wr.c - the measuring writer of the I_MESSAGE encoder. */
#include <string.h>
#include "client/mikey_int.h"

static void put(struct mikey_wr *w, const uint8_t *p, size_t n)
{
	if (w->off <= w->cap && n <= w->cap - w->off && w->buf)
		memcpy(w->buf + w->off, p, n);
	w->off += n;
}

static void put_be(struct mikey_wr *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(w, b, n);
}

void wr_u8(struct mikey_wr *w, uint8_t v)
{
	put_be(w, v, 1);
}

void wr_u16(struct mikey_wr *w, size_t v)
{
	if (v > 0xffff)
		w->bad = true;
	put_be(w, v & 0xffff, 2);
}

void wr_u32(struct mikey_wr *w, uint32_t v)
{
	put_be(w, v, 4);
}

void wr_u64(struct mikey_wr *w, uint64_t v)
{
	put_be(w, v, 8);
}

void wr_bytes(struct mikey_wr *w, const struct mikey_bytes *b)
{
	if (b->len)
		put(w, b->ptr, b->len);
}
