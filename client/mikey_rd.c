/* client/mikey_rd.c - bounded reads with refusals that name offset and field. */
#include <stdarg.h>
#include <stdio.h>
#include "client/mikey_rd.h"

ms_rc rd_fail(struct mikey_rd *r, size_t offset, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->err) {
		r->err->offset = offset;
		n = snprintf(r->err->text, sizeof(r->err->text), "offset %zu: ", offset);
		if (n < 0)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(r->err->text + n, sizeof(r->err->text) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MS_ERR_MALFORMED;
}

static ms_rc need(struct mikey_rd *r, const char *field, size_t n)
{
	size_t left = r->len - r->off;

	if (n > left)
		return rd_fail(r, r->off, "%s needs %zu octets, %zu remain", field, n, left);
	return MS_OK;
}

static uint64_t take_be(struct mikey_rd *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | r->buf[r->off + i];
	r->off += n;
	return v;
}

/* A big-endian unsigned integer of n (1..8) octets. */
static ms_rc rd_be(struct mikey_rd *r, const char *field, size_t n, uint64_t *v)
{
	if (need(r, field, n) != MS_OK)
		return MS_ERR_MALFORMED;
	*v = take_be(r, n);
	return MS_OK;
}

ms_rc rd_u8(struct mikey_rd *r, const char *field, uint8_t *v)
{
	uint64_t x = 0;
	ms_rc rc = rd_be(r, field, 1, &x);

	*v = (uint8_t)x;
	return rc;
}

ms_rc rd_u16(struct mikey_rd *r, const char *field, uint16_t *v)
{
	uint64_t x = 0;
	ms_rc rc = rd_be(r, field, 2, &x);

	*v = (uint16_t)x;
	return rc;
}

ms_rc rd_u32(struct mikey_rd *r, const char *field, uint32_t *v)
{
	uint64_t x = 0;
	ms_rc rc = rd_be(r, field, 4, &x);

	*v = (uint32_t)x;
	return rc;
}

ms_rc rd_u64(struct mikey_rd *r, const char *field, uint64_t *v)
{
	return rd_be(r, field, 8, v);
}

ms_rc rd_span(struct mikey_rd *r, size_t len_off, const char *field, size_t n,
	      struct mikey_bytes *out)
{
	size_t left = r->len - r->off;

	if (n > left)
		return rd_fail(r, len_off, "%s length %zu exceeds remaining %zu", field, n, left);
	out->ptr = r->buf + r->off;
	out->len = n;
	r->off += n;
	return MS_OK;
}

ms_rc rd_span16(struct mikey_rd *r, const char *field, struct mikey_bytes *out)
{
	size_t at = r->off;
	uint16_t n;
	char name[64];

	snprintf(name, sizeof(name), "%s length", field);
	if (rd_u16(r, name, &n))
		return MS_ERR_MALFORMED;
	return rd_span(r, at, field, n, out);
}
