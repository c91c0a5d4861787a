/* client/announce.c - session-initialisation datagrams and loopback UDP
 * (unicast, multicast, broadcast) for the network-independent flow. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "mikeysakke/announce.h"

#define MAGIC "MIKEY-SAKKE-INIT 1\r\n"

ms_rc ms_announce_write(const char *const *targets, unsigned n, const char *sdp, char *out,
			size_t cap, size_t *len)
{
	size_t off = 0;
	unsigned i;
	int k;

	if (!targets || !n || n > MS_ANNOUNCE_MAX_TARGETS || !sdp || !out || !len)
		return MS_ERR_ARGS;
	k = snprintf(out, cap, MAGIC);
	for (i = 0; k >= 0 && (size_t)k < cap - off && i <= n; i++) {
		off += (size_t)k;
		if (i < n && (strchr(targets[i], '\r') || strchr(targets[i], '\n')))
			return MS_ERR_ARGS;
		k = i < n ? snprintf(out + off, cap - off, "target: %s\r\n", targets[i])
			  : snprintf(out + off, cap - off, "\r\n%s", sdp);
	}
	if (k < 0 || (size_t)k >= cap - off)
		return MS_ERR_BUFFER;
	*len = off + (size_t)k;
	return MS_OK;
}

ms_rc ms_announce_parse(const char *text, size_t len, struct ms_announce *a)
{
	const char *p = text, *end = text + len;

	if (!text || !a)
		return MS_ERR_ARGS;
	memset(a, 0, sizeof(*a));
	if (len < strlen(MAGIC) || memcmp(text, MAGIC, strlen(MAGIC)) != 0)
		return MS_ERR_MALFORMED;
	p += strlen(MAGIC);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!eol)
			return MS_ERR_MALFORMED;
		n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {   /* blank line: the SDP follows */
			a->sdp = eol + 1;
			a->sdp_len = (size_t)(end - a->sdp);
			return a->n_targets ? MS_OK : MS_ERR_MALFORMED;
		}
		if (n <= 8 || memcmp(p, "target: ", 8) != 0 || a->n_targets == MS_ANNOUNCE_MAX_TARGETS)
			return MS_ERR_MALFORMED;
		a->target[a->n_targets] = p + 8;
		a->target_len[a->n_targets++] = n - 8;
		p = eol + 1;
	}
	return MS_ERR_MALFORMED;
}

int ms_announce_names(const struct ms_announce *a, const char *uri)
{
	unsigned i;

	for (i = 0; a && uri && i < a->n_targets; i++)
		if (a->target_len[i] == strlen(uri) && memcmp(a->target[i], uri, a->target_len[i]) == 0)
			return 1;
	return 0;
}

int ms_udp_open(const char *hostport, int send, struct sockaddr_in *to)
{
	char host[64];
	const char *colon = hostport ? strrchr(hostport, ':') : NULL;
	long port = colon ? strtol(colon + 1, NULL, 10) : 0;
	int s, on = 1;
	unsigned char loop = 1;
	struct in_addr lo;

	/* port 0: an ephemeral port for a receiver (ms_udp_port tells which) */
	if (!colon || (size_t)(colon - hostport) >= sizeof(host) || port < 0 || port > 65535 ||
	    (send && port == 0))
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &to->sin_addr) != 1 || inet_pton(AF_INET, "127.0.0.1", &lo) != 1)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on));
	if (IN_MULTICAST(ntohl(to->sin_addr.s_addr))) {
		/* several members on one host listen to the same group and port;
		 * unicast ports are never shared */
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		/* loopback multicast: sent and joined on the lo interface */
		struct ip_mreq mr = { to->sin_addr, lo };

		setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
		setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo));
		if (!send && setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0)
			goto fail;
	}
	if (!send && bind(s, (struct sockaddr *)to, sizeof(*to)) != 0)
		goto fail;
	return s;
fail:
	close(s);
	return -1;
}

int ms_udp_port(int s)
{
	struct sockaddr_in sa;
	socklen_t n = sizeof(sa);

	if (getsockname(s, (struct sockaddr *)&sa, &n) != 0)
		return -1;
	return ntohs(sa.sin_port);
}

ms_rc ms_udp_recv(int s, int timeout_ms, uint8_t *buf, size_t cap, size_t *len)
{
	struct pollfd p = { s, POLLIN, 0 };
	ssize_t r;

	if (poll(&p, 1, timeout_ms) != 1)
		return MS_ERR_IO;
	r = recv(s, buf, cap, 0);
	if (r < 0)
		return MS_ERR_IO;
	*len = (size_t)r;
	return MS_OK;
}
