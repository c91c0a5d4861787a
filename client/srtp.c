/* client/srtp.c - libsrtp2 sessions keyed from MIKEY-derived master keys.
 * libsrtp takes key || salt in one buffer; that copy is wiped after use. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>
#include "mikeysakke/srtp.h"

struct ms_srtp {
	srtp_t ctx;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t init_status = srtp_err_status_fail;

static void srtp_init_once(void)
{
	init_status = srtp_init();
}

size_t ms_srtp_key_len(enum ms_srtp_suite suite)
{
	(void)suite;
	return 16;
}

size_t ms_srtp_salt_len(enum ms_srtp_suite suite)
{
	return suite == MS_SRTP_AEAD_AES_128_GCM ? 12 : 14;
}

int ms_srtp_suite_from_name(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "aes-cm") == 0)
		return MS_SRTP_AES_CM_128_HMAC_SHA1_80;
	if (strcmp(name, "aes-gcm") == 0)
		return MS_SRTP_AEAD_AES_128_GCM;
	return -1;
}

ms_rc ms_srtp_new(struct ms_srtp **s, enum ms_srtp_suite suite, enum ms_srtp_dir dir,
		  const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len)
{
	uint8_t master[32];
	srtp_policy_t pol;
	struct ms_srtp *n;
	srtp_err_status_t st;

	if (!s || !key || !salt || (suite != MS_SRTP_AES_CM_128_HMAC_SHA1_80 &&
	    suite != MS_SRTP_AEAD_AES_128_GCM) || key_len != ms_srtp_key_len(suite) ||
	    salt_len != ms_srtp_salt_len(suite))
		return MS_ERR_ARGS;
	pthread_once(&init_once, srtp_init_once);
	if (init_status != srtp_err_status_ok)
		return MS_ERR_SRTP;
	n = calloc(1, sizeof(*n));
	if (!n)
		return MS_ERR_NOMEM;
	memset(&pol, 0, sizeof(pol));
	if (suite == MS_SRTP_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_rtp_default(&pol.rtp);
		srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	}
	memcpy(master, key, key_len);
	memcpy(master + key_len, salt, salt_len);
	pol.key = master;
	pol.ssrc.type = dir == MS_SRTP_OUTBOUND ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	st = srtp_create(&n->ctx, &pol);
	OPENSSL_cleanse(master, sizeof(master));
	if (st != srtp_err_status_ok) {
		free(n);
		return MS_ERR_SRTP;
	}
	*s = n;
	return MS_OK;
}

void ms_srtp_free(struct ms_srtp *s)
{
	if (!s)
		return;
	srtp_dealloc(s->ctx);
	free(s);
}

static ms_rc map_status(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return MS_OK;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return MS_ERR_REPLAY;
	default:
		return MS_ERR_SRTP;
	}
}

typedef srtp_err_status_t (*srtp_op)(srtp_t, void *, int *);

static ms_rc run(struct ms_srtp *s, srtp_op op, uint8_t *pkt, size_t *len, size_t room)
{
	int n;
	ms_rc rc;

	if (!s || !pkt || !len || *len < MS_RTP_HEADER_LEN - 4 || *len > 0xffff || room < *len)
		return MS_ERR_ARGS;
	n = (int)*len;
	rc = map_status(op(s->ctx, pkt, &n));
	if (rc == MS_OK)
		*len = (size_t)n;
	return rc;
}

ms_rc ms_srtp_protect(struct ms_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	if (!len || cap < *len + MS_SRTP_TRAILER_MAX || *len < MS_RTP_HEADER_LEN)
		return MS_ERR_BUFFER;
	return run(s, srtp_protect, pkt, len, cap);
}

ms_rc ms_srtp_unprotect(struct ms_srtp *s, uint8_t *pkt, size_t *len)
{
	if (!len || *len < MS_RTP_HEADER_LEN)
		return MS_ERR_SRTP;
	return run(s, srtp_unprotect, pkt, len, *len);
}

ms_rc ms_srtcp_protect(struct ms_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	if (!len || cap < *len + MS_SRTP_TRAILER_MAX + 4)
		return MS_ERR_BUFFER;
	return run(s, srtp_protect_rtcp, pkt, len, cap);
}

ms_rc ms_srtcp_unprotect(struct ms_srtp *s, uint8_t *pkt, size_t *len)
{
	return run(s, srtp_unprotect_rtcp, pkt, len, len ? *len : 0);
}

void ms_rtp_header(uint8_t out[MS_RTP_HEADER_LEN], uint8_t pt, uint16_t seq, uint32_t ts,
		   uint32_t ssrc)
{
	out[0] = 0x80;
	out[1] = pt & 0x7f;
	out[2] = (uint8_t)(seq >> 8);
	out[3] = (uint8_t)seq;
	out[4] = (uint8_t)(ts >> 24);
	out[5] = (uint8_t)(ts >> 16);
	out[6] = (uint8_t)(ts >> 8);
	out[7] = (uint8_t)ts;
	out[8] = (uint8_t)(ssrc >> 24);
	out[9] = (uint8_t)(ssrc >> 16);
	out[10] = (uint8_t)(ssrc >> 8);
	out[11] = (uint8_t)ssrc;
}
