/* client/media.c - mikey-sakke-media: SRTP audio between processes over UDP
 * (unicast, multicast or broadcast), keyed from "mikey-sakke --show-keys"
 * lines, to show media flowing under a key that never left the token
 * except as its derived SRTP keys.
 *
 *   mikey-sakke-media send --to ADDR:PORT --keys FILE --cs N [--suite aes-cm|aes-gcm]
 *                          [--packets N] [--tamper K] [--sent FILE] [--ssrc N]
 *   mikey-sakke-media recv --listen ADDR:PORT --keys FILE --cs N [--suite ...]
 *                          [--packets N] [--timeout S] [--received FILE]
 *
 * The audio is generated: 20 ms frames of an 8 kHz tone, one byte per
 * sample.  recv prints "received=<n> authenticated=<n> refused=<n>
 * replayed=<n>" and exits 0 when it authenticated every expected packet.
 * --tamper K flips one payload bit of every K-th packet after protection,
 * which the receiver must refuse. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "mikeysakke/codec.h"
#include "mikeysakke/srtp.h"
#include "mikeysakke/announce.h"
#include "client/tone.h"

#define FRAME TONE_FRAME

struct media_args {
	int send;
	const char *addr, *keys, *sent, *received;
	int cs, suite;
	long packets, tamper, timeout;
	uint32_t ssrc;
};

static int usage(void)
{
	fputs("usage: mikey-sakke-media send --to ADDR:PORT --keys FILE --cs N [--suite aes-cm|aes-gcm]\n"
	      "                              [--packets N] [--tamper K] [--sent FILE] [--ssrc N]\n"
	      "       mikey-sakke-media recv --listen ADDR:PORT --keys FILE --cs N [--suite ...]\n"
	      "                              [--packets N] [--timeout S] [--received FILE]\n", stderr);
	return 2;
}

/* Finds "cs=<n> srtp-master-key=<hex> srtp-master-salt=<hex>" for cs. */
static int load_keys(const char *path, int cs, uint8_t key[16], uint8_t *salt, size_t *salt_len)
{
	FILE *f = fopen(path, "r");
	char line[256], kh[64], sh[64];
	int n, found = 0;
	size_t kl;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "cs=%d srtp-master-key=%63s srtp-master-salt=%63s", &n, kh, sh) == 3 &&
		    n == cs)
			found = ms_hex_decode(kh, strlen(kh), key, 16, &kl) == MS_OK && kl == 16 &&
				ms_hex_decode(sh, strlen(sh), salt, 14, salt_len) == MS_OK;
	fclose(f);
	OPENSSL_cleanse(kh, sizeof(kh));
	OPENSSL_cleanse(sh, sizeof(sh));
	return found;
}

static int do_send(const struct media_args *a, struct ms_srtp *tx, int s, const struct sockaddr_in *to)
{
	FILE *sent = a->sent ? fopen(a->sent, "wb") : NULL;
	uint8_t pkt[MS_RTP_HEADER_LEN + FRAME + MS_SRTP_TRAILER_MAX];
	long n;

	if (a->sent && !sent)
		return 2;
	for (n = 0; n < a->packets; n++) {
		size_t len = MS_RTP_HEADER_LEN + FRAME;

		ms_rtp_header(pkt, 0, (uint16_t)(n + 1), (uint32_t)(n * FRAME), a->ssrc);
		tone_frame(pkt + MS_RTP_HEADER_LEN, n);
		/* the record of what was sent leaves out the frames spoilt on purpose */
		if (sent && !(a->tamper && (n + 1) % a->tamper == 0))
			fwrite(pkt + MS_RTP_HEADER_LEN, 1, FRAME, sent);
		if (ms_srtp_protect(tx, pkt, &len, sizeof(pkt)) != MS_OK) {
			fprintf(stderr, "mikey-sakke-media: SRTP protect failed\n");
			return 1;
		}
		if (a->tamper && (n + 1) % a->tamper == 0)
			pkt[MS_RTP_HEADER_LEN + 5] ^= 0x10;
		if (sendto(s, pkt, len, 0, (const struct sockaddr *)to, sizeof(*to)) != (ssize_t)len) {
			perror("mikey-sakke-media: sendto");
			return 1;
		}
		usleep(2000);  /* paced, not real time: the test stays short */
	}
	if (sent)
		fclose(sent);
	printf("sent=%ld tampered=%ld\n", n, a->tamper ? n / a->tamper : 0);
	return 0;
}

static int do_recv(const struct media_args *a, struct ms_srtp *rx, int s)
{
	FILE *out = a->received ? fopen(a->received, "wb") : NULL;
	long got = 0, ok = 0, bad = 0, replay = 0, expect = a->packets - (a->tamper ? a->packets / a->tamper : 0);

	if (a->received && !out)
		return 2;
	while (ok < expect) {
		uint8_t pkt[2048];
		size_t len;
		ms_rc rc;

		if (ms_udp_recv(s, (int)(a->timeout * 1000), pkt, sizeof(pkt), &len) != MS_OK)
			break;
		got++;
		rc = ms_srtp_unprotect(rx, pkt, &len);
		if (rc == MS_OK) {
			ok++;
			if (out && len > MS_RTP_HEADER_LEN)
				fwrite(pkt + MS_RTP_HEADER_LEN, 1, len - MS_RTP_HEADER_LEN, out);
		} else if (rc == MS_ERR_REPLAY) {
			replay++;
		} else {
			bad++;
		}
	}
	if (out)
		fclose(out);
	printf("received=%ld authenticated=%ld refused=%ld replayed=%ld\n", got, ok, bad, replay);
	return ok == expect ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", 1, NULL, 't' }, { "listen", 1, NULL, 'l' }, { "keys", 1, NULL, 'k' },
		{ "cs", 1, NULL, 'c' }, { "suite", 1, NULL, 'u' }, { "packets", 1, NULL, 'n' },
		{ "tamper", 1, NULL, 'x' }, { "sent", 1, NULL, 's' }, { "received", 1, NULL, 'r' },
		{ "timeout", 1, NULL, 'w' }, { "ssrc", 1, NULL, 'i' }, { NULL, 0, NULL, 0 },
	};
	struct media_args a = { 0, NULL, NULL, NULL, NULL, -1, MS_SRTP_AEAD_AES_128_GCM, 250, 0, 5,
				0x4d534b45 };
	uint8_t key[16], salt[14];
	size_t salt_len = 0;
	struct ms_srtp *ctx;
	struct sockaddr_in sa;
	int ch, s, rc;

	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		return usage();
	a.send = strcmp(argv[1], "send") == 0;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': case 'l': a.addr = optarg; break;
		case 'k': a.keys = optarg; break;
		case 'c': a.cs = atoi(optarg); break;
		case 'u': a.suite = ms_srtp_suite_from_name(optarg); if (a.suite < 0) return usage(); break;
		case 'n': a.packets = atol(optarg); break;
		case 'x': a.tamper = atol(optarg); break;
		case 's': a.sent = optarg; break;
		case 'r': a.received = optarg; break;
		case 'w': a.timeout = atol(optarg); break;
		case 'i': a.ssrc = (uint32_t)strtoul(optarg, NULL, 0); break;
		default: return usage();
		}
	}
	if (!a.addr || !a.keys || a.cs < 0 || a.packets < 1 || a.tamper < 0)
		return usage();
	if (!load_keys(a.keys, a.cs, key, salt, &salt_len)) {
		fprintf(stderr, "mikey-sakke-media: no keys of cs=%d in %s\n", a.cs, a.keys);
		return 2;
	}
	rc = ms_srtp_new(&ctx, (enum ms_srtp_suite)a.suite, a.send ? MS_SRTP_OUTBOUND : MS_SRTP_INBOUND,
			 key, 16, salt, salt_len);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(salt, sizeof(salt));
	if (rc != MS_OK) {
		fprintf(stderr, "mikey-sakke-media: keys do not fit the suite (%s)\n", ms_strerror(rc));
		return 2;
	}
	s = ms_udp_open(a.addr, a.send, &sa);
	if (s < 0) {
		fprintf(stderr, "mikey-sakke-media: cannot open UDP %s\n", a.addr);
		ms_srtp_free(ctx);
		return 2;
	}
	if (!a.send) {   /* lets a script start the sender once we listen */
		fprintf(stderr, "listening on port %d\n", ms_udp_port(s));
		fflush(stderr);
	}
	rc = a.send ? do_send(&a, ctx, s, &sa) : do_recv(&a, ctx, s);
	close(s);
	ms_srtp_free(ctx);
	return rc;
}
