/* client/mikey_msg.c - an I_MESSAGE as HDR plus a Next Payload chain:
 * decode, encode, lookup, and the spans an ECCSI signature covers. */
#include <string.h>
#include "client/mikey_int.h"

static bool known_type(uint8_t t)
{
	switch (t) {
	case MIKEY_PT_SIGN: case MIKEY_PT_T: case MIKEY_PT_ID: case MIKEY_PT_SP:
	case MIKEY_PT_RAND: case MIKEY_PT_IDR: case MIKEY_PT_GEXT: case MIKEY_PT_SAKKE:
		return true;
	default:
		return false;
	}
}

ms_rc mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *m, struct mikey_error *err)
{
	struct mikey_error scratch;
	struct mikey_rd r = { buf, len, 0, err ? err : &scratch };
	uint8_t next;
	size_t next_at;

	if (!m || (!buf && len))
		return MS_ERR_ARGS;
	memset(m, 0, sizeof(*m));
	memset(r.err, 0, sizeof(*r.err));
	if (mikey_hdr_decode(&r, &m->hdr, &next))
		return MS_ERR_MALFORMED;
	next_at = 2;
	while (next != MIKEY_PT_LAST) {
		struct mikey_payload *p;

		if (!known_type(next))
			return rd_fail(&r, next_at, "Next payload type %u not supported", next);
		if (m->n_pl == MIKEY_MAX_PAYLOADS)
			return rd_fail(&r, r.off, "more than %u payloads", MIKEY_MAX_PAYLOADS);
		p = &m->pl[m->n_pl++];
		p->type = next;
		p->offset = r.off;
		next_at = r.off;
		if (mikey_payload_decode(&r, p, &next))
			return MS_ERR_MALFORMED;
	}
	if (r.off != len)
		return rd_fail(&r, r.off, "%zu octets after the last payload", len - r.off);
	return MS_OK;
}

static ms_rc encode_into(const struct mikey_msg *m, struct mikey_wr *w)
{
	size_t i;

	if (m->n_pl > MIKEY_MAX_PAYLOADS)
		return MS_ERR_ARGS;
	mikey_hdr_encode(w, &m->hdr, m->n_pl ? m->pl[0].type : MIKEY_PT_LAST);
	for (i = 0; i < m->n_pl; i++) {
		uint8_t next = i + 1 < m->n_pl ? m->pl[i + 1].type : MIKEY_PT_LAST;
		/* SIGN has no Next Payload field, so nothing can follow it */
		if (m->pl[i].type == MIKEY_PT_SIGN && i + 1 != m->n_pl)
			return MS_ERR_ARGS;
		mikey_payload_encode(w, &m->pl[i], next);
	}
	return w->bad ? MS_ERR_ARGS : MS_OK;
}

size_t mikey_encoded_len(const struct mikey_msg *m)
{
	struct mikey_wr w = { NULL, 0, 0, false };

	if (!m || encode_into(m, &w) != MS_OK)
		return 0;
	return w.off;
}

ms_rc mikey_encode(const struct mikey_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	struct mikey_wr w = { out, cap, 0, false };
	size_t need = mikey_encoded_len(m);

	if (!need || !len)
		return MS_ERR_ARGS;
	if (!out || need > cap)
		return MS_ERR_BUFFER;
	if (encode_into(m, &w) != MS_OK)
		return MS_ERR_ARGS;
	*len = w.off;
	return MS_OK;
}

const struct mikey_payload *mikey_find(const struct mikey_msg *m, uint8_t type, int idr_role)
{
	size_t i;

	for (i = 0; i < m->n_pl; i++) {
		const struct mikey_payload *p = &m->pl[i];
		if (p->type != type)
			continue;
		if (type == MIKEY_PT_IDR && idr_role >= 0 && p->u.idr.role != idr_role)
			continue;
		return p;
	}
	return NULL;
}

struct mikey_payload *mikey_add(struct mikey_msg *m, uint8_t type)
{
	struct mikey_payload *p;

	if (m->n_pl >= MIKEY_MAX_PAYLOADS)
		return NULL;
	p = &m->pl[m->n_pl++];
	memset(p, 0, sizeof(*p));
	p->type = type;
	return p;
}

size_t mikey_signed_len(size_t sign_offset, enum mikey_sig_span span)
{
	return span == MIKEY_SIG_RFC ? sign_offset + 2 : sign_offset;
}

#define NTP_UNIX_DELTA 2208988800ULL /* 1900-01-01 to 1970-01-01 in seconds */

uint64_t mikey_ntp_from_unix(int64_t unix_seconds)
{
	return ((uint64_t)unix_seconds + NTP_UNIX_DELTA) << 32;
}

int64_t mikey_unix_from_t(const struct mikey_t *t)
{
	uint64_t secs;

	switch (t->ts_type) {
	case MIKEY_TS_NTP_UTC:
	case MIKEY_TS_NTP:
		/* Some deployed senders (the Thales message of tests/vectors) put
		 * the seconds in the low half; a high half of 0 is otherwise the
		 * single second 2036-02-07T06:28:16Z, so it is read that way. */
		secs = (t->value >> 32) ? t->value >> 32 : t->value & 0xffffffffu;
		break;
	case MIKEY_TS_NTP_UTC_32: /* RFC 6043 6.5: the high 32 bits of NTP-UTC */
		secs = t->value & 0xffffffffu;
		break;
	default:
		return INT64_MIN;
	}
	/* NTP era 0 ends in 2036; a value below 1968 is read as era 1 */
	if (secs < 0x80000000ULL)
		secs += 1ULL << 32;
	return (int64_t)secs - (int64_t)NTP_UNIX_DELTA;
}
