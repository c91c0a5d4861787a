/* mikeysakke/sdp.h - the SDP that carries I_MESSAGEs (RFC 4566 session
 * descriptions, RFC 3264 offer/answer, RFC 4567 "a=key-mgmt:mikey <base64>").
 *
 * One audio m-line with RTP/SAVP, as the flows of DESIGN.md need; the
 * key-mgmt attribute may sit at session or media level (a media-level one
 * applies to its media and wins over the session one, RFC 4567 3.1), and
 * several may be present (a group offer holds one I_MESSAGE per member).
 * Parsed strings are views into the caller's text.
 */
#ifndef MIKEYSAKKE_SDP_H
#define MIKEYSAKKE_SDP_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

#define MS_SDP_MAX_KEYS 16
#define MS_SDP_MAX_FMTS 8

enum ms_sdp_level { MS_SDP_SESSION = 0, MS_SDP_MEDIA = 1 };

struct ms_sdp_key {
	enum ms_sdp_level level;
	const char *b64;        /* base64 of one I_MESSAGE */
	size_t len;
};

struct ms_sdp {
	char origin_user[64];
	uint64_t session_id;
	uint64_t session_version;
	char address[64];       /* IPv4 unicast, multicast or broadcast address */
	char session_name[64];
	uint16_t port;
	char proto[16];         /* "RTP/SAVP" */
	unsigned n_fmts;
	uint8_t fmts[MS_SDP_MAX_FMTS];  /* RTP payload types, preferred first */
	char rtpmap[32];        /* of fmts[0], e.g. "PCMU/8000"; "" if none */
	unsigned n_keys;
	struct ms_sdp_key keys[MS_SDP_MAX_KEYS];
};

struct ms_sdp_error {
	unsigned line;          /* 1-based; 0 for the description as a whole */
	char text[160];
};

/* Writes the description with CRLF line ends and a NUL. */
MS_API ms_rc ms_sdp_write(const struct ms_sdp *d, char *out, size_t cap);

/* Parses a description; MS_ERR_MALFORMED with err filled names the line. */
MS_API ms_rc ms_sdp_parse(const char *text, size_t len, struct ms_sdp *d, struct ms_sdp_error *err);

/* RFC 3264 6: the answer to an offer, accepting its first payload type on
 * (address, port), with the optional returned I_MESSAGE (base64, may be
 * NULL) at media level. */
MS_API ms_rc ms_sdp_answer(const struct ms_sdp *offer, const char *address, uint16_t port,
			   const char *returned_b64, struct ms_sdp *answer);

/* The I_MESSAGEs that apply to the audio media: media-level ones if any,
 * else session-level ones.  Returns how many were put in out (up to cap). */
MS_API unsigned ms_sdp_media_keys(const struct ms_sdp *d, const struct ms_sdp_key **out, unsigned cap);

#endif
