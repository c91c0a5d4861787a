/* mikeysakke/srtp.h - SRTP/SRTCP sessions (libsrtp2) keyed from a MIKEY
 * crypto session's derived master key and salt.
 *
 * Suites: AES_CM_128_HMAC_SHA1_80 (RFC 3711; key 16, salt 14) and
 * AEAD_AES_128_GCM (RFC 7714, the 3GPP MCPTT default; key 16, salt 12).
 * A session is one direction: outbound protects, inbound unprotects (with
 * libsrtp's replay window).  Packets are changed in place; protect needs
 * MS_SRTP_TRAILER_MAX octets of room after the packet.
 */
#ifndef MIKEYSAKKE_SRTP_H
#define MIKEYSAKKE_SRTP_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

#define MS_SRTP_TRAILER_MAX 32   /* >= libsrtp's SRTP_MAX_TRAILER_LEN use here */
#define MS_RTP_HEADER_LEN 12

enum ms_srtp_suite { MS_SRTP_AES_CM_128_HMAC_SHA1_80 = 0, MS_SRTP_AEAD_AES_128_GCM = 1 };
enum ms_srtp_dir { MS_SRTP_OUTBOUND = 0, MS_SRTP_INBOUND = 1 };

struct ms_srtp;

MS_API size_t ms_srtp_key_len(enum ms_srtp_suite suite);
MS_API size_t ms_srtp_salt_len(enum ms_srtp_suite suite);
/* "aes-cm" / "aes-gcm" <-> suite; -1 for an unknown name. */
MS_API int ms_srtp_suite_from_name(const char *name);

/* key and salt must have the suite's lengths (MS_ERR_ARGS otherwise). */
MS_API ms_rc ms_srtp_new(struct ms_srtp **s, enum ms_srtp_suite suite, enum ms_srtp_dir dir,
			 const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len);
MS_API void ms_srtp_free(struct ms_srtp *s);

/* *len in: packet length; out: protected / unprotected length.
 * cap: buffer size (protect). Unprotect: MS_ERR_SRTP when authentication
 * fails, MS_ERR_REPLAY for a replayed or too old packet. */
MS_API ms_rc ms_srtp_protect(struct ms_srtp *s, uint8_t *pkt, size_t *len, size_t cap);
MS_API ms_rc ms_srtp_unprotect(struct ms_srtp *s, uint8_t *pkt, size_t *len);
MS_API ms_rc ms_srtcp_protect(struct ms_srtp *s, uint8_t *pkt, size_t *len, size_t cap);
MS_API ms_rc ms_srtcp_unprotect(struct ms_srtp *s, uint8_t *pkt, size_t *len);

/* A 12-octet RTP header (V=2, no CSRC, no extension). */
MS_API void ms_rtp_header(uint8_t out[MS_RTP_HEADER_LEN], uint8_t pt, uint16_t seq, uint32_t ts,
			  uint32_t ssrc);

#endif
