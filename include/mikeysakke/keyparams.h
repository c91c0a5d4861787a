/* mikeysakke/keyparams.h - General Extension type 7, "3GPP key parameters"
 * (TS 33.180 E.6, protected as an MCData payload per TS 33.180 8.5.4.1).
 *
 * Envelope (the General Extension data):
 *   message type (1) | date-time (5) | payload ID (4) | payload sequence
 *   number (1) | payload algorithm (1) | IV (16) | DPPK-ID (4) |
 *   TLV-E: type (1) | length (2) | AES-128-GCM ciphertext || tag (16)
 * with associated data = the first 12 octets || IV || DPPK-ID (32 octets)
 * and key DPCK = 128 least significant bits of KDF(SSV, FC 0x53, P0 =
 * DPPK-ID) (TS 33.180 F.1.x, KDF of TS 33.220 B.2).  The SSV stays in the
 * token, so the DPCK must be derived there; this file only parses the
 * envelope and, given a DPCK, opens it.
 *
 * Deployed implementations also send short plain forms (14 to 21 octets)
 * that predate the envelope; those decode to MS_ERR_UNSUPPORTED.
 */
#ifndef MIKEYSAKKE_KEYPARAMS_H
#define MIKEYSAKKE_KEYPARAMS_H

#include "mikeysakke/mikey.h"

#define MIKEY_KP_IV_LEN 16
#define MIKEY_KP_AD_LEN 32
#define MIKEY_KP_TAG_LEN 16
#define MIKEY_KP_HEAD_LEN 35   /* up to and including the TLV-E length */

struct mikey_keyparams_env {
	uint8_t message_type;
	uint64_t date_time;     /* 40 bits */
	uint32_t payload_id;
	uint8_t seq_no;
	uint8_t algorithm;
	struct mikey_bytes iv;  /* 16 octets */
	uint32_t dppk_id;
	uint8_t tlv_type;
	struct mikey_bytes ciphertext;  /* includes the 16-octet tag */
	uint8_t ad[MIKEY_KP_AD_LEN];
};

/* Key parameters after decryption (TS 33.180 E.6.1).  Key type values as
 * the vendor messages carry them (GMK 0, PCK 1, CSK 2: checked by opening
 * the Streamwide and ALEA envelopes). */
enum mikey_key_type { MIKEY_KT_GMK = 0, MIKEY_KT_PCK = 1, MIKEY_KT_CSK = 2, MIKEY_KT_SPK = 3,
		      MIKEY_KT_MKFC = 4, MIKEY_KT_MSCCK = 5, MIKEY_KT_MUSIK = 6 };

struct mikey_keyparams {
	uint8_t key_type;
	uint32_t status;
	uint64_t activation_time;   /* 40 bits */
	uint64_t expiry_time;       /* 40 bits */
	struct mikey_bytes text;
	struct mikey_bytes rest;    /* group IDs and reserved octets, unparsed */
};

MS_API ms_rc mikey_keyparams_env_decode(const struct mikey_bytes *data, struct mikey_keyparams_env *env,
					struct mikey_error *err);

/* AES-128-GCM open of the envelope with a DPCK; plain gets
 * ciphertext.len - 16 octets.  MS_ERR_BAD_SIGNATURE when the tag fails. */
MS_API ms_rc mikey_keyparams_open(const struct mikey_keyparams_env *env, const uint8_t dpck[16],
				  uint8_t *plain, size_t cap, size_t *plain_len);

MS_API ms_rc mikey_keyparams_decode(const uint8_t *plain, size_t len, struct mikey_keyparams *kp,
				    struct mikey_error *err);

#endif
