/* client/mikey_hdr.c - the MIKEY Common Header (RFC 3830 6.1) with its CS ID
 * maps: SRTP-ID (RFC 3830 6.1.1), Empty (RFC 4563, no map info) and
 * GENERIC-ID (RFC 6043 6.1.1). */
#include "client/mikey_int.h"

static ms_rc decode_generic(struct mikey_rd *r, struct mikey_cs_generic *g)
{
	uint8_t sp;
	uint8_t spil;
	size_t at;

	if (rd_u8(r, "GENERIC-ID CS ID", &g->cs_id) || rd_u8(r, "GENERIC-ID Prot type", &g->prot_type))
		return MS_ERR_MALFORMED;
	at = r->off;
	if (rd_u8(r, "GENERIC-ID S/#P", &sp))
		return MS_ERR_MALFORMED;
	g->s_flag = sp >> 7;
	if (rd_span(r, at, "GENERIC-ID #P policy list", sp & 0x7f, &g->policies))
		return MS_ERR_MALFORMED;
	if (rd_span16(r, "GENERIC-ID Session Data", &g->session_data))
		return MS_ERR_MALFORMED;
	at = r->off;
	if (rd_u8(r, "GENERIC-ID SPI Length", &spil) ||
	    rd_span(r, at, "GENERIC-ID SPI", spil, &g->spi))
		return MS_ERR_MALFORMED;
	return MS_OK;
}

ms_rc mikey_hdr_decode(struct mikey_rd *r, struct mikey_hdr *h, uint8_t *next)
{
	uint8_t vp;
	size_t at;
	unsigned i;

	if (rd_u8(r, "HDR version", &h->version))
		return MS_ERR_MALFORMED;
	if (h->version != MIKEY_VERSION)
		return rd_fail(r, 0, "HDR version %u, expected %u", h->version, MIKEY_VERSION);
	if (rd_u8(r, "HDR data type", &h->data_type))
		return MS_ERR_MALFORMED;
	if (h->data_type != MIKEY_DATA_TYPE_SAKKE)
		return rd_fail(r, 1, "HDR data type %u is not a SAKKE I_MESSAGE (%u)",
			       h->data_type, MIKEY_DATA_TYPE_SAKKE);
	if (rd_u8(r, "HDR next payload", next) || rd_u8(r, "HDR V/PRF", &vp) ||
	    rd_u32(r, "HDR CSB ID", &h->csb_id))
		return MS_ERR_MALFORMED;
	h->v_flag = vp >> 7;
	h->prf = vp & 0x7f;
	at = r->off;
	if (rd_u8(r, "HDR #CS", &h->n_cs))
		return MS_ERR_MALFORMED;
	if (h->n_cs > MIKEY_MAX_CS)
		return rd_fail(r, at, "HDR #CS %u exceeds the %u supported", h->n_cs, MIKEY_MAX_CS);
	at = r->off;
	if (rd_u8(r, "HDR CS ID map type", &h->map_type))
		return MS_ERR_MALFORMED;
	switch (h->map_type) {
	case MIKEY_MAP_SRTP_ID:
		for (i = 0; i < h->n_cs; i++) {
			struct mikey_cs_srtp *s = &h->map.srtp[i];
			if (rd_u8(r, "SRTP-ID Policy_no", &s->policy_no) ||
			    rd_u32(r, "SRTP-ID SSRC", &s->ssrc) || rd_u32(r, "SRTP-ID ROC", &s->roc))
				return MS_ERR_MALFORMED;
		}
		return MS_OK;
	case MIKEY_MAP_EMPTY:
		return MS_OK;
	case MIKEY_MAP_GENERIC_ID:
		for (i = 0; i < h->n_cs; i++)
			if (decode_generic(r, &h->map.generic[i]))
				return MS_ERR_MALFORMED;
		return MS_OK;
	default:
		return rd_fail(r, at, "HDR CS ID map type %u unknown", h->map_type);
	}
}

void mikey_hdr_encode(struct mikey_wr *w, const struct mikey_hdr *h, uint8_t next)
{
	unsigned i;

	wr_u8(w, h->version);
	wr_u8(w, h->data_type);
	wr_u8(w, next);
	wr_u8(w, (uint8_t)((h->v_flag ? 0x80 : 0) | (h->prf & 0x7f)));
	wr_u32(w, h->csb_id);
	wr_u8(w, h->n_cs);
	wr_u8(w, h->map_type);
	if (h->n_cs > MIKEY_MAX_CS) {
		w->bad = true;
		return;
	}
	for (i = 0; i < h->n_cs; i++) {
		if (h->map_type == MIKEY_MAP_SRTP_ID) {
			wr_u8(w, h->map.srtp[i].policy_no);
			wr_u32(w, h->map.srtp[i].ssrc);
			wr_u32(w, h->map.srtp[i].roc);
		} else if (h->map_type == MIKEY_MAP_GENERIC_ID) {
			const struct mikey_cs_generic *g = &h->map.generic[i];
			if (g->policies.len > 0x7f || g->spi.len > 0xff)
				w->bad = true;
			wr_u8(w, g->cs_id);
			wr_u8(w, g->prot_type);
			wr_u8(w, (uint8_t)((g->s_flag ? 0x80 : 0) | (g->policies.len & 0x7f)));
			wr_bytes(w, &g->policies);
			wr_u16(w, g->session_data.len);
			wr_bytes(w, &g->session_data);
			wr_u8(w, (uint8_t)g->spi.len);
			wr_bytes(w, &g->spi);
		}
	}
}
