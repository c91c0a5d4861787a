/* client/mikey_payload.c - the payloads an I_MESSAGE carries after HDR:
 * T (RFC 3830 6.6, RFC 6043 6.5), RAND (6.11), ID (6.7), IDR (RFC 6043 6.6),
 * SP (6.10), SAKKE (RFC 6509 4.2), General Extension (6.15) and SIGN (6.5,
 * RFC 6509 4.3).  Each decoder starts after the Next Payload field. */
#include "client/mikey_int.h"

static size_t ts_len(uint8_t ts_type)
{
	return ts_type == MIKEY_TS_NTP_UTC || ts_type == MIKEY_TS_NTP ? 8 : 4;
}

static ms_rc dec_t(struct mikey_rd *r, struct mikey_t *t)
{
	size_t at = r->off;
	uint32_t v32;

	if (rd_u8(r, "T TS type", &t->ts_type))
		return MS_ERR_MALFORMED;
	if (t->ts_type > MIKEY_TS_NTP_UTC_32)
		return rd_fail(r, at, "T TS type %u unknown", t->ts_type);
	if (ts_len(t->ts_type) == 8)
		return rd_u64(r, "T TS value", &t->value);
	if (rd_u32(r, "T TS value", &v32))
		return MS_ERR_MALFORMED;
	t->value = v32;
	return MS_OK;
}

static ms_rc dec_rand(struct mikey_rd *r, struct mikey_rand *p)
{
	size_t at = r->off;
	uint8_t n;

	if (rd_u8(r, "RAND length", &n))
		return MS_ERR_MALFORMED;
	/* RFC 3830 6.11: at least 128 bits */
	if (n < 16)
		return rd_fail(r, at, "RAND length %u below the 16 octets RFC 3830 requires", n);
	return rd_span(r, at, "RAND", n, &p->value);
}

static ms_rc dec_idr(struct mikey_rd *r, struct mikey_idr *p)
{
	if (rd_u8(r, "IDR ID role", &p->role) || rd_u8(r, "IDR ID type", &p->id_type))
		return MS_ERR_MALFORMED;
	return rd_span16(r, "IDR ID data", &p->data);
}

static ms_rc dec_id(struct mikey_rd *r, struct mikey_id *p)
{
	if (rd_u8(r, "ID type", &p->id_type))
		return MS_ERR_MALFORMED;
	return rd_span16(r, "ID data", &p->data);
}

/* The policy parameters are type/length/value triples that must tile the
 * parameter block exactly. */
static ms_rc check_sp_params(struct mikey_rd *r, const struct mikey_bytes *b)
{
	size_t i = 0, base = r->off - b->len;

	while (i < b->len) {
		if (b->len - i < 2)
			return rd_fail(r, base + i, "SP parameter header needs 2 octets, %zu remain",
				       b->len - i);
		if (b->ptr[i + 1] > b->len - i - 2)
			return rd_fail(r, base + i + 1, "SP parameter %u length %u exceeds remaining %zu",
				       b->ptr[i], b->ptr[i + 1], b->len - i - 2);
		i += 2u + b->ptr[i + 1];
	}
	return MS_OK;
}

static ms_rc dec_sp(struct mikey_rd *r, struct mikey_sp *p)
{
	if (rd_u8(r, "SP Policy no", &p->policy_no) || rd_u8(r, "SP Prot type", &p->prot_type) ||
	    rd_span16(r, "SP Policy param", &p->params))
		return MS_ERR_MALFORMED;
	return check_sp_params(r, &p->params);
}

static ms_rc dec_sakke(struct mikey_rd *r, struct mikey_sakke *p)
{
	if (rd_u8(r, "SAKKE params", &p->params) || rd_u8(r, "SAKKE ID scheme", &p->id_scheme))
		return MS_ERR_MALFORMED;
	return rd_span16(r, "SAKKE data", &p->data);
}

static ms_rc dec_gext(struct mikey_rd *r, struct mikey_gext *p)
{
	if (rd_u8(r, "General Extension type", &p->type))
		return MS_ERR_MALFORMED;
	return rd_span16(r, "General Extension data", &p->data);
}

static ms_rc dec_sign(struct mikey_rd *r, struct mikey_sign *p)
{
	size_t at = r->off;
	uint16_t v;

	if (rd_u16(r, "SIGN S type/length", &v))
		return MS_ERR_MALFORMED;
	p->s_type = (uint8_t)(v >> 12);
	return rd_span(r, at, "SIGN signature", v & 0x0fff, &p->sig);
}

ms_rc mikey_payload_decode(struct mikey_rd *r, struct mikey_payload *p, uint8_t *next)
{
	*next = MIKEY_PT_LAST;
	if (p->type == MIKEY_PT_SIGN)
		return dec_sign(r, &p->u.sign);
	if (rd_u8(r, "Next payload", next))
		return MS_ERR_MALFORMED;
	switch (p->type) {
	case MIKEY_PT_T: return dec_t(r, &p->u.t);
	case MIKEY_PT_RAND: return dec_rand(r, &p->u.rand);
	case MIKEY_PT_IDR: return dec_idr(r, &p->u.idr);
	case MIKEY_PT_ID: return dec_id(r, &p->u.id);
	case MIKEY_PT_SP: return dec_sp(r, &p->u.sp);
	case MIKEY_PT_SAKKE: return dec_sakke(r, &p->u.sakke);
	case MIKEY_PT_GEXT: return dec_gext(r, &p->u.gext);
	default: return rd_fail(r, p->offset, "payload type %u not supported", p->type);
	}
}

static void enc_span16(struct mikey_wr *w, const struct mikey_bytes *b)
{
	wr_u16(w, b->len);
	wr_bytes(w, b);
}

void mikey_payload_encode(struct mikey_wr *w, const struct mikey_payload *p, uint8_t next)
{
	const struct mikey_sign *s = &p->u.sign;

	if (p->type == MIKEY_PT_SIGN) {
		if (s->sig.len > 0x0fff || s->s_type > 0x0f)
			w->bad = true;
		wr_u16(w, (size_t)(s->s_type & 0x0f) << 12 | (s->sig.len & 0x0fff));
		wr_bytes(w, &s->sig);
		return;
	}
	wr_u8(w, next);
	switch (p->type) {
	case MIKEY_PT_T:
		wr_u8(w, p->u.t.ts_type);
		if (ts_len(p->u.t.ts_type) == 8)
			wr_u64(w, p->u.t.value);
		else
			wr_u32(w, (uint32_t)p->u.t.value);
		break;
	case MIKEY_PT_RAND:
		if (p->u.rand.value.len > 0xff)
			w->bad = true;
		wr_u8(w, (uint8_t)p->u.rand.value.len);
		wr_bytes(w, &p->u.rand.value);
		break;
	case MIKEY_PT_IDR:
		wr_u8(w, p->u.idr.role);
		wr_u8(w, p->u.idr.id_type);
		enc_span16(w, &p->u.idr.data);
		break;
	case MIKEY_PT_ID:
		wr_u8(w, p->u.id.id_type);
		enc_span16(w, &p->u.id.data);
		break;
	case MIKEY_PT_SP:
		wr_u8(w, p->u.sp.policy_no);
		wr_u8(w, p->u.sp.prot_type);
		enc_span16(w, &p->u.sp.params);
		break;
	case MIKEY_PT_SAKKE:
		wr_u8(w, p->u.sakke.params);
		wr_u8(w, p->u.sakke.id_scheme);
		enc_span16(w, &p->u.sakke.data);
		break;
	case MIKEY_PT_GEXT:
		wr_u8(w, p->u.gext.type);
		enc_span16(w, &p->u.gext.data);
		break;
	default:
		w->bad = true;
	}
}
