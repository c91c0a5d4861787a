/* client/ue.h - "mikey-sakke ue": a SIP user agent (sofia-sip NUA) for one
 * identity whose calls are keyed by MIKEY-SAKKE in its token (doc/sip.md).
 *
 * ue_run: REGISTER (digest when challenged, refreshed by NUA before
 * expiry), then either call (--call) or wait for calls; media as SRTP
 * directly between the UEs.  Every step is one line on stdout (doc/sip.md,
 * "Step lines"); the result is a CLI_* exit status. */
#ifndef MS_UE_H
#define MS_UE_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "mikeysakke/session.h"
#include "client/cli.h"

/* The media of one call: one UDP socket, SRTP out on one crypto session
 * and in on the other, a thread that sends frames every 20 ms and
 * receives until stopped. */
struct ue_media {
	int sock;
	struct sockaddr_in remote;
	struct ms_srtp *tx, *rx;
	FILE *src;              /* audio file (NULL: generated tone) */
	FILE *sent, *received;  /* records of the audio, or NULL */
	long frames;            /* to send */
	pthread_t thread;
	int running;
	atomic_int stop;        /* set by the SIP thread: end now */
	atomic_int done;        /* set by the media thread: sent all, peer quiet */
	long n_sent, n_received, n_auth, n_refused, n_replayed;
};

/* Binds the local RTP socket (address, port; 0 = ephemeral); -1 on error. */
int ue_media_bind(struct ue_media *m, const char *address, uint16_t port);
/* The bound port. */
int ue_media_port(const struct ue_media *m);
/* Keys the two directions and starts the thread. */
int ue_media_start(struct ue_media *m, const struct cli_args *a, const struct ms_keys *k,
		   uint8_t send_cs, uint8_t recv_cs, const char *remote_addr, uint16_t remote_port);
/* Stops the thread (if any), closes everything, wipes the SRTP state. */
void ue_media_stop(struct ue_media *m);

int ue_run(const struct cli_args *a, struct ms_ctx *c);
/* Monotonic milliseconds (step timings, media pacing). */
int64_t ue_now_ms(void);
/* One step line on stdout, flushed (doc/sip.md). */
void ue_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
