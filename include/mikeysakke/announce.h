/* mikeysakke/announce.h - the network-independent session-initialisation
 * message (DESIGN.md flow 2) and the UDP it travels on.
 *
 * The initiator broadcasts (UDP broadcast or multicast; no reply is
 * expected, a member who is absent simply misses it) one datagram:
 *
 *   MIKEY-SAKKE-INIT 1\r\n
 *   target: <URI>\r\n          (one per member)
 *   \r\n
 *   <SDP offer with one a=key-mgmt:mikey per member>
 *
 * A receiver keeps only datagrams naming one of its URIs, then accepts
 * the offer like any other. */
#ifndef MIKEYSAKKE_ANNOUNCE_H
#define MIKEYSAKKE_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

#define MS_ANNOUNCE_MAX_TARGETS 16
#define MS_UDP_MAX 65000

struct ms_announce {
	unsigned n_targets;
	const char *target[MS_ANNOUNCE_MAX_TARGETS];   /* views into the text */
	size_t target_len[MS_ANNOUNCE_MAX_TARGETS];
	const char *sdp;
	size_t sdp_len;
};

MS_API ms_rc ms_announce_write(const char *const *targets, unsigned n, const char *sdp, char *out,
			       size_t cap, size_t *len);
MS_API ms_rc ms_announce_parse(const char *text, size_t len, struct ms_announce *a);
/* Whether uri is one of the targets. */
MS_API int ms_announce_names(const struct ms_announce *a, const char *uri);

/* UDP on IPv4: "ADDR:PORT" where ADDR may be unicast, multicast (joined on
 * loopback) or broadcast.  ms_udp_open: a socket to send to it (send = 1)
 * or bound to receive from it (PORT 0: an ephemeral port); *to gets the
 * destination. */
struct sockaddr_in;
MS_API int ms_udp_open(const char *hostport, int send, struct sockaddr_in *to);
/* The local port of a socket (after binding to port 0), or -1. */
MS_API int ms_udp_port(int s);
/* One datagram within timeout_ms; MS_ERR_IO on timeout. */
MS_API ms_rc ms_udp_recv(int s, int timeout_ms, uint8_t *buf, size_t cap, size_t *len);

#endif
