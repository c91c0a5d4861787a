/* client/sdp.c - write and read the SDP offers and answers of the flows
 * (RFC 4566, RFC 3264, RFC 4567).  Strict about the lines it needs, lenient
 * about the others (ignored), as RFC 4566 5 asks of parsers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "mikeysakke/sdp.h"

struct sdp_out {
	char *buf;
	size_t cap, off;
	int full;
};

static void emit(struct sdp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct sdp_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->cap - o->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->off)
		o->full = 1;
	else
		o->off += (size_t)n;
}

static void emit_keys(struct sdp_out *o, const struct ms_sdp *d, enum ms_sdp_level level)
{
	unsigned i;

	for (i = 0; i < d->n_keys; i++)
		if (d->keys[i].level == level)
			emit(o, "a=key-mgmt:mikey %.*s\r\n", (int)d->keys[i].len, d->keys[i].b64);
}

ms_rc ms_sdp_write(const struct ms_sdp *d, char *out, size_t cap)
{
	struct sdp_out o = { out, cap, 0, 0 };
	unsigned i;

	if (!d || !out || !cap || d->n_fmts == 0 || d->n_fmts > MS_SDP_MAX_FMTS ||
	    d->n_keys > MS_SDP_MAX_KEYS || !d->address[0])
		return MS_ERR_ARGS;
	emit(&o, "v=0\r\n");
	emit(&o, "o=%s %llu %llu IN IP4 %s\r\n", d->origin_user[0] ? d->origin_user : "-",
	     (unsigned long long)d->session_id, (unsigned long long)d->session_version, d->address);
	emit(&o, "s=%s\r\n", d->session_name[0] ? d->session_name : "-");
	emit(&o, "c=IN IP4 %s\r\n", d->address);
	emit(&o, "t=0 0\r\n");
	emit_keys(&o, d, MS_SDP_SESSION);
	emit(&o, "m=audio %u %s", d->port, d->proto[0] ? d->proto : "RTP/SAVP");
	for (i = 0; i < d->n_fmts; i++)
		emit(&o, " %u", d->fmts[i]);
	emit(&o, "\r\n");
	if (d->rtpmap[0])
		emit(&o, "a=rtpmap:%u %s\r\n", d->fmts[0], d->rtpmap);
	emit_keys(&o, d, MS_SDP_MEDIA);
	return o.full ? MS_ERR_BUFFER : MS_OK;
}

static ms_rc sdp_fail(struct ms_sdp_error *err, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static ms_rc sdp_fail(struct ms_sdp_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err) {
		err->line = line;
		n = snprintf(err->text, sizeof(err->text), "SDP line %u: ", line);
		if (n < 0)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(err->text + n, sizeof(err->text) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MS_ERR_MALFORMED;
}

/* Copies a bounded token of v (length n) into a fixed field. */
static int copy_field(char *dst, size_t cap, const char *v, size_t n)
{
	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int parse_origin(struct ms_sdp *d, const char *v)
{
	char user[64], addr[64];
	unsigned long long id, ver;

	if (sscanf(v, "%63s %llu %llu IN IP4 %63s", user, &id, &ver, addr) != 4)
		return -1;
	strcpy(d->origin_user, user);
	d->session_id = id;
	d->session_version = ver;
	return 0;
}

static int parse_media(struct ms_sdp *d, const char *v, size_t n)
{
	char line[256], *save = NULL, *tok, *end;
	unsigned long port;

	if (copy_field(line, sizeof(line), v, n))
		return -1;
	tok = strtok_r(line, " ", &save);
	if (!tok || strcmp(tok, "audio") != 0)
		return -1;
	tok = strtok_r(NULL, " ", &save);
	if (!tok)
		return -1;
	port = strtoul(tok, &end, 10);
	if (*end || port > 65535)
		return -1;
	d->port = (uint16_t)port;
	tok = strtok_r(NULL, " ", &save);
	if (!tok || copy_field(d->proto, sizeof(d->proto), tok, strlen(tok)))
		return -1;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		unsigned long pt = strtoul(tok, &end, 10);
		if (*end || pt > 127 || d->n_fmts == MS_SDP_MAX_FMTS)
			return -1;
		d->fmts[d->n_fmts++] = (uint8_t)pt;
	}
	return d->n_fmts ? 0 : -1;
}

/* "a=" lines: key-mgmt (kept if its protocol is mikey) and the rtpmap of
 * the first payload type; others ignored. */
static ms_rc parse_attr(struct ms_sdp *d, const char *v, size_t n, int in_media, unsigned ln,
			struct ms_sdp_error *err)
{
	static const char km[] = "key-mgmt:", rm[] = "rtpmap:";

	if (n > sizeof(km) - 1 && memcmp(v, km, sizeof(km) - 1) == 0) {
		const char *p = v + sizeof(km) - 1, *sp = memchr(p, ' ', n - (size_t)(p - v));
		struct ms_sdp_key *k;

		if (!sp || sp == p || sp + 1 >= v + n)
			return sdp_fail(err, ln, "key-mgmt needs \"<protocol> <data>\"");
		if ((size_t)(sp - p) != 5 || memcmp(p, "mikey", 5) != 0)
			return MS_OK;  /* another key management protocol */
		if (d->n_keys == MS_SDP_MAX_KEYS)
			return sdp_fail(err, ln, "more than %u key-mgmt attributes", MS_SDP_MAX_KEYS);
		k = &d->keys[d->n_keys++];
		k->level = in_media ? MS_SDP_MEDIA : MS_SDP_SESSION;
		k->b64 = sp + 1;
		k->len = (size_t)(v + n - k->b64);
		return MS_OK;
	}
	if (in_media && n > sizeof(rm) - 1 && memcmp(v, rm, sizeof(rm) - 1) == 0 && d->n_fmts) {
		char line[64], *end;
		unsigned long pt;

		/* the text is not NUL-terminated: parse a bounded copy */
		if (copy_field(line, sizeof(line), v + sizeof(rm) - 1, n - (sizeof(rm) - 1)))
			return MS_OK;
		pt = strtoul(line, &end, 10);
		if (end != line && pt == d->fmts[0] && *end == ' ')
			copy_field(d->rtpmap, sizeof(d->rtpmap), end + 1, strlen(end + 1));
	}
	return MS_OK;
}

ms_rc ms_sdp_parse(const char *text, size_t len, struct ms_sdp *d, struct ms_sdp_error *err)
{
	const char *p = text, *end = text + len;
	unsigned ln = 0;
	int in_media = 0, have_c = 0;
	struct in_addr a4;

	if (!text || !d)
		return MS_ERR_ARGS;
	memset(d, 0, sizeof(*d));
	if (err)
		memset(err, 0, sizeof(*err));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t n = (size_t)((eol ? eol : end) - p);
		char line[300];

		ln++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0 && !eol)
			break;
		if (n < 2 || p[1] != '=')
			return sdp_fail(err, ln, "not a \"<type>=<value>\" line");
		/* RFC 4566 text has no NUL; a value cut at one would be
		 * written back shorter than it was read */
		if (memchr(p, '\0', n) != NULL)
			return sdp_fail(err, ln, "NUL octet in the line");
		if (ln == 1 && (n != 3 || memcmp(p, "v=0", 3) != 0))
			return sdp_fail(err, ln, "must be \"v=0\"");
		v = p + 2;
		switch (p[0]) {
		case 'o':
			if (copy_field(line, sizeof(line), v, n - 2) || parse_origin(d, line))
				return sdp_fail(err, ln, "o= needs \"<user> <id> <version> IN IP4 <address>\"");
			break;
		case 's':
			copy_field(d->session_name, sizeof(d->session_name), v, n - 2);
			break;
		case 'c':
			if (n - 2 < 9 || memcmp(v, "IN IP4 ", 7) != 0 ||
			    copy_field(d->address, sizeof(d->address), v + 7, n - 9))
				return sdp_fail(err, ln, "c= needs \"IN IP4 <address>\"");
			/* a TTL suffix (multicast "a.b.c.d/ttl") is not part of the
			 * address, which must be dotted IPv4 (what the flows
			 * send to; an address kept that short would not even be
			 * written back) */
			d->address[strcspn(d->address, "/")] = '\0';
			if (inet_pton(AF_INET, d->address, &a4) != 1)
				return sdp_fail(err, ln, "c= needs \"IN IP4 <address>\"");
			have_c = 1;
			break;
		case 'm':
			if (in_media)
				return sdp_fail(err, ln, "only one m= line (audio) is supported");
			if (parse_media(d, v, n - 2))
				return sdp_fail(err, ln, "m= needs \"audio <port> <proto> <payload types>\"");
			in_media = 1;
			break;
		case 'a':
			if (parse_attr(d, v, n - 2, in_media, ln, err) != MS_OK)
				return MS_ERR_MALFORMED;
			break;
		default:
			break;
		}
		p = eol ? eol + 1 : end;
	}
	if (ln == 0)
		return sdp_fail(err, 0, "empty description");
	if (!in_media)
		return sdp_fail(err, 0, "no m=audio line");
	if (!have_c)
		return sdp_fail(err, 0, "no c= line");
	return MS_OK;
}

ms_rc ms_sdp_answer(const struct ms_sdp *offer, const char *address, uint16_t port,
		    const char *returned_b64, struct ms_sdp *answer)
{
	if (!offer || !address || !answer || !offer->n_fmts ||
	    strlen(address) >= sizeof(answer->address))
		return MS_ERR_ARGS;
	memset(answer, 0, sizeof(*answer));
	strcpy(answer->origin_user, "-");
	answer->session_id = offer->session_id + 1;
	answer->session_version = 1;
	strcpy(answer->address, address);
	answer->port = port;
	strcpy(answer->proto, offer->proto);
	answer->n_fmts = 1;
	answer->fmts[0] = offer->fmts[0];
	strcpy(answer->rtpmap, offer->rtpmap);
	if (returned_b64) {
		answer->n_keys = 1;
		answer->keys[0].level = MS_SDP_MEDIA;
		answer->keys[0].b64 = returned_b64;
		answer->keys[0].len = strlen(returned_b64);
	}
	return MS_OK;
}

unsigned ms_sdp_media_keys(const struct ms_sdp *d, const struct ms_sdp_key **out, unsigned cap)
{
	unsigned i, n = 0, level;

	for (level = MS_SDP_MEDIA + 1; level-- > 0 && n == 0;)
		for (i = 0; i < d->n_keys && n < cap; i++)
			if (d->keys[i].level == (enum ms_sdp_level)level)
				out[n++] = &d->keys[i];
	return n;
}
