/* mikeysakke/mikey.h - MIKEY-SAKKE I_MESSAGE codec.
 *
 * RFC 3830 (MIKEY), RFC 4563 (Empty map), RFC 6043 (IDR, GENERIC-ID,
 * NTP-UTC-32), RFC 6509 (SAKKE payload, ECCSI SIGN, IDRkmsi/IDRkmsr) and
 * TS 33.180 (IDRuidi/IDRuidr, General Extension types 6 and 7).
 *
 * Decoding never allocates: a struct mikey_msg holds views (pointer and
 * length) into the caller's buffer, which must outlive it.  Every length
 * is checked against what remains; a refusal fills a struct mikey_error
 * naming the offset and the field.  Encoding writes the RFC form; payload
 * order is the order of m->pl[], and the Next Payload chain is derived from
 * it, so encode(decode(x)) == x for every accepted x.
 */
#ifndef MIKEYSAKKE_MIKEY_H
#define MIKEYSAKKE_MIKEY_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

#define MIKEY_VERSION          1
#define MIKEY_DATA_TYPE_SAKKE  26   /* RFC 6509 4.1: SAKKE I_MESSAGE */

/* Payload types (RFC 3830 6.1 table, RFC 6043 6.4, RFC 6509 4.2). */
enum mikey_pt {
	MIKEY_PT_LAST = 0,
	MIKEY_PT_SIGN = 4,
	MIKEY_PT_T = 5,
	MIKEY_PT_ID = 6,
	MIKEY_PT_SP = 10,
	MIKEY_PT_RAND = 11,
	MIKEY_PT_IDR = 14,
	MIKEY_PT_GEXT = 21,
	MIKEY_PT_SAKKE = 26,
};

/* CS ID map types (RFC 3830, RFC 4563, RFC 6043). */
enum mikey_map {
	MIKEY_MAP_SRTP_ID = 0,
	MIKEY_MAP_EMPTY = 1,
	MIKEY_MAP_GENERIC_ID = 2,
};

/* ID roles (RFC 6043 6.6, RFC 6509 4.4, TS 33.180 E.2). */
enum mikey_id_role {
	MIKEY_IDR_I = 1, MIKEY_IDR_R = 2, MIKEY_IDR_KMS = 3, MIKEY_IDR_PSK = 4,
	MIKEY_IDR_APP = 5, MIKEY_IDR_KMSI = 6, MIKEY_IDR_KMSR = 7,
	MIKEY_IDR_UIDI = 8, MIKEY_IDR_UIDR = 9,
};

/* ID types (RFC 3830 6.7, RFC 6043 6.6). */
enum mikey_id_type { MIKEY_ID_NAI = 0, MIKEY_ID_URI = 1, MIKEY_ID_BYTES = 2 };

/* Timestamp types (RFC 3830 6.6, RFC 6043 6.5). */
enum mikey_ts_type {
	MIKEY_TS_NTP_UTC = 0, MIKEY_TS_NTP = 1, MIKEY_TS_COUNTER = 2, MIKEY_TS_NTP_UTC_32 = 3,
};

#define MIKEY_SIGN_ECCSI 2          /* RFC 6509 4.3: S type 2 */
#define MIKEY_SAKKE_PARAMS_1 1      /* RFC 6509 4.2: parameter set 1 */
#define MIKEY_SAKKE_ID_TEL 1        /* RFC 6509 ID scheme 1 */
#define MIKEY_SAKKE_ID_3GPP 2       /* TS 33.180 ID scheme 2 (UID) */
#define MIKEY_SAKKE_DATA_LEN 273    /* R (04||x||y, 257) || H (16) */
#define MIKEY_ECCSI_SIG_LEN 129     /* r || s || PVT */
#define MIKEY_GEXT_SAKKE_TO_SELF 6  /* TS 33.180 E.5 */
#define MIKEY_GEXT_KEY_PARAMS 7     /* TS 33.180 E.6 */
#define MIKEY_PROT_SRTP 0           /* SP / GENERIC-ID Prot type */

#define MIKEY_MAX_CS 16        /* crypto sessions one message may name */
#define MIKEY_MAX_PAYLOADS 32  /* payloads after HDR */

struct mikey_bytes {
	const uint8_t *ptr;
	size_t len;
};

struct mikey_cs_srtp {         /* SRTP-ID map entry (RFC 3830 6.1.1) */
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

struct mikey_cs_generic {      /* GENERIC-ID map entry (RFC 6043 6.1.1) */
	uint8_t cs_id;
	uint8_t prot_type;
	uint8_t s_flag;
	struct mikey_bytes policies;      /* #P policy numbers */
	struct mikey_bytes session_data;
	struct mikey_bytes spi;
};

struct mikey_hdr {
	uint8_t version;
	uint8_t data_type;
	uint8_t v_flag;
	uint8_t prf;            /* PRF func, 7 bits: 0 MIKEY-1, 1 HMAC-SHA-256 */
	uint32_t csb_id;
	uint8_t n_cs;
	uint8_t map_type;
	union {
		struct mikey_cs_srtp srtp[MIKEY_MAX_CS];
		struct mikey_cs_generic generic[MIKEY_MAX_CS];
	} map;
};

struct mikey_t { uint8_t ts_type; uint64_t value; };  /* 32-bit types in the low bits */
struct mikey_rand { struct mikey_bytes value; };
struct mikey_idr { uint8_t role; uint8_t id_type; struct mikey_bytes data; };
struct mikey_id { uint8_t id_type; struct mikey_bytes data; };  /* RFC 3830 ID */
struct mikey_sp { uint8_t policy_no; uint8_t prot_type; struct mikey_bytes params; };
struct mikey_sakke { uint8_t params; uint8_t id_scheme; struct mikey_bytes data; };
struct mikey_sign { uint8_t s_type; struct mikey_bytes sig; };
struct mikey_gext { uint8_t type; struct mikey_bytes data; };

struct mikey_payload {
	uint8_t type;           /* enum mikey_pt */
	size_t offset;          /* where it starts in the decoded message */
	union {
		struct mikey_t t;
		struct mikey_rand rand;
		struct mikey_idr idr;
		struct mikey_id id;
		struct mikey_sp sp;
		struct mikey_sakke sakke;
		struct mikey_sign sign;
		struct mikey_gext gext;
	} u;
};

struct mikey_msg {
	struct mikey_hdr hdr;
	size_t n_pl;
	struct mikey_payload pl[MIKEY_MAX_PAYLOADS];
};

struct mikey_error {
	size_t offset;
	char text[160];         /* "offset 57: SAKKE data length 300 exceeds remaining 12" */
};

/* Strict, bounded decode of one I_MESSAGE (any MIKEY message made of the
 * payloads above; a SIGN payload, when present, must be last and end the
 * buffer).  MS_ERR_MALFORMED with *err filled on a refusal. */
MS_API ms_rc mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *m, struct mikey_error *err);

/* Encoded size of m, or 0 if m cannot be encoded (a length overflows its
 * field, SIGN not last, too many CS). */
MS_API size_t mikey_encoded_len(const struct mikey_msg *m);

/* Encode m into out (capacity cap); *len gets the size. */
MS_API ms_rc mikey_encode(const struct mikey_msg *m, uint8_t *out, size_t cap, size_t *len);

/* The first payload of a type (and, for IDR, role; role < 0: any), or NULL. */
MS_API const struct mikey_payload *mikey_find(const struct mikey_msg *m, uint8_t type, int idr_role);

/* Appends a payload to m; NULL when full. */
MS_API struct mikey_payload *mikey_add(struct mikey_msg *m, uint8_t type);

/* The two spans an ECCSI signature may cover in a message whose SIGN
 * payload starts at sign_offset: RFC 3830 5.2 / RFC 6509 (up to and
 * including the SIGN payload's 2-octet header) and the older form some
 * deployed implementations sign (everything before the SIGN payload). */
enum mikey_sig_span { MIKEY_SIG_RFC = 0, MIKEY_SIG_BEFORE_SIGN = 1 };
MS_API size_t mikey_signed_len(size_t sign_offset, enum mikey_sig_span span);

/* NTP timestamp (64-bit, seconds in the high half) <-> Unix seconds. */
MS_API uint64_t mikey_ntp_from_unix(int64_t unix_seconds);
MS_API int64_t mikey_unix_from_t(const struct mikey_t *t);

#endif
