/* client/ue_media.c - the SRTP audio of a SIP call, straight between the
 * two UEs on the addresses of the offer and the answer.  A thread sends a
 * 20 ms frame every 20 ms (the generated tone or a raw 8 kHz 8-bit file)
 * and receives what the peer sends; only the derived SRTP master keys and
 * salts, which libsrtp must hold, are in this process. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "mikeysakke/announce.h"
#include "mikeysakke/srtp.h"
#include "client/tone.h"
#include "client/ue.h"

#define QUIET_MS 500   /* the peer is done when nothing came for this long */

int ue_media_bind(struct ue_media *m, const char *address, uint16_t port)
{
	char hp[96];
	struct sockaddr_in at;

	memset(m, 0, sizeof(*m));
	m->sock = -1;
	snprintf(hp, sizeof(hp), "%s:%u", address, port);
	m->sock = ms_udp_open(hp, 0, &at);
	return m->sock < 0 ? -1 : 0;
}

int ue_media_port(const struct ue_media *m)
{
	return ms_udp_port(m->sock);
}

static void recv_one(struct ue_media *m)
{
	uint8_t pkt[2048];
	ssize_t n = recv(m->sock, pkt, sizeof(pkt), MSG_DONTWAIT);
	size_t len;
	ms_rc rc;

	if (n <= 0)
		return;
	m->n_received++;
	len = (size_t)n;
	rc = ms_srtp_unprotect(m->rx, pkt, &len);
	if (rc == MS_OK) {
		m->n_auth++;
		if (m->received && len > MS_RTP_HEADER_LEN)
			fwrite(pkt + MS_RTP_HEADER_LEN, 1, len - MS_RTP_HEADER_LEN, m->received);
	} else if (rc == MS_ERR_REPLAY) {
		m->n_replayed++;
	} else {
		m->n_refused++;
	}
}

/* The next frame to send; 0 when the file has ended. */
static int next_frame(struct ue_media *m, uint8_t *out, long n)
{
	if (!m->src) {
		tone_frame(out, n);
		return 1;
	}
	return fread(out, 1, TONE_FRAME, m->src) == TONE_FRAME;
}

static void send_one(struct ue_media *m, long n)
{
	uint8_t pkt[MS_RTP_HEADER_LEN + TONE_FRAME + MS_SRTP_TRAILER_MAX];
	size_t len = MS_RTP_HEADER_LEN + TONE_FRAME;

	ms_rtp_header(pkt, 0, (uint16_t)(n + 1), (uint32_t)(n * TONE_FRAME), 0x4d530000u + (uint32_t)m->sock);
	if (!next_frame(m, pkt + MS_RTP_HEADER_LEN, n)) {
		m->frames = n;   /* the file has ended */
		return;
	}
	if (m->sent)
		fwrite(pkt + MS_RTP_HEADER_LEN, 1, TONE_FRAME, m->sent);
	if (ms_srtp_protect(m->tx, pkt, &len, sizeof(pkt)) == MS_OK &&
	    sendto(m->sock, pkt, len, 0, (const struct sockaddr *)&m->remote, sizeof(m->remote)) ==
	    (ssize_t)len)
		m->n_sent++;
}

static void *media_thread(void *arg)
{
	struct ue_media *m = arg;
	int64_t start = ue_now_ms(), last_rx = start;
	long n = 0;

	while (!m->stop) {
		int64_t t = ue_now_ms(), due = start + 20 * n;
		struct pollfd p = { m->sock, POLLIN, 0 };
		int wait;

		if (n < m->frames && t >= due) {
			send_one(m, n++);
			continue;
		}
		if (n >= m->frames && t - last_rx >= QUIET_MS)
			m->done = 1;   /* all sent and the peer has gone quiet */
		wait = n < m->frames ? (int)(due - t) : 50;
		if (poll(&p, 1, wait > 0 ? wait : 0) > 0) {
			recv_one(m);
			last_rx = ue_now_ms();
		}
	}
	return NULL;
}

static int make_srtp(struct ms_srtp **s, const struct ms_keys *k, uint8_t cs, enum ms_srtp_dir dir)
{
	unsigned i;

	for (i = 0; i < k->n; i++)
		if (k->cs[i].cs_id == cs)
			return ms_srtp_new(s, k->suite, dir, k->cs[i].key, 16, k->cs[i].salt,
					   k->cs[i].salt_len) == MS_OK ? 0 : -1;
	return -1;
}

int ue_media_start(struct ue_media *m, const struct cli_args *a, const struct ms_keys *k,
		   uint8_t send_cs, uint8_t recv_cs, const char *remote_addr, uint16_t remote_port)
{
	memset(&m->remote, 0, sizeof(m->remote));
	m->remote.sin_family = AF_INET;
	m->remote.sin_port = htons(remote_port);
	if (inet_pton(AF_INET, remote_addr, &m->remote.sin_addr) != 1)
		return -1;
	if (make_srtp(&m->tx, k, send_cs, MS_SRTP_OUTBOUND) || make_srtp(&m->rx, k, recv_cs, MS_SRTP_INBOUND))
		return -1;
	m->frames = a->duration * 50;
	if (a->media && strcmp(a->media, "tone") != 0 && !(m->src = fopen(a->media, "rb")))
		return -1;
	if ((a->sent && !(m->sent = fopen(a->sent, "wb"))) ||
	    (a->received && !(m->received = fopen(a->received, "wb"))))
		return -1;
	if (pthread_create(&m->thread, NULL, media_thread, m) != 0)
		return -1;
	m->running = 1;
	return 0;
}

void ue_media_stop(struct ue_media *m)
{
	if (m->running) {
		m->stop = 1;
		pthread_join(m->thread, NULL);
		m->running = 0;
	}
	if (m->sock >= 0)
		close(m->sock);
	m->sock = -1;
	ms_srtp_free(m->tx);
	ms_srtp_free(m->rx);
	m->tx = m->rx = NULL;
	if (m->src)
		fclose(m->src);
	if (m->sent)
		fclose(m->sent);
	if (m->received)
		fclose(m->received);
	m->src = m->sent = m->received = NULL;
}
